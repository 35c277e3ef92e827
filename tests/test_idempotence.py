"""Loading the same raw/ again gives the same marts, with no duplicate rows and no project counted
twice; a rebuild from scratch gives the same marts row for row; a load with nothing to do
publishes nothing (docs/reliability.md, "Idempotence"). Every mart in the dbt manifest is compared
(reliability.MART_TABLES).

The second load must really run: it works on copies of the hostile session load's raw/ and
warehouse (the session's own stay untouched), in which the recorded parser fingerprint is another
code's, so the load parses every file again, stages its rows anew and dbt rebuilds the marts from them.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from pipelines.warehouse import fingerprints
from tests.support import reliability
from tests.support.cli import LoadRun, load_cli, query

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Reload:
    raw: Path
    first: Path  # the hostile session load's warehouse, as its first load left it
    warehouse: Path  # a copy of it, loaded a second time
    before: str  # the copy's sha256 before the second load
    run: LoadRun


@pytest.fixture(scope="module")
def reloaded(hostile_load, tmp_path_factory) -> Reload:
    assert hostile_load.succeeded
    root = tmp_path_factory.mktemp("reload")
    raw = root / "raw"
    shutil.copytree(hostile_load.raw_dir, raw, symlinks=True)  # its links still lead out of raw/
    warehouse = reliability.copy_warehouse(hostile_load.database, root / "warehouse")
    with duckdb.connect(str(warehouse)) as con:
        fingerprints.write(con, fingerprints.PARSER, "the parser of another version")
    before = reliability.sha256(warehouse)
    return Reload(raw, hostile_load.database, warehouse, before, load_cli(raw, warehouse))


def test_the_second_load_parses_every_file_again_and_rebuilds_the_marts(reloaded):
    run = reloaded.run
    assert run.summary and run.summary["success"], run.explain()
    assert run.summary["parsed_files"] == run.summary["files"] > 0
    assert run.summary["unchanged_files"] == 0
    assert reliability.sha256(reloaded.warehouse) != reloaded.before, "the second load published"
    built = reliability.dbt_model_runs(reloaded.warehouse)
    assert set(reliability.MART_TABLES) <= set(built), f"dbt rebuilt only {sorted(built)}"


@pytest.mark.parametrize("table", reliability.MART_TABLES)
def test_the_second_load_gives_the_same_mart_row_for_row(reloaded, table):
    second = reliability.mart_contents(reloaded.warehouse, without_load_times=True)[table]
    first = reliability.mart_contents(reloaded.first, without_load_times=True)[table]
    assert first, f"marts.{table} is empty: the comparison would prove nothing"
    assert second == first


@pytest.fixture(scope="module")
def rebuilt(reloaded, tmp_path_factory) -> Path:
    """The same raw/ loaded from scratch into an empty warehouse, by a separate CLI run."""
    warehouse = tmp_path_factory.mktemp("rebuild") / "warehouse" / "budget.duckdb"
    run = load_cli(reloaded.raw, warehouse)
    assert run.summary and run.summary["success"], run.explain()
    assert run.summary["parsed_files"] == run.summary["files"] > 0
    return warehouse


@pytest.mark.parametrize("table", reliability.MART_TABLES)
def test_a_rebuild_from_scratch_gives_the_same_mart_row_for_row(reloaded, rebuilt, table):
    second = reliability.mart_contents(reloaded.warehouse, without_load_times=True)[table]
    from_scratch = reliability.mart_contents(rebuilt, without_load_times=True)[table]
    assert second, f"marts.{table} is empty: the comparison would prove nothing"
    assert second == from_scratch


@pytest.mark.parametrize("table", reliability.MART_TABLES)
def test_no_mart_holds_a_duplicate_row_after_the_second_load(reloaded, table):
    rows = reliability.mart_contents(reloaded.warehouse)[table]
    assert rows, f"marts.{table} is empty"
    assert len(rows) == len(set(rows))


def test_no_project_is_counted_twice_after_the_second_load(reloaded):
    counted = "select count(*), sum(total_amount) from marts.budget_by_project"
    assert query(reloaded.warehouse, counted) == query(reloaded.first, counted)
    duplicates = query(
        reloaded.warehouse,
        "select fiscal_year, department_name, unit_name, project_name, count(*) from marts.budget_by_project "
        "group by all having count(*) > 1",
    )
    assert duplicates == []


def test_a_load_with_nothing_to_do_publishes_nothing_even_after_new_file_times(reloaded):
    published = reliability.sha256(reloaded.warehouse)
    for directory, _, names in os.walk(reloaded.raw):
        for name in names:
            os.utime(os.path.join(directory, name), follow_symlinks=False)  # new times, same bytes
    again = load_cli(reloaded.raw, reloaded.warehouse)
    assert again.summary and again.summary["success"], again.explain()
    assert again.summary["parsed_files"] == 0
    assert again.summary["unchanged_files"] == again.summary["files"] > 0
    assert reliability.sha256(reloaded.warehouse) == published
    assert reliability.build_debris(reloaded.warehouse) == []
