"""Parsed tables as one DataFrame per staged table, with provenance on every row."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter

import pandas as pd
import pyarrow as pa

from pipelines.ingest.model import Amounts, SelfEvaluation
from pipelines.ingest.targets import parse_target
from pipelines.load.parse import ParsedFile

PROVENANCE_COLUMNS = ["source_path", "source_sha256", "source_line", "source_page", "fiscal_year", "department_name"]
AMOUNT_COLUMNS = ["total_amount", "fiscal_appropriation", "special_account_appropriation", "other_funds"]
MONEY_COLUMNS = frozenset(
    [*AMOUNT_COLUMNS, "units_total_amount", "projects_total_amount", "budget_initial", "budget_adjusted", "executed"]
)
# DECIMAL(18,2) as Arrow holds it: exact like Decimal, but one C array instead of a Python object
# per cell, so pandera checks it, workers pickle it and DuckDB takes it without a loop per value.
MONEY = pd.ArrowDtype(pa.decimal128(18, 2))
TARGET_FIELDS = ("operator", "value", "unit", "per", "kind", "deadline", "value_max")
# The typed reading of 年度指标值 and 实施周期指标值 (pipelines/ingest/targets.py), beside their text;
# value_max is a range's upper bound ("90%-95%": value 90, value_max 95).
TARGET_COLUMNS = [f"{side}_{name}" for side in ("annual", "period") for name in TARGET_FIELDS]
_TARGET_VALUES = attrgetter(*TARGET_FIELDS)  # one C call per Target instead of a getattr per field


@dataclass(frozen=True, slots=True)
class StagingFrames:
    department_tables: pd.DataFrame
    funding_units: pd.DataFrame
    projects: pd.DataFrame
    indicators: pd.DataFrame
    project_evaluations: pd.DataFrame
    indicator_results: pd.DataFrame


def build_frames(parsed: Sequence[ParsedFile]) -> StagingFrames:
    tables, units, projects, indicators = [], [], [], []
    evaluations, results = [], []
    for item in parsed:
        table, file = item.table, item.file
        base = (file.source_path, file.sha256)
        ident = (table.fiscal_year, table.department_name)
        if isinstance(table, SelfEvaluation):
            evaluations.extend((*base, *row) for row in evaluation_rows(table))
            results.extend((*base, *row) for row in result_rows(table))
            continue
        project_sums: dict[str, Decimal] = defaultdict(Decimal)
        for project in table.projects:
            project_sums[project.unit_name] += project.amounts.total
            projects.append(
                (*base, project.line, project.page, *ident, project.unit_name, project.name,
                 *_amounts(project.amounts), project.performance_goal, project.period_goal, table.source_form)
            )
        for unit in table.units:
            units.append(
                (*base, unit.line, unit.page, *ident, unit.name, *_amounts(unit.amounts),
                 project_sums.get(unit.name, Decimal("0.00")))
            )
        units_total = sum((unit.amounts.total for unit in table.units), Decimal("0.00"))
        tables.append(
            (*base, table.grand_total_line, table.grand_total_page, *ident, table.title, *_amounts(table.grand_total), units_total)
        )
        indicators.extend(
            (*base, i.line, i.page, *ident, i.unit_name, i.project_name, i.seq, i.level1_code, i.level1_name,
             i.level2_code, i.level2_name, i.name, i.period_target_text, i.annual_target_text,
             *_typed(i.annual_target_text, i.period_target_text, table))
            for i in table.indicators
        )
    return StagingFrames(
        department_tables=_frame(tables, ["title", *AMOUNT_COLUMNS, "units_total_amount"]),
        funding_units=_frame(units, ["unit_name", *AMOUNT_COLUMNS, "projects_total_amount"]),
        projects=_frame(
            projects, ["unit_name", "project_name", *AMOUNT_COLUMNS, "performance_goal", "period_goal", "source_form"]
        ),
        indicators=_frame(
            indicators,
            ["unit_name", "project_name", "indicator_seq", "level1_code", "level1_name", "level2_code",
             "level2_name", "indicator_name", "period_target_text", "annual_target_text", *TARGET_COLUMNS],
        ),
        project_evaluations=_frame(evaluations, EVALUATION_COLUMNS),
        indicator_results=_frame(results, RESULT_COLUMNS),
    )


EVALUATION_COLUMNS = [
    "unit_name", "project_name", "budget_initial", "budget_adjusted", "executed", "execution_rate",
    "published_execution_rate", "budget_weight", "budget_score", "total_weight", "self_score",
    "indicator_count", "indicator_weight_total", "indicator_score_total",
]
RESULT_COLUMNS = [
    "unit_name", "project_name", "indicator_seq", "level1_name", "level2_name", "indicator_name",
    "target_text", "target_operator", "target_value", "target_value_max", "target_unit", "target_kind",
    "actual_text", "actual_value", "actual_unit", "actual_kind", "weight", "score", "deviation_reason",
]


def evaluation_rows(table: SelfEvaluation) -> list[tuple]:
    """One row per evaluated project; the rate is 全年执行数 / 全年预算数, the published one beside."""
    rows = []
    for project in table.projects:
        mine = [r for r in table.results if r.project_name == project.name and r.unit_name == project.unit_name]
        computed = (
            float(project.executed / project.budget_adjusted)
            if project.executed is not None and project.budget_adjusted
            else None
        )
        published = _rate(project.execution_rate_text)
        rows.append((
            project.line, project.page, table.fiscal_year, table.department_name, project.unit_name, project.name,
            project.budget_initial, project.budget_adjusted, project.executed,
            computed if computed is not None else published, published,
            _float(project.budget_weight), _float(project.budget_score), _float(project.total_weight),
            _float(project.self_score), len(mine),
            _total(r.weight for r in mine), _total(r.score for r in mine),
        ))
    return rows


def result_rows(table: SelfEvaluation) -> list[tuple]:
    rows = []
    for r in table.results:
        target = parse_target(r.target_text, fiscal_year=table.fiscal_year)
        actual = parse_target(r.actual_text, fiscal_year=table.fiscal_year)
        rows.append((
            r.line, r.page, table.fiscal_year, table.department_name, r.unit_name, r.project_name, r.seq,
            r.level1_name, r.level2_name, r.name,
            r.target_text, target.operator, _float(target.value), _float(getattr(target, "value_max", None)),
            target.unit, target.kind,
            r.actual_text, _float(actual.value), actual.unit, actual.kind,
            _float(r.weight), _float(r.score), r.deviation_reason,
        ))
    return rows


def _rate(text: str | None) -> float | None:
    """'93.22%' -> 0.9322, '0.9322' -> 0.9322, '93.22' -> 0.9322; anything else is not a rate."""
    if not text:
        return None
    cleaned = text.strip().replace("％", "%").replace(" ", "")
    try:
        if cleaned.endswith("%"):
            return float(Decimal(cleaned[:-1]) / 100)
        value = Decimal(cleaned)
    except ArithmeticError:
        return None
    # '93.22' without its % sign: no project spends 93 times its budget.
    return float(value / 100 if value > 2 else value)


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _total(values) -> float | None:
    present = [v for v in values if v is not None]
    return float(sum(present, Decimal(0))) if present else None


def typed_targets(annual_text: str | None, period_text: str | None, *, fiscal_year: int) -> tuple:
    """The TARGET_COLUMNS values of one indicator: annual fields, then period fields."""
    annual = parse_target(annual_text, fiscal_year=fiscal_year)
    period = parse_target(period_text, fiscal_year=fiscal_year)
    return _TARGET_VALUES(annual) + _TARGET_VALUES(period)


def _typed(annual_text: str | None, period_text: str | None, table) -> tuple:
    """A per-project table may publish no 实施期指标值 (or no 年度指标值): a side without text has
    no reading at all, rather than an 'unparsed' one."""
    typed = typed_targets(annual_text, period_text, fiscal_year=table.fiscal_year)
    if table.source_form == "horizontal":
        return typed
    width = len(TARGET_FIELDS)
    annual = typed[:width] if annual_text is not None else (None,) * width
    period = typed[width:] if period_text is not None else (None,) * width
    return (*annual, *period)


def _amounts(amounts: Amounts) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    return (
        amounts.total,
        amounts.fiscal_appropriation,
        amounts.special_account_appropriation,
        amounts.other_funds,
    )


def _frame(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows, columns=[*PROVENANCE_COLUMNS, *columns])
    for column in MONEY_COLUMNS.intersection(columns):
        frame[column] = _money(frame[column])
    # Nullable: only PDF rows have a page.
    return frame.astype({"source_line": "int64", "source_page": "Int64", "fiscal_year": "int64"})


def _money(values: pd.Series) -> pd.Series:
    """Parsed amounts have at most two decimals and 16 digits; a sum beyond DECIMAL(18,2) becomes
    null, which the schema's non-nullable money column then reports on that row."""
    try:
        return values.astype(MONEY)
    except (pa.ArrowInvalid, TypeError, ValueError):
        return values.map(_fitting).astype(MONEY)


def _fitting(value: Decimal) -> Decimal | None:
    try:
        pa.array([value], type=MONEY.pyarrow_dtype)
    except (pa.ArrowInvalid, TypeError, ValueError):
        return None
    return value
