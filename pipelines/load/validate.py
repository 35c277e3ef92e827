"""Running the pandera schemas over staged frames and turning failures into LoadIssues.

Each failing row becomes one issue naming its file and line. Arithmetic checks are warnings;
any other failure quarantines the whole file, because a half-loaded table misleads more than
a missing one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import pandas as pd
import pandera.pandas as pa

from pipelines.contract.issues import LoadIssue, Severity
from pipelines.ingest.errors import IssueCategory
from pipelines.load.frames import StagingFrames
from schemas import (
    TARGET_RULES,
    WARNING_CHECKS,
    DepartmentTableSchema,
    FundingUnitSchema,
    IndicatorResultSchema,
    IndicatorSchema,
    ProjectEvaluationSchema,
    ProjectSchema,
)

_CATEGORY_BY_CHECK = {
    "row_total_equals_sum_of_sources": IssueCategory.ROW_TOTAL_MISMATCH,
    "unit_subtotal_equals_sum_of_projects": IssueCategory.UNIT_SUBTOTAL_MISMATCH,
    "grand_total_equals_sum_of_units": IssueCategory.GRAND_TOTAL_MISMATCH,
    "multiple_fields_uniqueness": IssueCategory.DUPLICATE_PROJECT,
    "self_score_equals_components": IssueCategory.SCORE_TOTAL_MISMATCH,
}


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """One schema check over all rows: shown in Dagster as an asset check."""

    table: str
    check: str
    severity: Severity
    failing_rows: int
    examples: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return self.failing_rows == 0


@dataclass(slots=True)
class ValidationResult:
    issues: list[LoadIssue] = field(default_factory=list)
    outcomes: list[CheckOutcome] = field(default_factory=list)

    @property
    def quarantined_paths(self) -> set[str]:
        return {i.source_path for i in self.issues if i.severity is Severity.ERROR}


_SCHEMAS: tuple[tuple[str, type[pa.DataFrameModel], str], ...] = (
    ("department_tables", DepartmentTableSchema, "合计"),
    ("funding_units", FundingUnitSchema, "资金使用单位"),
    ("projects", ProjectSchema, "项目"),
    ("indicators", IndicatorSchema, "绩效指标"),
    ("project_evaluations", ProjectEvaluationSchema, "自评项目"),
    ("indicator_results", IndicatorResultSchema, "自评指标"),
)

# Which checks each schema declares, so that passing checks are reported too.
CHECK_NAMES: dict[str, tuple[str, ...]] = {
    "department_tables": ("row_total_equals_sum_of_sources", "grand_total_equals_sum_of_units", "values_are_valid"),
    "funding_units": ("row_total_equals_sum_of_sources", "unit_subtotal_equals_sum_of_projects", "values_are_valid"),
    "projects": ("row_total_equals_sum_of_sources", "no_duplicate_project_in_unit", "values_are_valid"),
    "indicators": ("codes_are_digits_and_names_present", "no_duplicate_indicator_in_project", *TARGET_RULES),
    "project_evaluations": (
        "execution_rate_equals_executed_over_budget", "score_within_weight", "self_score_equals_components",
        "no_duplicate_project_in_unit", "values_are_valid",
    ),
    "indicator_results": ("score_within_weight", "no_duplicate_indicator_in_project", "values_are_valid"),
}
_UNIQUENESS_CHECK = {
    "department_tables": "values_are_valid",
    "funding_units": "values_are_valid",
    "projects": "no_duplicate_project_in_unit",
    "indicators": "no_duplicate_indicator_in_project",
    "project_evaluations": "no_duplicate_project_in_unit",
    "indicator_results": "no_duplicate_indicator_in_project",
}


def validate_frames(frames: StagingFrames) -> ValidationResult:
    result = ValidationResult()
    for table, schema, label in _SCHEMAS:
        frame: pd.DataFrame = getattr(frames, table)
        failures = _failures(schema, frame)
        issues = [_issue(frame, failure, label) for failure in failures]
        result.issues.extend(issues)
        result.outcomes.extend(_outcomes(table, issues, failures))
    return result


def merge_outcomes(batches: Sequence[Sequence[CheckOutcome]]) -> list[CheckOutcome]:
    """The outcomes of a load validated batch by batch, as if all its rows were checked at once:
    failing rows add up and the first ten examples are kept, in the batches' order."""
    merged: dict[tuple[str, str], CheckOutcome] = {}
    for outcomes in batches:
        for outcome in outcomes:
            key = (outcome.table, outcome.check)
            before = merged.get(key)
            merged[key] = outcome if before is None else replace(
                before,
                failing_rows=before.failing_rows + outcome.failing_rows,
                examples=(before.examples + outcome.examples)[:10],
            )
    return list(merged.values())


@dataclass(frozen=True, slots=True)
class _Failure:
    """One failing row of one check, with the column and value pandera reported."""

    check: str
    index: int
    column: str
    value: object
    # The check raised instead of answering (it could not be evaluated on this file's rows).
    errored: bool = False


def _failures(schema: type[pa.DataFrameModel], frame: pd.DataFrame) -> list[_Failure]:
    """One failure per failing row and check.

    A check that raises fails as a whole, for every row validated with it: the frame is then
    validated file by file, so that one file's rows never keep another file's checks from
    running, and the check is reported against the file it could not be evaluated on.
    """
    if frame.empty:
        return []
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        return _from_cases(schema, frame, errors.failure_cases)
    return []


def _from_cases(schema: type[pa.DataFrameModel], frame: pd.DataFrame, cases: pd.DataFrame) -> list[_Failure]:
    seen: dict[tuple[str, int], _Failure] = {}
    errored: dict[str, str] = {}
    for context, check, column, index, value in zip(
        cases["schema_context"], cases["check"], cases["column"], cases["index"], cases["failure_case"], strict=True
    ):
        if index is None or pd.isna(index):
            # A dataframe check that raised. A column's failure without a row (its dtype, as
            # the concatenated batch types it) is no file's finding: each row's values are checked.
            if context == "DataFrameSchema":
                errored.setdefault(str(check), str(value))
            continue
        name = _check_name(str(check), str(column))
        seen.setdefault((name, int(index)), _Failure(name, int(index), str(column), value))
    if not errored:
        return list(seen.values())
    if frame["source_path"].nunique() > 1:
        return [
            failure
            for _, rows in frame.groupby("source_path", sort=False)
            for failure in _failures(schema, rows)
        ]
    first = int(frame.index[0])
    return [
        *seen.values(),
        *(_Failure(check, first, "", reason, errored=True) for check, reason in errored.items()),
    ]


def _check_name(check: str, column: str) -> str:
    if check in _CATEGORY_BY_CHECK or check in WARNING_CHECKS or check in _MESSAGES:
        return check
    return f"{column}: {check}"


def _issue(frame: pd.DataFrame, failure: _Failure, label: str) -> LoadIssue:
    row = frame.loc[failure.index]
    check = failure.check
    if failure.errored:
        severity, category = Severity.ERROR, IssueCategory.INVALID_VALUE
        message = f"{label}: the rule {check} could not be checked on this file's rows ({failure.value})"
    else:
        severity = Severity.WARNING if check in WARNING_CHECKS else Severity.ERROR
        category = _CATEGORY_BY_CHECK.get(check, IssueCategory.INVALID_VALUE)
        message = _MESSAGES[check](row, label) if check in _MESSAGES else _value_message(row, label, failure)
    return LoadIssue(
        source_path=row["source_path"],
        source_sha256=row["source_sha256"],
        category=category,
        severity=severity,
        message=message,
        line=int(row["source_line"]),
        page=_page(row),
        fiscal_year=int(row["fiscal_year"]),
        department_name=row["department_name"],
    )


def _value_message(row: pd.Series, label: str, failure: _Failure) -> str:
    """A column rule: the row by its name, the column, and the value that broke the rule."""
    rule = failure.check.removeprefix(f"{failure.column}: ")
    value = failure.value
    shown = "is empty" if value is None or (not isinstance(value, str) and pd.isna(value)) else f"is {value!r}"
    return f"{_row_name(row, label)}: {failure.column} {shown}, which breaks the rule {rule}"


def _row_name(row: pd.Series, label: str) -> str:
    if "indicator_seq" in row:
        return f"{label} {row['indicator_seq']} of project {row['project_name']}"
    for column in ("project_name", "unit_name"):
        if column in row and isinstance(row[column], str) and row[column]:
            return f"{label} {row[column]}"
    return label


def _page(row: pd.Series) -> int | None:
    page = row.get("source_page")
    return None if page is None or pd.isna(page) else int(page)


def _outcomes(table: str, issues: list[LoadIssue], failures: list[_Failure]) -> list[CheckOutcome]:
    by_check: dict[str, list[LoadIssue]] = {}
    for failure, issue in zip(failures, issues, strict=True):
        by_check.setdefault(_outcome_name(table, failure.check), []).append(issue)
    names = CHECK_NAMES[table]
    return [
        CheckOutcome(
            table=table,
            check=name,
            severity=Severity.WARNING if name in WARNING_CHECKS else Severity.ERROR,
            failing_rows=len(by_check.get(name, [])),
            examples=tuple(i.describe() for i in by_check.get(name, [])[:10]),
        )
        for name in names
    ]


def _outcome_name(table: str, check: str) -> str:
    """Group pandera's failure names under the asset checks the UI shows."""
    if check == "multiple_fields_uniqueness":
        return _UNIQUENESS_CHECK[table]
    if check in WARNING_CHECKS or check in CHECK_NAMES[table]:
        return check
    return "codes_are_digits_and_names_present" if table == "indicators" else "values_are_valid"


def _sum_message(row: pd.Series, label: str) -> str:
    sources = row["fiscal_appropriation"] + row["special_account_appropriation"] + row["other_funds"]
    return (
        f"{label} {row.get('project_name', row.get('unit_name', '合计'))!s}: 总计 {row['total_amount']} ≠ "
        f"财政拨款 + 财政专户拨款 + 其他资金 = {sources}"
    )


def _unit_message(row: pd.Series, label: str) -> str:
    return (
        f"资金使用单位 {row['unit_name']}: subtotal {row['total_amount']} ≠ "
        f"sum of its projects {row['projects_total_amount']}"
    )


def _grand_message(row: pd.Series, label: str) -> str:
    return f"合计 {row['total_amount']} ≠ sum of the funding units {row['units_total_amount']}"


def _rate_message(row: pd.Series, label: str) -> str:
    return (
        f"project {row['project_name']}: 执行率 {row['published_execution_rate']:.4f} ≠ 全年执行数 {row['executed']} "
        f"/ 全年预算数 {row['budget_adjusted']} = {row['execution_rate']:.4f} (more than 0.01 apart)"
    )


def _score_message(row: pd.Series, label: str) -> str:
    if "indicator_seq" in row:
        return (
            f"{label} {row['indicator_seq']} of project {row['project_name']} ({row['indicator_name']}): "
            f"得分 {row['score']} is not within 0 and its 分值 {row['weight']}"
        )
    return (
        f"project {row['project_name']}: 得分 {row['budget_score']} (分值 {row['budget_weight']}) or 总分 "
        f"{row['self_score']} (分值 {row['total_weight']}) is not within 0 and its 分值"
    )


def _total_score_message(row: pd.Series, label: str) -> str:
    budget = 0 if pd.isna(row["budget_score"]) else row["budget_score"]
    indicators = 0 if pd.isna(row["indicator_score_total"]) else row["indicator_score_total"]
    return (
        f"project {row['project_name']}: 总分 {row['self_score']} ≠ the indicators' 得分 {indicators:g} "
        f"+ the funds' 得分 {budget:g} = {indicators + budget:g}"
    )


def _duplicate_message(row: pd.Series, label: str) -> str:
    if "indicator_seq" in row:
        return f"绩效指标 item {row['indicator_seq']} of project {row['project_name']} appears twice"
    return f"project {row['project_name']} appears more than once under 资金使用单位 {row['unit_name']}"


def _target_message(check: str) -> Callable[[pd.Series, str], str]:
    def message(row: pd.Series, label: str) -> str:
        return (
            f"{label} {row['indicator_seq']} of project {row['project_name']} ({row['indicator_name']}): "
            f"{TARGET_RULES[check]}: 年度指标值 {row['annual_target_text']!r} read as "
            f"{_reading(row, 'annual')}, 实施周期指标值 {row['period_target_text']!r} read as {_reading(row, 'period')}"
        )

    return message


def _reading(row: pd.Series, side: str) -> str:
    parts = [row[f"{side}_kind"], row[f"{side}_operator"], row[f"{side}_value"], row[f"{side}_unit"]]
    if pd.notna(row.get(f"{side}_value_max")):
        parts.insert(3, f"to {row[f'{side}_value_max']}")
    if pd.notna(row[f"{side}_per"]):
        parts.append(f"per {row[f'{side}_per']}")
    parts.append(row[f"{side}_deadline"])
    return " ".join(str(part) for part in parts if part is not None and not pd.isna(part))


_MESSAGES: dict[str, Callable[[pd.Series, str], str]] = {
    "row_total_equals_sum_of_sources": _sum_message,
    "unit_subtotal_equals_sum_of_projects": _unit_message,
    "grand_total_equals_sum_of_units": _grand_message,
    "multiple_fields_uniqueness": _duplicate_message,
    "execution_rate_equals_executed_over_budget": _rate_message,
    "score_within_weight": _score_message,
    "self_score_equals_components": _total_score_message,
    **{check: _target_message(check) for check in TARGET_RULES},
}
