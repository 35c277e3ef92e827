"""A load with nothing to do, found on the published warehouse, read-only.

The landing step asks this before it copies the warehouse (a whole-file copy); the CLI asks it
before Dagster builds its definitions and dbt's manifest, which cost seconds whatever raw/ holds
(docs/benchmarks.md). Nothing to do means: every file, removal and unreadable entry under raw/
is as the warehouse recorded it, the parser and the dbt project are the code that built it, no
change waits for the marts, the file is in the storage format older DuckDB clients read and, for
the CLI, every mart's Parquet copy is current. Any doubt
goes to the full run, which decides as before.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.defs import dbt_scope
from pipelines.load.discover import RawFile, SkippedEntry, scan_raw_dir
from pipelines.load.stage import StageOutcome, unchanged_outcome
from pipelines.warehouse import parquet_export, publish, storage_format


def unchanged_on(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[RawFile],
    skipped: Sequence[SkippedEntry],
    tags: Mapping[str, str],
) -> StageOutcome | None:
    """What the landing step would report, or None when the landing tables or the marts would change."""
    if storage_format.connected_tag(con) != storage_format.STORAGE_TAG:
        return None  # a file older DuckDB clients cannot open: the full run rewrites it
    try:
        if not dbt_scope.marts_current(con, tags):
            return None
        return unchanged_outcome(con, files, skipped=skipped)
    except duckdb.CatalogException:
        return None  # a warehouse from before a table this check reads: the full run upgrades it


@dataclass(frozen=True, slots=True)
class NoChange:
    outcome: StageOutcome
    seconds: float


def find_no_change(raw_dir: Path, published: Path) -> NoChange | None:
    """For the CLI, before any run: None unless a full run would only confirm the warehouse.

    Checked under the load lock, so that no load publishes while it reads; a lock held by another
    load means a full run, which reports that load as usual.
    """
    clock = time.perf_counter()
    if not published.is_file():
        return None
    try:
        lock = publish.LoadLock(published)
    except (publish.LoadInProgressError, OSError):
        return None
    try:
        discovery = scan_raw_dir(raw_dir)
        with duckdb.connect(str(published), read_only=True) as con:
            outcome = unchanged_on(con, discovery.files, discovery.skipped, {})
        if outcome is None or not parquet_export.is_current(published):
            return None
        return NoChange(outcome=outcome, seconds=time.perf_counter() - clock)
    except (duckdb.Error, OSError):
        return None
    finally:
        lock.release()
