"""A disk that fills at each write of a load leaves the DuckDB file and its Parquet copies consistent
(docs/operations.md, "What a failure does").

The warehouse lives on a small tmpfs. The disk is filled before the load (its build copy), or as
soon as the progress line of a stage appears (the load is stopped with SIGSTOP meanwhile): dbt's
build, the Parquet export, the publish. Every
time either nothing published changed (the file byte for byte, the Parquet folder file for file)
and the load exits 1 naming the full disk, or both changed and the Parquet copies hold exactly
the marts' rows. Once there is room again, the next load converges and leaves no debris.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from tests.support import reliability

pytestmark = pytest.mark.slow

GENERATED_DEPARTMENTS = 300
DISK_BYTES = 256 * 1024 * 1024
# None: the disk is full before the load starts, so its first write (the build copy) fails.
STAGES = {
    "build copy": None,
    "dbt": "dbt build: staging views, marts and their tests",
    "export": "writing the marts' Parquet copies",
    "publish": "publishing the warehouse and its Parquet copies",
}
_TIMEOUT_SECONDS = 600


@pytest.fixture
def disk(tmp_path):
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK_BYTES}", "tmpfs", str(mount_point)],
        capture_output=True, text=True, check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill (needs root and CAP_SYS_ADMIN): {mounted.stderr.strip()}")
    yield mount_point
    subprocess.run(["umount", str(mount_point)], check=True)


def test_a_full_disk_at_each_write_changes_nothing_or_both(seed_warehouse, tmp_path, disk):
    raw = reliability.raw_with_generated(
        seed_warehouse.raw_dir, tmp_path / "raw", departments=GENERATED_DEPARTMENTS, seed=4
    )
    outcomes = {}
    for stage, line in STAGES.items():
        shutil.rmtree(disk / "warehouse", ignore_errors=True)
        warehouse = reliability.copy_published(seed_warehouse.database, disk / "warehouse")
        before, parquet_before = reliability.sha256(warehouse), reliability.parquet_files(warehouse)
        filler = disk / "filler"
        if line is None:
            _fill(filler)
        process = reliability.start_load(raw, warehouse, progress=True, dagster_home=tmp_path / "dagster_home")
        stderr = _fill_at(process, line, filler)
        stdout = process.stdout.read()
        process.wait(timeout=_TIMEOUT_SECONDS)
        said = f"full at {stage}: exit {process.returncode}\n{stderr[-3000:]}\n{stdout[-2000:]}"
        filler.unlink(missing_ok=True)

        if process.returncode == 1:
            assert "No space left on device" in stderr or "no space left" in stderr, said
            assert reliability.sha256(warehouse) == before, said
            assert reliability.parquet_files(warehouse) == parquet_before, said
            outcomes[stage] = "nothing changed"
        else:
            assert process.returncode == 0, said
            assert reliability.sha256(warehouse) != before, said
            outcomes[stage] = "both changed"
        assert reliability.parquet_differences(warehouse) == {}, said

        if stage in ("export", "publish"):  # a failed export leaves its staged copies to remove
            finished = reliability.finish_load(
                reliability.start_load(raw, warehouse, dagster_home=tmp_path / "dagster_home")
            )
            assert finished.exit_code == 0, finished.explain()
            assert finished.summary["departments"] == 1 + GENERATED_DEPARTMENTS
            assert reliability.parquet_differences(warehouse) == {}
            assert reliability.build_debris(warehouse) == []
    # The writes before the publish fail; the publish itself only renames, and so succeeds.
    assert outcomes == {
        "build copy": "nothing changed", "dbt": "nothing changed", "export": "nothing changed", "publish": "both changed",
    }


def _fill_at(process: subprocess.Popen[str], line: str | None, filler: Path) -> str:
    """The load's stderr; once `line` appears, the load is stopped (SIGSTOP) while the disk fills."""
    seen = []
    for text in process.stderr:
        seen.append(text)
        if line is not None and line in text and not filler.exists():
            os.killpg(process.pid, signal.SIGSTOP)
            try:
                _fill(filler)
            finally:
                os.killpg(process.pid, signal.SIGCONT)
    return "".join(seen)


def _fill(filler: Path) -> None:
    """Every free byte of the file system taken, at once (reserved, not written)."""
    free = shutil.disk_usage(filler.parent).free
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        try:
            os.posix_fallocate(fd, 0, free)
        except OSError as error:
            assert error.errno == errno.ENOSPC
        while True:  # what the reservation left, a page at a time
            try:
                os.write(fd, b"\0" * 4096)
            except OSError as error:
                assert error.errno == errno.ENOSPC
                return
    finally:
        os.close(fd)

