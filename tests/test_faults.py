"""Loads made to fail for real: a dbt test of error severity, the load lock held, a full disk,
and a conflict (docs/reliability.md, "Failures").

Each starts from a copy of the session's published seed warehouse and runs `budget-warehouse load`
in a subprocess. A failure must exit 1, say why, leave the published file byte for byte as it was
and leave nothing in `.build/`; a conflict alone is not a failure (exit 3).
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import dagster as dg
import pytest

from pipelines.warehouse import publish
from tests.support import reliability
from tests.support.cli import LoadRun, _summary, load_cli, query
from tests.support.loads import LoadedWarehouse
from tests.support.project_copy import copy_project, environment
from tests.support.tables import render, seed_spec, write_csv, write_text

pytestmark = pytest.mark.slow

SEED = seed_spec()
ADDED = dataclasses.replace(SEED, department="广州市越秀区示例局")
# A dbt test that fails on every row of a mart: stands in for a real data test catching bad data.
INJECTED_TEST = """
-- Injected by tests/test_faults.py: fails on every project, as a broken invariant would.
{{ config(severity='error') }}
select project_id from {{ ref('budget_by_project') }}
"""


def _published_seed(seed: LoadedWarehouse, root: Path) -> tuple[Path, Path]:
    """raw/ with the seed and one more department (so the load has work), and a copy of the seed's warehouse."""
    raw = root / "raw"
    shutil.copytree(seed.raw_dir, raw)
    write_text(raw / "2024" / "added.txt", render(ADDED))
    return raw, reliability.copy_warehouse(seed.database, root / "warehouse")


def _assert_failed_and_nothing_published(run: LoadRun, warehouse: Path, before: str) -> None:
    assert run.exit_code == 1, run.explain()
    assert run.summary is not None and run.summary["success"] is False, run.explain()
    assert reliability.sha256(warehouse) == before
    assert reliability.build_debris(warehouse) == []


def test_a_failing_dbt_test_fails_the_load_and_leaves_the_published_file(seed_warehouse, tmp_path):
    project = copy_project(tmp_path / "project")
    (project / "dbt_project" / "tests" / "fault_injected_failure.sql").write_text(INJECTED_TEST, encoding="utf-8")
    raw, warehouse = _published_seed(seed_warehouse, tmp_path)
    before = reliability.sha256(warehouse)

    # No DAGSTER_HOME: the copy's own .dagster_home, the instance `make dev` would show.
    completed = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "load", "--raw-dir", str(raw), "--warehouse", str(warehouse), "--json"],
        cwd=project, env=environment(project), capture_output=True, text=True, timeout=600, check=False,
    )
    run = LoadRun(completed.returncode, _summary(completed.stdout), completed.stdout, completed.stderr)

    _assert_failed_and_nothing_published(run, warehouse, before)
    said = "\n".join([run.summary["error"] or "", *run.summary["log_tail"], *run.summary["failed_checks"]])
    assert "fault_injected_failure" in said, run.explain()
    assert run.summary["dagster_home"] == str(project / ".dagster_home")
    with dg.DagsterInstance.from_config(str(project / ".dagster_home")) as instance:
        [recorded] = instance.get_runs(dg.RunsFilter(job_name="load_warehouse"))
        assert recorded.status == dg.DagsterRunStatus.FAILURE


def test_a_load_while_another_holds_the_lock_exits_1_at_once(seed_warehouse, tmp_path):
    raw, warehouse = _published_seed(seed_warehouse, tmp_path)
    before = reliability.sha256(warehouse)
    with publish.load_lock(warehouse):
        run = load_cli(raw, warehouse)
    _assert_failed_and_nothing_published(run, warehouse, before)
    assert f"another load is running on {warehouse}" in run.summary["error"], run.explain()


@pytest.fixture
def small_disk(tmp_path):
    """A tmpfs just big enough for the published seed warehouse, not for its build copy."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    yield mount_point  # mounted by the test, once the warehouse's size is known
    if mount_point.is_mount():
        subprocess.run(["umount", str(mount_point)], check=True)


def _mount_tmpfs(mount_point: Path, size_bytes: int) -> None:
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_bytes}", "tmpfs", str(mount_point)],
        capture_output=True, text=True, check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill (needs root and CAP_SYS_ADMIN): {mounted.stderr.strip()}")


def test_a_full_disk_during_the_build_copy_fails_cleanly_and_publishes_nothing(seed_warehouse, tmp_path, small_disk):
    raw, _ = _published_seed(seed_warehouse, tmp_path)
    size = seed_warehouse.database.stat().st_size
    _mount_tmpfs(small_disk, size + 256 * 1024)  # the file and its lock fit; a second copy does not
    warehouse = reliability.copy_warehouse(seed_warehouse.database, small_disk / "warehouse")
    before = reliability.sha256(warehouse)

    run = load_cli(raw, warehouse, dagster_home=tmp_path / "dagster_home")

    _assert_failed_and_nothing_published(run, warehouse, before)
    assert "no space left on the device" in run.summary["error"], run.explain()
    assert "The published warehouse is unchanged" in run.summary["error"]


def test_a_conflict_alone_loads_and_exits_3(seed_warehouse, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(seed_warehouse.raw_dir, raw)
    write_csv(raw / "2024" / "second_claim.csv", render(SEED.with_project("2024年信息化运维项目", fiscal=Decimal("999.99"))))
    warehouse = reliability.copy_warehouse(seed_warehouse.database, tmp_path / "warehouse")

    run = load_cli(raw, warehouse)

    assert run.exit_code == 3, run.explain()
    assert run.summary["success"], run.explain()
    assert (run.summary["conflicting_files"], run.summary["quarantined_files"]) == (2, 0)
    # The version published earlier stays.
    assert query(warehouse, "select sum(total_amount) from marts.department_comparison") == [
        (seed_warehouse.query("select sum(total_amount) from marts.department_comparison")[0][0],)
    ]
