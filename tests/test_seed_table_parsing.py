"""The seed table parses into exactly what it publishes, field by field."""

from decimal import Decimal
from pathlib import PurePosixPath

import pytest

from pipelines.ingest.layouts.horizontal import parse_table
from pipelines.ingest.readers import read_source_rows
from tests.support.paths import SEED_PATH
from tests.support.seed_expectations import (
    SEED_CATEGORY_COUNTS,
    SEED_DEPARTMENT,
    SEED_INDICATORS,
    SEED_PROJECTS,
    SEED_TITLE,
    SEED_TOTAL,
    SEED_UNIT,
)


@pytest.fixture(scope="module")
def seed_table():
    return parse_table(read_source_rows(SEED_PATH), relative_path=PurePosixPath("2024") / SEED_PATH.name)


def test_header_lines_name_the_department_year_and_title(seed_table):
    assert seed_table.title == SEED_TITLE
    assert seed_table.department_name == SEED_DEPARTMENT
    assert seed_table.fiscal_year == 2024
    assert seed_table.grand_total_line == 10
    assert seed_table.grand_total.total == Decimal(SEED_TOTAL)
    assert seed_table.grand_total.fiscal_appropriation == Decimal(SEED_TOTAL)
    assert seed_table.grand_total.special_account_appropriation == Decimal(0)
    assert seed_table.grand_total.other_funds == Decimal(0)


def test_the_single_funding_unit_carries_the_whole_total(seed_table):
    (unit,) = seed_table.units
    assert (unit.line, unit.name, unit.amounts.total) == (11, SEED_UNIT, Decimal(SEED_TOTAL))


@pytest.mark.parametrize("expected", SEED_PROJECTS, ids=[p[1] for p in SEED_PROJECTS])
def test_every_project_field_by_field(seed_table, expected):
    line, name, total, fiscal, special, other, goal = expected
    (project,) = [p for p in seed_table.projects if p.name == name]
    assert project.line == line
    assert project.unit_name == SEED_UNIT
    assert project.amounts.total == Decimal(total)
    assert project.amounts.fiscal_appropriation == Decimal(fiscal)
    assert project.amounts.special_account_appropriation == Decimal(special)
    assert project.amounts.other_funds == Decimal(other)
    assert project.performance_goal == goal


def test_projects_in_published_order_and_sum_to_the_total(seed_table):
    assert [p.name for p in seed_table.projects] == [p[1] for p in SEED_PROJECTS]
    assert sum(p.amounts.total for p in seed_table.projects) == Decimal(SEED_TOTAL)


@pytest.mark.parametrize(
    "expected", SEED_INDICATORS, ids=[f"{i[1]}-{i[2]}" for i in SEED_INDICATORS]
)
def test_every_indicator_field_by_field(seed_table, expected):
    line, project, seq, l1code, l1name, l2code, l2name, name, period, annual = expected
    (indicator,) = [i for i in seed_table.indicators if i.project_name == project and i.seq == seq]
    assert indicator.line == line
    assert indicator.unit_name == SEED_UNIT
    assert (indicator.level1_code, indicator.level1_name) == (l1code, l1name)
    assert (indicator.level2_code, indicator.level2_name) == (l2code, l2name)
    assert indicator.name == name
    assert indicator.period_target_text == period
    assert indicator.annual_target_text == annual


def test_thirty_seven_indicators_in_the_published_categories(seed_table):
    assert len(seed_table.indicators) == 37
    counts: dict[tuple, int] = {}
    for i in seed_table.indicators:
        key = (i.level1_code, i.level1_name, i.level2_code, i.level2_name)
        counts[key] = counts.get(key, 0) + 1
    assert counts == SEED_CATEGORY_COUNTS
