"""Where a load puts the rows of each batch until it knows which files may replace their old rows.

Conflicts can only be judged once every file's identity is known, after the last batch, and a
quarantined or conflicting file must keep its earlier rows. So each batch's rows of good files go
first to a scratch database beside the warehouse (`<warehouse>.incoming`, attached as
`incoming`), on disk rather than in memory; the load's one transaction then moves the rows of the
files that won into the landing tables. The scratch file is removed afterwards; a load killed
before that leaves it in `.build/`, where the next load's debris removal finds it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import duckdb

from pipelines.load.frames import StagingFrames
from pipelines.warehouse import landing

CATALOG = "incoming"
SUFFIX = ".incoming"


class IncomingRows:
    """The scratch copies of the landing tables, filled batch by batch."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    def append(self, frames: StagingFrames, *, exclude: set[str], loaded_at: datetime) -> None:
        """The rows of this batch's files, except those of the files in `exclude` (quarantined)."""
        for table in landing.LANDING_TABLES:
            frame = getattr(frames, table)
            if exclude:
                frame = frame[~frame["source_path"].isin(exclude)]
            landing.insert_frame(self._con, table, frame, loaded_at=loaded_at, catalog=CATALOG)

    def remove(self, paths: Sequence[str]) -> None:
        """Take these files' rows out again (a batch whose append failed half-way)."""
        if not paths:
            return
        for table in landing.LANDING_TABLES:  # constant names
            self._con.execute(
                f"delete from {CATALOG}.landing.{table} where source_path in (select unnest($paths::varchar[]))",
                {"paths": list(paths)},
            )

    def move_to_landing(self, paths: Sequence[str]) -> None:
        """Insert the rows of these files into the landing tables (inside the caller's transaction)."""
        if not paths:
            return
        self._con.execute(
            "create or replace temp table _winners as select unnest($paths::varchar[]) as source_path",
            {"paths": list(paths)},
        )
        for table in landing.LANDING_TABLES:  # constant names
            self._con.execute(
                f"insert into landing.{table} by name select * from {CATALOG}.landing.{table} "
                "where source_path in (select source_path from _winners)"
            )
        self._con.execute("drop table _winners")


@contextmanager
def incoming_rows(con: duckdb.DuckDBPyConnection) -> Iterator[IncomingRows]:
    """Empty scratch tables shaped like the landing tables, removed again on the way out."""
    path = scratch_path(con)
    _remove(path)
    con.execute("attach $path as incoming", {"path": str(path) if path else ":memory:"})
    try:
        con.execute(f"create schema {CATALOG}.landing")
        for table in landing.LANDING_TABLES:  # constant names
            con.execute(f"create table {CATALOG}.landing.{table} as select * from landing.{table} limit 0")
        yield IncomingRows(con)
    finally:
        con.execute(f"detach {CATALOG}")
        _remove(path)


def scratch_path(con: duckdb.DuckDBPyConnection) -> Path | None:
    """`<database file>.incoming`, or None for an in-memory database."""
    ((path,),) = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchall()
    return Path(path + SUFFIX) if path else None


def _remove(path: Path | None) -> None:
    if path is not None:
        path.unlink(missing_ok=True)
        path.with_name(path.name + ".wal").unlink(missing_ok=True)
