"""Each pandera rule passes on the seed and fails on a row made to break it, naming file and line."""

from dataclasses import replace
from decimal import Decimal
from pathlib import PurePosixPath

import pytest

from pipelines.contract.issues import Severity
from pipelines.ingest.errors import IssueCategory
from pipelines.ingest.layouts.horizontal import parse_table
from pipelines.ingest.readers import read_source_rows
from pipelines.load.discover import RawFile
from pipelines.load.frames import build_frames
from pipelines.load.parse import ParsedFile
from pipelines.load.validate import validate_frames
from tests.support.paths import SEED_PATH

SOURCE = "2024/seed.txt"


@pytest.fixture(scope="module")
def seed_parsed() -> ParsedFile:
    table = parse_table(read_source_rows(SEED_PATH), relative_path=PurePosixPath(SOURCE))
    return ParsedFile(file=RawFile(SOURCE, SEED_PATH, "0" * 64, 1), table=table)


def _validate(parsed: ParsedFile, mutate=None):
    frames = build_frames([parsed])
    if mutate is not None:
        mutate(frames)
    return validate_frames(frames)


def test_the_seed_passes_every_check(seed_parsed):
    result = _validate(seed_parsed)
    assert result.issues == []
    assert all(outcome.passed for outcome in result.outcomes)
    assert {o.check for o in result.outcomes} >= {
        "row_total_equals_sum_of_sources",
        "unit_subtotal_equals_sum_of_projects",
        "grand_total_equals_sum_of_units",
        "no_duplicate_project_in_unit",
        "codes_are_digits_and_names_present",
    }


def test_row_total_not_equal_to_its_sources_is_a_warning_on_that_line(seed_parsed):
    def break_row(frames):
        frames.projects.loc[3, "fiscal_appropriation"] = Decimal("11.00")  # 专项工作经费, 总计 12.00

    (issue,) = _validate(seed_parsed, break_row).issues
    assert issue.category is IssueCategory.ROW_TOTAL_MISMATCH
    assert issue.severity is Severity.WARNING
    assert (issue.source_path, issue.line) == (SOURCE, 15)
    assert "12.00" in issue.message and "11.00" in issue.message


def test_a_difference_of_one_fen_is_tolerated(seed_parsed):
    def nudge(frames):
        frames.projects.loc[3, "fiscal_appropriation"] = Decimal("12.01")

    assert _validate(seed_parsed, nudge).issues == []


def test_unit_subtotal_not_equal_to_its_projects_is_a_warning(seed_parsed):
    def break_unit(frames):
        frames.funding_units.loc[0, "projects_total_amount"] = Decimal("2000.00")

    (issue,) = _validate(seed_parsed, break_unit).issues
    assert issue.category is IssueCategory.UNIT_SUBTOTAL_MISMATCH
    assert (issue.severity, issue.line) == (Severity.WARNING, 11)


def test_grand_total_not_equal_to_the_units_is_a_warning(seed_parsed):
    def break_total(frames):
        frames.department_tables.loc[0, "units_total_amount"] = Decimal("2177.84")

    (issue,) = _validate(seed_parsed, break_total).issues
    assert issue.category is IssueCategory.GRAND_TOTAL_MISMATCH
    assert (issue.severity, issue.line) == (Severity.WARNING, 10)


def test_a_project_listed_twice_in_a_unit_quarantines_the_file(seed_parsed):
    duplicate = replace(seed_parsed.table.projects[0], line=22)
    table = replace(seed_parsed.table, projects=(*seed_parsed.table.projects, duplicate))
    result = _validate(replace(seed_parsed, table=table))
    duplicates = [i for i in result.issues if i.category is IssueCategory.DUPLICATE_PROJECT]
    assert {i.line for i in duplicates} == {12, 22}
    assert all(i.severity is Severity.ERROR for i in duplicates)
    assert result.quarantined_paths == {SOURCE}


def test_a_code_that_is_not_digits_quarantines_the_file(seed_parsed):
    def break_code(frames):
        frames.indicators.loc[5, "level2_code"] = "1a"

    result = _validate(seed_parsed, break_code)
    (issue,) = result.issues
    assert issue.severity is Severity.ERROR
    assert issue.line == 13
    failing = [o for o in result.outcomes if not o.passed]
    assert [o.check for o in failing] == ["codes_are_digits_and_names_present"]


def test_an_empty_indicator_name_quarantines_the_file(seed_parsed):
    def break_name(frames):
        frames.indicators.loc[0, "indicator_name"] = ""

    (issue,) = _validate(seed_parsed, break_name).issues
    assert (issue.severity, issue.line) == (Severity.ERROR, 12)


def test_an_empty_project_name_quarantines_the_file(seed_parsed):
    def break_name(frames):
        frames.projects.loc[0, "project_name"] = ""

    result = _validate(seed_parsed, break_name)
    assert result.quarantined_paths == {SOURCE}
    assert [o.check for o in result.outcomes if not o.passed] == ["values_are_valid"]


def _two_files(seed_parsed: ParsedFile, mutate) -> tuple[list, list]:
    """The seed twice, as 2024/a.txt and 2024/b.txt, validated in one batch after `mutate`."""
    parsed = [
        replace(seed_parsed, file=replace(seed_parsed.file, source_path=path)) for path in ("2024/a.txt", "2024/b.txt")
    ]
    frames = build_frames(parsed)
    mutate(frames)
    result = validate_frames(frames)
    return result.issues, result.outcomes


def _row(frame, path: str, line: int) -> int:
    return frame.index[(frame["source_path"] == path) & (frame["source_line"] == line)][0]


def test_a_null_in_one_file_leaves_the_other_files_warnings(seed_parsed):
    def break_both(frames):
        units = frames.funding_units
        units.loc[_row(units, "2024/a.txt", 11), "projects_total_amount"] = None  # a sum that did not fit
        units.loc[_row(units, "2024/b.txt", 11), "projects_total_amount"] = Decimal("3303.48")

    issues, outcomes = _two_files(seed_parsed, break_both)
    by_path = {issue.source_path: issue for issue in issues}
    assert len(issues) == 2
    warning = by_path["2024/b.txt"]
    assert (warning.category, warning.severity, warning.line) == (
        IssueCategory.UNIT_SUBTOTAL_MISMATCH, Severity.WARNING, 11
    )
    assert "3303.48" in warning.message and "2177.86" in warning.message
    error = by_path["2024/a.txt"]
    assert (error.severity, error.line) == (Severity.ERROR, 11)
    assert error.message == (
        "资金使用单位 广州市越秀区政务服务数据管理局: projects_total_amount is empty, which breaks the rule not_nullable"
    )
    failed = {(o.table, o.check): o.failing_rows for o in outcomes if not o.passed}
    assert failed == {("funding_units", "unit_subtotal_equals_sum_of_projects"): 1, ("funding_units", "values_are_valid"): 1}


def test_a_check_that_cannot_run_on_one_file_still_runs_on_the_others(seed_parsed):
    """A value no rule expects (text where a number belongs) makes the check raise: it is
    reported on that file, and the other file's rows are still checked by it."""
    def break_both(frames):
        indicators = frames.indicators
        indicators.loc[_row(indicators, "2024/a.txt", 12), "annual_value"] = "ninety"
        indicators.loc[_row(indicators, "2024/b.txt", 12), "annual_value"] = Decimal(-1)

    issues, _ = _two_files(seed_parsed, break_both)
    (warning,) = [issue for issue in issues if issue.source_path == "2024/b.txt"]
    assert (warning.severity, warning.line) == (Severity.WARNING, 12)
    assert "a target's value is negative" in warning.message and "= -1 %" in warning.message
    errors = [issue for issue in issues if issue.source_path == "2024/a.txt"]
    assert {issue.severity for issue in errors} == {Severity.ERROR}
    assert {issue.message.split(" could not")[0] for issue in errors} == {
        "绩效指标: the rule target_value_is_not_negative", "绩效指标: the rule percent_target_is_at_most_100"
    }


def test_a_value_that_breaks_a_column_rule_is_named(seed_parsed):
    def break_form(frames):
        frames.projects.loc[2, "source_form"] = "diagonal"

    (issue,) = _validate(seed_parsed, break_form).issues
    assert (issue.severity, issue.line) == (Severity.ERROR, 14)
    assert issue.message.startswith("项目 ")
    assert ": source_form is 'diagonal', which breaks the rule isin(" in issue.message


def test_a_column_typed_object_by_its_batch_is_no_files_finding(seed_parsed):
    """Frames joined from batches (one without rows) can type an int column as object: the
    values are still checked row by row, and no file is blamed for the dtype."""
    def widen(frames):
        frames.indicators["indicator_seq"] = frames.indicators["indicator_seq"].astype(object)

    issues, outcomes = _two_files(seed_parsed, widen)
    assert issues == []
    assert all(outcome.passed for outcome in outcomes)
