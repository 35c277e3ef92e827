"""Generated departments load clean: no quarantined file, no failed check, no load issue.

The benchmark (bench/run.py) times loads of these files; a generator drifting from what the
parser and the schemas accept would make it time quarantines instead of loads.
"""

from __future__ import annotations

import duckdb
import pytest

from bench.generate import generate
from tests.support.cli import load_cli

DEPARTMENTS = 30


@pytest.fixture(scope="module")
def bench_load(tmp_path_factory):
    root = tmp_path_factory.mktemp("bench-load")
    summary = generate(DEPARTMENTS, 7, root / "raw")
    run = load_cli(root / "raw", root / "warehouse" / "budget.duckdb")
    return summary, run, root / "warehouse" / "budget.duckdb"


def test_generated_departments_load_with_exit_0_and_no_failed_check(bench_load):
    _, run, _ = bench_load
    assert run.exit_code == 0, run.explain()
    assert run.summary is not None, run.explain()
    assert run.summary["failed_checks"] == []
    assert run.summary["quarantined_files"] == 0 and run.summary["conflicting_files"] == 0


def test_generated_departments_leave_no_load_issue_and_arrive_whole(bench_load):
    summary, _, database = bench_load
    with duckdb.connect(str(database), read_only=True) as con:
        issues = con.execute("select count(*) from landing.load_issues").fetchone()[0]
        departments, projects, total = con.execute(
            "select count(*), sum(project_count), sum(total_amount) from marts.department_comparison"
        ).fetchone()
        indicators = con.execute("select count(*) from landing.indicators").fetchone()[0]
    assert issues == 0
    assert (departments, projects, indicators) == (DEPARTMENTS, summary.projects, summary.indicators)
    assert total == summary.total_amount
