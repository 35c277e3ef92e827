"""A scoped dbt build tests the staging views' unique keys within the changed departments only,
and still catches a duplicate a load brings in (dbt_project/macros/incremental/scoped_tests.sql).

dbt runs for real on a copy of a loaded warehouse, with a duplicate planted in one department's
landing rows and the change set naming the departments a load would have changed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from bench.generate import generate
from tests.support import reliability
from tests.support.loads import run_load_job, seed_raw_dir
from tests.support.paths import REPO_ROOT
from tests.support.seed_expectations import SEED_DEPARTMENT

_UNIQUE_INDICATOR = "unique_stg_indicators_indicator_id"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("scoped-tests")
    raw = seed_raw_dir(root)
    generate(departments=1, seed=11, out=raw)
    database = root / "warehouse" / "budget.duckdb"
    assert run_load_job(raw, database, root / "dagster_home").success
    return database


def _with_duplicate(loaded: Path, target: Path, *, changed_department: str | None) -> Path:
    """A copy with one of the seed's indicators twice, and a change set naming `changed_department`."""
    copy = reliability.copy_warehouse(loaded, target)
    with duckdb.connect(str(copy)) as con:
        con.execute(
            "insert into landing.indicators select * from landing.indicators where department_name = $d limit 1",
            {"d": SEED_DEPARTMENT},
        )
        if changed_department is not None:
            con.execute(
                "insert into landing.load_changes select source_path, 'loaded', fiscal_year, department_name, now() "
                "from landing.department_tables where department_name = $d",
                {"d": changed_department},
            )
    return copy


def _failed_tests(copy: Path, target: Path, *, scope: str) -> set[str]:
    dbt, project = str(Path(sys.executable).with_name("dbt")), REPO_ROOT / "dbt_project"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUDGET_")}
    env.update(BUDGET_DBT_DATABASE=str(copy), BUDGET_DBT_TEST_SCOPE=scope)
    subprocess.run(
        [dbt, "test", "--select", "stg_indicators", "--project-dir", str(project), "--profiles-dir", str(project),
         "--target-path", str(target / "dbt-target"), "--log-path", str(target / "dbt-logs")],
        cwd=project, env=env, capture_output=True, text=True, timeout=600, check=False,
    )
    return {node.split(".")[2] for node, status in reliability.dbt_results(target / "dbt-target").items() if status == "fail"}


def _other_department(loaded: Path) -> str:
    with duckdb.connect(str(loaded), read_only=True) as con:
        [(name,)] = con.execute(
            "select department_name from landing.department_tables where department_name <> $d", {"d": SEED_DEPARTMENT}
        ).fetchall()
    return name


def test_a_duplicate_key_in_a_changed_department_fails_the_scoped_test(loaded, tmp_path):
    copy = _with_duplicate(loaded, tmp_path / "copy", changed_department=SEED_DEPARTMENT)
    assert _UNIQUE_INDICATOR in _failed_tests(copy, tmp_path, scope="changes")


def test_the_scoped_test_reads_only_the_changed_departments(loaded, tmp_path):
    # A duplicate no load could bring in unnoticed (its department did not change since a build
    # that tested it), planted to show which rows the test reads.
    copy = _with_duplicate(loaded, tmp_path / "copy", changed_department=_other_department(loaded))
    assert _UNIQUE_INDICATOR not in _failed_tests(copy, tmp_path / "scoped", scope="changes")
    assert _UNIQUE_INDICATOR in _failed_tests(copy, tmp_path / "every-row", scope="")
