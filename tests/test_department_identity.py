"""A department is one department whatever its spelling: （本级）, width, spaces, renames."""

from __future__ import annotations

import pytest

from pipelines.ingest.departments import department_key, split_own_level
from pipelines.load.conflicts import find_conflicts


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("示例市教育局（本级）", ("示例市教育局", True)),
        ("示例市教育局(本级)", ("示例市教育局", True)),
        ("示例市教育局 （本级） ", ("示例市教育局", True)),
        ("示例市教育局", ("示例市教育局", False)),
        ("示例市第１中学\u3000", ("示例市第1中学", False)),
        ("本级示例局", ("本级示例局", False)),  # only a trailing （本级） says own level
    ],
)
def test_own_level_is_separated_and_width_folded(printed, expected):
    assert split_own_level(printed) == expected


def test_a_renamed_department_takes_its_new_name_from_the_alias_seed():
    # dbt_project/seeds/department_aliases.csv: 示例市文化广电旅游体育局 -> 示例市文化和旅游局 from 2025
    assert department_key("示例市文化广电旅游体育局（本级）") == "示例市文化和旅游局"
    assert department_key("示例市文化和旅游局") == "示例市文化和旅游局"


def test_two_target_tables_of_one_department_conflict_whatever_the_spelling():
    candidates = {"2024/a.xlsx": (2024, "示例市教育局（本级）", "targets"), "2024/b.txt": (2024, "示例市教育局", "targets")}
    assert find_conflicts(candidates, {}) == {"2024/a.xlsx": ["2024/b.txt"], "2024/b.txt": ["2024/a.xlsx"]}


def test_a_target_table_and_a_self_evaluation_do_not_conflict():
    candidates = {"2024/目标.xlsx": (2024, "示例市教育局", "targets")}
    published = {"2024/自评.html": (2024, "示例市教育局（本级）", "self_evaluation")}
    assert find_conflicts(candidates, published) == {}


def test_the_same_department_in_two_years_does_not_conflict():
    claims = {"2023/a.xlsx": (2023, "示例市教育局（本级）", "targets"), "2024/a.xlsx": (2024, "示例市教育局", "targets")}
    assert find_conflicts(claims, {}) == {}
