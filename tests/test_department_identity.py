"""A department is one department whatever its spelling: （本级）, width, spaces, renames."""

from __future__ import annotations

import os
import subprocess

import duckdb
import pytest

from pipelines.defs.project import DBT_PROJECT_DIR, dbt_executable
from pipelines.ingest.departments import department_key, split_own_level
from pipelines.load.conflicts import find_conflicts
from pipelines.warehouse.settings import DBT_DATABASE_ENV

# Spellings the marts and the load must fold alike (the rename is the alias seed's).
SPELLINGS = (
    "示例市教育局（本级）",
    "示例市教育局 ",
    "示例市第１中学\u3000",
    "示例市\u200b教育局",
    "\ufeff示例市\u200d教育局(本级)",
    "示例市\u00ad教育\u202e局\u2060",
)


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("示例市教育局（本级）", ("示例市教育局", True)),
        ("示例市教育局(本级)", ("示例市教育局", True)),
        ("示例市教育局 （本级） ", ("示例市教育局", True)),
        ("示例市教育局", ("示例市教育局", False)),
        ("示例市第１中学\u3000", ("示例市第1中学", False)),
        ("本级示例局", ("本级示例局", False)),  # only a trailing （本级） says own level
        ("示例市教育局\u200b", ("示例市教育局", False)),  # zero-width space
        ("\ufeff示例市\u200d教育局（本级）", ("示例市教育局", True)),  # BOM, zero-width joiner
        ("示例市\u00ad教育\u202e局\u2060", ("示例市教育局", False)),  # soft hyphen, bidi override, word joiner
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


def test_a_name_with_a_zero_width_space_is_the_same_department():
    """It prints the same as the name without it: a second department would be invisible."""
    candidates = {"2024/a.txt": (2024, "示例市\u200b教育局", "targets"), "2024/b.txt": (2024, "示例市教育局", "targets")}
    assert find_conflicts(candidates, {}) == {"2024/a.txt": ["2024/b.txt"], "2024/b.txt": ["2024/a.txt"]}


def test_a_target_table_and_a_self_evaluation_do_not_conflict():
    candidates = {"2024/目标.xlsx": (2024, "示例市教育局", "targets")}
    published = {"2024/自评.html": (2024, "示例市教育局（本级）", "self_evaluation")}
    assert find_conflicts(candidates, published) == {}


def test_the_same_department_in_two_years_does_not_conflict():
    claims = {"2023/a.xlsx": (2023, "示例市教育局（本级）", "targets"), "2024/a.xlsx": (2024, "示例市教育局", "targets")}
    assert find_conflicts(claims, {}) == {}


@pytest.mark.slow
def test_the_sql_macro_folds_as_python_does(tmp_path):
    """dbt's department_key (dbt_project/macros/departments.sql), compiled by dbt and run on
    DuckDB, gives each spelling the key that pipelines/ingest/departments.py gives it."""
    compiled = subprocess.run(
        [dbt_executable(), "compile", "--quiet", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir",
         str(DBT_PROJECT_DIR), "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path),
         "--inline", "select {{ department_key('name') }} as department_key from names"],
        cwd=DBT_PROJECT_DIR, env={**os.environ, DBT_DATABASE_ENV: str(tmp_path / "compile.duckdb")},
        capture_output=True, text=True, check=True,
    ).stdout
    with duckdb.connect() as con:
        con.execute("create table names (name varchar)")
        con.executemany("insert into names values (?)", [[name] for name in SPELLINGS])
        folded = [row[0] for row in con.execute(compiled).fetchall()]
    assert folded == [split_own_level(name)[0] for name in SPELLINGS]
    assert set(folded) == {"示例市教育局", "示例市第1中学"}
