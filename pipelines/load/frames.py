"""Parsed tables as one DataFrame per staged table, with provenance on every row."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
import pyarrow as pa

from pipelines.ingest.model import Amounts
from pipelines.ingest.targets import parse_target
from pipelines.load.parse import ParsedFile

PROVENANCE_COLUMNS = ["source_path", "source_sha256", "source_line", "source_page", "fiscal_year", "department_name"]
AMOUNT_COLUMNS = ["total_amount", "fiscal_appropriation", "special_account_appropriation", "other_funds"]
MONEY_COLUMNS = frozenset([*AMOUNT_COLUMNS, "units_total_amount", "projects_total_amount"])
# DECIMAL(18,2) as Arrow holds it: exact like Decimal, but one C array instead of a Python object
# per cell, so pandera checks it, workers pickle it and DuckDB takes it without a loop per value.
MONEY = pd.ArrowDtype(pa.decimal128(18, 2))
TARGET_FIELDS = ("operator", "value", "unit", "per", "kind", "deadline")
# The typed reading of 年度指标值 and 实施周期指标值 (pipelines/ingest/targets.py), beside their text.
TARGET_COLUMNS = [f"{side}_{name}" for side in ("annual", "period") for name in TARGET_FIELDS]


@dataclass(frozen=True, slots=True)
class StagingFrames:
    department_tables: pd.DataFrame
    funding_units: pd.DataFrame
    projects: pd.DataFrame
    indicators: pd.DataFrame


def build_frames(parsed: Sequence[ParsedFile]) -> StagingFrames:
    tables, units, projects, indicators = [], [], [], []
    for item in parsed:
        table, file = item.table, item.file
        base = (file.source_path, file.sha256)
        ident = (table.fiscal_year, table.department_name)
        project_sums: dict[str, Decimal] = defaultdict(Decimal)
        for project in table.projects:
            project_sums[project.unit_name] += project.amounts.total
            projects.append(
                (*base, project.line, project.page, *ident, project.unit_name, project.name,
                 *_amounts(project.amounts), project.performance_goal)
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
             *typed_targets(i.annual_target_text, i.period_target_text, fiscal_year=table.fiscal_year))
            for i in table.indicators
        )
    return StagingFrames(
        department_tables=_frame(tables, ["title", *AMOUNT_COLUMNS, "units_total_amount"]),
        funding_units=_frame(units, ["unit_name", *AMOUNT_COLUMNS, "projects_total_amount"]),
        projects=_frame(projects, ["unit_name", "project_name", *AMOUNT_COLUMNS, "performance_goal"]),
        indicators=_frame(
            indicators,
            ["unit_name", "project_name", "indicator_seq", "level1_code", "level1_name", "level2_code",
             "level2_name", "indicator_name", "period_target_text", "annual_target_text", *TARGET_COLUMNS],
        ),
    )


def typed_targets(annual_text: str | None, period_text: str | None, *, fiscal_year: int) -> tuple:
    """The TARGET_COLUMNS values of one indicator: annual fields, then period fields."""
    annual = parse_target(annual_text, fiscal_year=fiscal_year)
    period = parse_target(period_text, fiscal_year=fiscal_year)
    return tuple(getattr(target, name) for target in (annual, period) for name in TARGET_FIELDS)


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
