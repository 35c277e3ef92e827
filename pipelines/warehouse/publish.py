"""Build a new warehouse file beside the published one, then swap it in atomically.

Readers (BI tools) open the published file read-only. A load never writes to it: it copies it
into `.build/`, changes the copy, checkpoints and closes it, and renames it over the published
file. A reader sees either the old file or the new one, never a mix, and a load killed at any
point leaves the published file untouched; its half-built copy is removed by the next load.
A first build is created, and a published file in a newer storage format rewritten, in the format
older DuckDB clients read (pipelines/warehouse/storage_format.py).
See docs/reliability.md for the guarantees and the tests that prove them.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import duckdb

from pipelines.interruption import note_published, uninterrupted
from pipelines.warehouse import parquet_export, storage_format
from pipelines.warehouse.parquet_staging import StagedParquet, fsync_path

# What a run leaves in .build/ beside its database: DuckDB's log, a copy cut short, a marker,
# the load's scratch rows (pipelines/load/incoming.py; its log's ".wal" is stripped first).
# A folder: the run's staged Parquet copies (pipelines/warehouse/parquet_staging.py).
_BUILD_SIDECARS = (".wal", ".partial", ".unchanged", ".incoming", ".parquet")


class LoadInProgressError(RuntimeError):
    """Another load holds the warehouse's load lock."""


class ParquetSwapError(OSError):
    """The DuckDB file was published, but its Parquet copies could not all be moved in."""


class BuildSpaceError(OSError):
    """The disk holding the warehouse has no room for the run's build copy."""


class LoadLock:
    """An exclusive flock on `.<name>.lock`; the kernel drops it when the process dies."""

    def __init__(self, published: Path) -> None:
        published.parent.mkdir(parents=True, exist_ok=True)
        self.path = published.parent / f".{published.name}.lock"
        handle: IO[str] = open(self.path, "a+")  # noqa: SIM115 - held until release()
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            handle.close()
            raise LoadInProgressError(
                f"another load is running on {published} (it holds {self.path}); this load stopped "
                "without changing anything: run it again once that one has finished"
            ) from error
        self._handle: IO[str] | None = handle

    @property
    def held(self) -> bool:
        return self._handle is not None

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


def build_dir(published: Path) -> Path:
    return published.parent / ".build"


def build_path(published: Path, run_id: str) -> Path:
    return build_dir(published) / f"{published.stem}.{run_id}{published.suffix}"


def dbt_database_path(published: Path) -> Path:
    """The one path dbt is given for every run's build: a link to the run's copy.

    A path that does not change from run to run lets dbt reuse its parse of the project
    (partial parsing keys on the rendered profile); each run points the link at its own build.
    """
    return build_dir(published) / f"{published.stem}.dbt{published.suffix}"


def link_dbt_database(published: Path, run_id: str) -> Path:
    link = dbt_database_path(published)
    link.parent.mkdir(parents=True, exist_ok=True)
    link.unlink(missing_ok=True)
    link.symlink_to(build_path(published, run_id).name)
    return link


def unchanged_marker(published: Path, run_id: str) -> Path:
    """Tells the run's later steps that raw/ matched the warehouse: nothing to rebuild."""
    database = build_path(published, run_id)
    return database.with_name(database.name + ".unchanged")


@contextmanager
def load_lock(published: Path) -> Iterator[LoadLock]:
    """One load at a time per warehouse; readers never take this lock."""
    lock = LoadLock(published)
    try:
        yield lock
    finally:
        lock.release()


def prepare_build(published: Path, run_id: str) -> Path:
    """The run's working copy of the warehouse, created from the published file once per run.

    Call it under the load lock for the whole run: it removes the builds of every other run.
    """
    target = build_path(published, run_id)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_debris(published, keep_run_id=run_id)
    partial = target.with_name(target.name + ".partial")
    try:
        _write_build(published, partial)
    except OSError as error:
        partial.unlink(missing_ok=True)
        if error.errno != errno.ENOSPC:
            raise
        free = shutil.disk_usage(target.parent).free
        raise BuildSpaceError(
            errno.ENOSPC,
            f"no space left on the device of {target.parent} for the build copy of {published} "
            f"({published.stat().st_size if published.exists() else 0:,} bytes; {free:,} free): free some space and load again. "
            "The published warehouse is unchanged",
        ) from error
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)
    return target


def _write_build(published: Path, partial: Path) -> None:
    """The published file's bytes; an empty file for a first load; a rewrite of a published file
    in a storage format that older DuckDB clients cannot read (pipelines/warehouse/storage_format.py)."""
    if not published.exists():
        storage_format.create(partial)
    elif storage_format.is_compatible(published):
        shutil.copyfile(published, partial)
    else:
        storage_format.rewrite(published, partial)


def seal(published: Path, run_id: str) -> Path:
    """The run's build, checkpointed and on disk as it will be published (its size and modification
    time are then the published file's: the Parquet copies written from it name them)."""
    source = build_path(published, run_id)
    with duckdb.connect(str(source)) as con:
        con.execute("checkpoint")
    fsync_path(source)
    return source


def publish(published: Path, run_id: str, *, parquet: StagedParquet | None = None) -> None:
    """Make the run's build the published warehouse, atomically and durably, and then move in
    its staged Parquet copies, `parquet` (written from the sealed build), by renames alone.

    A stop signal waits for both (pipelines/interruption.py). Should the Parquet swap fail, the
    error says that the DuckDB file was published and that the next load rewrites the copies.
    """
    if parquet is None:
        source = seal(published, run_id)
    else:
        source = build_path(published, run_id)
        if parquet_export.published_identity(source) != parquet.source:
            raise RuntimeError(f"{source} changed after its Parquet copies were written; nothing was published")
    with uninterrupted():
        # A log beside the published file can only be left by a writer that died on it; DuckDB
        # would replay it into the new file on the next open, so it goes before the swap.
        published.with_name(published.name + ".wal").unlink(missing_ok=True)
        os.replace(source, published)
        fsync_path(published.parent)
        if parquet is not None:
            swap_parquet(published, parquet)
        note_published()
    discard_build(published, run_id)


def swap_parquet(published: Path, parquet: StagedParquet) -> None:
    """Move in the staged Parquet copies of what `published` now holds."""
    try:
        parquet.swap_in()
    except OSError as error:
        raise ParquetSwapError(
            error.errno,
            f"{published} was published, but its Parquet copies in {parquet.live} could not all be "
            f"replaced ({error.strerror or error}): some still hold the previous load. The next load "
            "rewrites them, even when nothing under raw/ changed",
        ) from error


def discard_build(published: Path, run_id: str) -> None:
    """Everything this run left in .build/ (nothing, after a publish)."""
    for database in (build_path(published, run_id), dbt_database_path(published)):
        database.unlink(missing_ok=True)
        for suffix in _BUILD_SIDECARS:
            _remove(database.with_name(database.name + suffix))


def staged_parquet_path(published: Path, run_id: str) -> Path:
    """Where the run stages its Parquet copies: a folder beside its build copy."""
    build = build_path(published, run_id)
    return build.with_name(build.name + ".parquet")


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def remove_debris(published: Path, *, keep_run_id: str | None = None) -> list[Path]:
    """Builds of earlier runs that died before publishing; only safe under the load lock."""
    removed = []
    for path in build_dir(published).glob(f"{published.stem}.*"):
        run_id = _run_id_of(path, published)
        if run_id is not None and run_id != keep_run_id:
            _remove(path)
            removed.append(path)
    return removed


def _run_id_of(path: Path, published: Path) -> str | None:
    """The run of `<stem>.<run_id><suffix>[<sidecar>]`, else None.

    Matching the whole shape keeps a neighbour warehouse's builds (`budget.test.duckdb` beside
    `budget.duckdb`) out of reach.
    """
    rest = path.name.removeprefix(f"{published.stem}.")
    for sidecar in _BUILD_SIDECARS:
        rest = rest.removesuffix(sidecar)
    if published.suffix:
        if not rest.endswith(published.suffix):
            return None
        rest = rest.removesuffix(published.suffix)
    return rest if rest and "." not in rest else None

