"""Each pandera rule passes on the seed and fails on a row made to break it, naming file and line."""

from dataclasses import replace
from decimal import Decimal
from pathlib import PurePosixPath

import pytest

from pipelines.ingest.errors import IssueCategory
from pipelines.ingest.layouts.horizontal import parse_table
from pipelines.ingest.readers import read_source_rows
from pipelines.load.discover import RawFile
from pipelines.load.frames import build_frames
from pipelines.load.issues import Severity
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
