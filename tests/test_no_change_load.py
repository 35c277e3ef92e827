"""A load with nothing to do finishes before Dagster builds its definitions (pipelines/defs/no_change.py).

It must say exactly what a full run would, leave a trace in the Dagster UI, and hand every kind
of change, and every doubt, to the full run.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.defs.no_change import find_no_change
from pipelines.warehouse import fingerprints, parquet_export
from tests.support.cli import LoadRun, load_cli
from tests.support.loads import seed_raw_dir
from tests.support.storage import rewrite_in_newest_format

# What differs between a full run and the shortcut by design: time, and whether files were parsed.
_RUN_ONLY = {"seconds", "elapsed_seconds", "parsed_files", "unchanged_files", "dagster_home"}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> tuple[Path, Path, Path, LoadRun]:
    root = tmp_path_factory.mktemp("no-change")
    raw, database, home = seed_raw_dir(root), root / "warehouse" / "budget.duckdb", root / "dagster_home"
    first = load_cli(raw, database, dagster_home=home)
    assert first.exit_code == 0, first.explain()
    return raw, database, home, first


def test_a_rerun_with_nothing_changed_starts_no_run_and_reports_what_a_run_would(loaded):
    raw, database, home, first = loaded
    again = load_cli(raw, database, dagster_home=home)
    assert again.exit_code == 0, again.explain()
    assert set(again.summary["seconds"]) == {"no-change check"}, "no run: only the check was timed"
    assert (again.summary["files"], again.summary["unchanged_files"], again.summary["parsed_files"]) == (1, 1, 0)
    assert (again.summary["projects"], again.summary["indicators"], again.summary["total_amount"]) == (10, 37, "2177.86")
    assert _without(again.summary, _RUN_ONLY) == _without(first.summary, _RUN_ONLY)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert len(instance.get_runs(dg.RunsFilter(job_name="load_warehouse"))) == 1, "only the first load ran"
        observations = instance.fetch_observations(dg.AssetKey(["landing", "department_tables"]), limit=5).records
    [observation] = observations
    metadata = observation.asset_observation.metadata
    assert (metadata["files_discovered"].value, metadata["files_unchanged"].value) == (1, 1)


def test_an_entry_that_still_cannot_be_read_is_reported_as_a_run_would(tmp_path):
    raw, database = seed_raw_dir(tmp_path), tmp_path / "warehouse" / "budget.duckdb"
    os.mkfifo(raw / "2024" / "pipe.txt")  # never opened: reading it could block the load
    first = load_cli(raw, database)
    again = load_cli(raw, database)
    assert set(again.summary["seconds"]) == {"no-change check"}, again.explain()
    assert (again.exit_code, first.exit_code) == (3, 3), "loaded, but an entry under raw/ was not read"
    assert again.summary["failed_checks"] == first.summary["failed_checks"] == ["landing/load_issues: no_quarantined_files"]
    assert _without(again.summary, _RUN_ONLY) == _without(first.summary, _RUN_ONLY)


def test_the_check_finds_nothing_to_do_on_the_loaded_warehouse(loaded, tmp_path):
    raw, database = _copies(loaded, tmp_path)
    found = find_no_change(raw, database)
    assert found is not None
    assert (found.outcome.discovered, found.outcome.unchanged, found.outcome.parsed) == (1, 1, 0)


@pytest.mark.parametrize(
    "change",
    [
        "a new file",
        "a changed file",
        "a removed file",
        "an entry that cannot be read",
        "a stale Parquet copy",
        "other parser code",
        "other dbt models",
        "changes waiting for the marts",
        "a file older DuckDB clients cannot open",
    ],
)
def test_the_no_change_check_finds_no_shortcut_past_any_kind_of_change(loaded, tmp_path, change):
    raw, database = _copies(loaded, tmp_path)
    [table] = sorted((raw / "2024").iterdir())
    if change == "a new file":
        shutil.copyfile(table, raw / "2024" / "another department.txt")
    elif change == "a changed file":
        table.write_bytes(table.read_bytes() + b"\n")
    elif change == "a removed file":
        table.unlink()
    elif change == "an entry that cannot be read":
        os.mkfifo(raw / "2024" / "pipe.txt")
    elif change == "a stale Parquet copy":
        next(parquet_export.parquet_dir(database).glob("*/part-*.parquet")).unlink()
    elif change == "a file older DuckDB clients cannot open":
        rewrite_in_newest_format(database)
        _mark_parquet_current(database)
    else:
        with duckdb.connect(str(database)) as con:
            if change == "other parser code":
                fingerprints.write(con, fingerprints.PARSER, "an older parser")
            elif change == "other dbt models":
                fingerprints.write(con, fingerprints.MODELS, "older models")
            else:
                con.execute("insert into landing.load_changes values ('2024/x.txt', 'loaded', 2024, 'x', now())")
        _mark_parquet_current(database)
    assert find_no_change(raw, database) is None


def test_doubt_goes_to_a_full_run(loaded, tmp_path):
    raw, database = _copies(loaded, tmp_path)
    assert find_no_change(raw, tmp_path / "elsewhere" / "budget.duckdb") is None, "no warehouse yet"
    with open(database.parent / f".{database.name}.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another load is running
        assert find_no_change(raw, database) is None
    assert find_no_change(raw, database) is not None, "the lock was the only reason"


def _copies(loaded, tmp_path: Path) -> tuple[Path, Path]:
    """raw/ and the warehouse folder, with their times, so that the Parquet copies stay current."""
    raw, database, _, _ = loaded
    shutil.copytree(raw, tmp_path / "raw")
    shutil.copytree(database.parent, tmp_path / "warehouse", ignore=shutil.ignore_patterns(".*"))
    return tmp_path / "raw", tmp_path / "warehouse" / database.name


def _mark_parquet_current(database: Path) -> None:
    """Writing to the warehouse made it another file than its Parquet copies were exported from;
    only the change under test counts (the marts did not change: the export writes no bucket)."""
    exports = parquet_export.export_marts(database)
    assert sum(export.written for export in exports.values()) == 0


def _without(summary: dict, keys: set[str]) -> dict:
    return {key: value for key, value in summary.items() if key not in keys}
