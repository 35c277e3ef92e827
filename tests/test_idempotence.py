"""Loading the same raw/ twice gives identical marts, with no duplicate rows, and the second load
parses nothing; a rebuild from scratch gives the same marts row for row (docs/reliability.md,
"Idempotence"). Every mart in the dbt manifest is compared (reliability.MART_TABLES).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support import reliability
from tests.support.cli import load_cli, query


@pytest.fixture(scope="module")
def reloaded(hostile_load, tmp_path_factory):
    """The hostile session load's raw/ loaded a second time, into a copy of its warehouse."""
    assert hostile_load.succeeded
    root = tmp_path_factory.mktemp("reload")
    warehouse = reliability.copy_warehouse(hostile_load.database, root / "warehouse")
    before = reliability.sha256(warehouse)
    for directory, _, names in os.walk(hostile_load.raw_dir):
        for name in names:
            os.utime(os.path.join(directory, name), follow_symlinks=False)  # new times, same bytes
    run = load_cli(hostile_load.raw_dir, warehouse)
    return hostile_load, warehouse, before, run


@pytest.mark.slow
def test_the_second_load_parses_nothing(reloaded):
    _, _, _, run = reloaded
    assert run.summary and run.summary["success"], run.explain()
    assert run.summary["parsed_files"] == 0
    assert run.summary["unchanged_files"] == run.summary["files"] > 0


@pytest.fixture(scope="module")
def rebuilt(hostile_load, tmp_path_factory) -> Path:
    """The same raw/ loaded from scratch into an empty warehouse, by a separate CLI run."""
    warehouse = tmp_path_factory.mktemp("rebuild") / "warehouse" / "budget.duckdb"
    run = load_cli(hostile_load.raw_dir, warehouse)
    assert run.summary and run.summary["success"], run.explain()
    assert run.summary["parsed_files"] == run.summary["files"] > 0
    return warehouse


@pytest.mark.slow
@pytest.mark.parametrize("table", reliability.MART_TABLES)
def test_a_rebuild_from_scratch_gives_the_same_mart_row_for_row(reloaded, rebuilt, table):
    _, warehouse, _, _ = reloaded
    reloaded_rows = reliability.mart_contents(warehouse, without_load_times=True)[table]
    rebuilt_rows = reliability.mart_contents(rebuilt, without_load_times=True)[table]
    assert reloaded_rows, f"marts.{table} is empty: the comparison would prove nothing"
    assert reloaded_rows == rebuilt_rows


@pytest.mark.slow
def test_a_load_with_nothing_to_do_publishes_nothing(reloaded):
    _, warehouse, before, _ = reloaded
    assert reliability.sha256(warehouse) == before
    assert reliability.build_debris(warehouse) == []


@pytest.mark.slow
@pytest.mark.parametrize("table", reliability.MART_TABLES)
def test_no_mart_holds_a_duplicate_row(reloaded, table):
    _, warehouse, _, _ = reloaded
    rows = reliability.mart_contents(warehouse)[table]
    assert len(rows) == len(set(rows))


@pytest.mark.slow
def test_no_project_is_counted_twice(reloaded):
    _, warehouse, _, _ = reloaded
    duplicates = query(
        warehouse,
        "select fiscal_year, department_name, unit_name, project_name, count(*) from marts.budget_by_project "
        "group by all having count(*) > 1",
    )
    assert duplicates == []
