"""A load killed at any point (SIGKILL) leaves the published warehouse exactly as it was, and the next
load completes and leaves no debris (docs/reliability.md, "Crash safety").

The end-to-end test kills real `budget-warehouse load` processes at moments observed from outside:
while the run stages raw/ into its build copy, while dbt builds the marts, and once dbt has exited
(checkpoint, publish and Parquet export race the kill there). The unit tests pin down the pieces:
the load lock, debris removal and the publish step.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from decimal import Decimal

import duckdb
import pytest

from pipelines.defs.resources import BudgetWarehouse
from pipelines.warehouse import publish, storage_format
from tests.support import reader, reliability
from tests.support.paths import REPO_ROOT
from tests.support.reliability import DbtFinished, build_copy_exists, dbt_running

GENERATED_DEPARTMENTS = 3


@pytest.mark.slow
def test_a_killed_load_leaves_the_published_file_byte_identical_and_the_next_load_cleans_up(
    seed_warehouse, tmp_path, record_property
):
    warehouse = reliability.copy_warehouse(seed_warehouse.database, tmp_path / "warehouse")
    raw = reliability.raw_with_generated(
        seed_warehouse.raw_dir, tmp_path / "raw", departments=GENERATED_DEPARTMENTS, seed=11
    )
    before = reliability.sha256(warehouse)

    for moment in (build_copy_exists, dbt_running):
        reliability.kill_at(reliability.start_load(raw, warehouse), warehouse, moment)
        assert reliability.sha256(warehouse) == before, f"killed at {moment.__name__}"
        assert reader.read_once(warehouse) == (1, [])
    assert reliability.build_debris(warehouse), "a killed load leaves its build copy for the next load"

    # After dbt the kill races the rename: the file is the old one or the complete new one. Which
    # one won is recorded (junit XML: race_outcome; -rA shows it), and each has its own invariants.
    reliability.kill_at(reliability.start_load(raw, warehouse), warehouse, DbtFinished())
    departments, problems = reader.read_once(warehouse)
    outcome = "old file kept" if reliability.sha256(warehouse) == before else "new file published"
    record_property("race_outcome", outcome)
    print(f"race after dbt: {outcome}")
    assert problems == []
    if outcome == "old file kept":
        assert departments == 1, "the file readers had, byte for byte"
    else:
        assert departments == 1 + GENERATED_DEPARTMENTS, "a new file is a complete one"

    finished = reliability.finish_load(reliability.start_load(raw, warehouse))
    assert finished.exit_code == 0, finished.explain()
    assert reader.read_once(warehouse) == (1 + GENERATED_DEPARTMENTS, [])
    assert reliability.build_debris(warehouse) == []
    assert not warehouse.with_name(warehouse.name + ".wal").exists()


def test_a_second_load_is_refused_while_one_holds_the_lock(tmp_path):
    published = tmp_path / "budget.duckdb"
    with publish.load_lock(published), pytest.raises(publish.LoadInProgressError, match="another load is running"):
        publish.LoadLock(published)
    publish.LoadLock(published).release()


def test_the_lock_of_a_killed_load_is_released_by_the_kernel(tmp_path):
    published = tmp_path / "budget.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(published)],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(publish.LoadInProgressError):
            publish.LoadLock(published)
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    publish.LoadLock(published).release()


_HOLD_LOCK = """
import sys, time
from pathlib import Path
from pipelines.warehouse.publish import LoadLock
lock = LoadLock(Path(sys.argv[1]))
print("locked", flush=True)
time.sleep(600)
"""


def test_a_new_build_removes_dead_runs_debris_but_not_a_neighbour_warehouses_builds(tmp_path):
    published = tmp_path / "budget.duckdb"
    _write_warehouse(published, total="1.00")
    build = publish.build_dir(published)
    build.mkdir()
    dead = ["budget.dead-run.duckdb", "budget.dead-run.duckdb.wal", "budget.other.duckdb.partial",
            "budget.old.duckdb.unchanged"]
    neighbour = ["budget.test.live-run.duckdb", "budget_2023.run.duckdb", "notes.txt"]
    for name in dead + neighbour:
        (build / name).write_bytes(b"x")

    target = publish.prepare_build(published, "new-run")

    assert sorted(p.name for p in build.iterdir()) == sorted([*neighbour, "budget.new-run.duckdb"])
    assert target.read_bytes() == published.read_bytes()


def test_publish_swaps_in_the_build_and_leaves_nothing_behind(tmp_path):
    published = tmp_path / "budget.duckdb"
    _write_warehouse(published, total="1.00")
    build = publish.prepare_build(published, "run-1")
    with duckdb.connect(str(build)) as con:
        con.execute("update marts.t set total = 2.00")
    # A log left by some writer that died on the published file must not be replayed into the new one.
    stale_wal = published.with_name(published.name + ".wal")
    stale_wal.write_bytes(b"stale")

    with duckdb.connect(str(published), read_only=True) as reader_before:
        publish.publish(published, "run-1")
        assert reader_before.execute("select total from marts.t").fetchone() == (Decimal("1.00"),)

    with duckdb.connect(str(published), read_only=True) as reader_after:
        assert reader_after.execute("select total from marts.t").fetchone() == (Decimal("2.00"),)
    assert list(publish.build_dir(published).iterdir()) == []
    assert not stale_wal.exists()


def test_a_failed_run_leaves_no_build_and_releases_the_lock(tmp_path):
    published = tmp_path / "budget.duckdb"
    _write_warehouse(published, total="1.00")
    warehouse = BudgetWarehouse(database=str(published), raw_dir=str(tmp_path))
    with warehouse.build_connection("failing-run") as con:
        con.execute("update marts.t set total = 3.00")
    with pytest.raises(publish.LoadInProgressError):
        publish.LoadLock(published)  # the run keeps the lock between its steps

    warehouse.teardown_after_execution(None)  # Dagster calls this at the end of every run

    assert list(publish.build_dir(published).iterdir()) == []
    publish.LoadLock(published).release()
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select total from marts.t").fetchone() == (Decimal("1.00"),)


def test_a_resource_that_never_wrote_touches_nothing_at_teardown(tmp_path):
    """A sensor evaluation tears its resource down too; it must not remove a running load's build."""
    published = tmp_path / "budget.duckdb"
    _write_warehouse(published, total="1.00")
    running = publish.prepare_build(published, "running-load")
    BudgetWarehouse(database=str(published), raw_dir=str(tmp_path)).teardown_after_execution(None)
    assert running.exists()


def _write_warehouse(path, *, total: str) -> None:
    storage_format.create(path)  # as a load creates it: a rewrite would not keep the file's bytes
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.t (total decimal(18, 2))")
        con.execute("insert into marts.t values (?)", [Decimal(total)])
