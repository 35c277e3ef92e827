"""Parquet copies of the marts, for BI tools that cannot open a DuckDB file.

Written by each load from its build copy, opened read-only, into a staged tree that the publish
swaps in with the DuckDB file (pipelines/warehouse/parquet_staging.py), as
`<warehouse dir>/parquet/<mart>/part-NN.parquet`: one file per bucket of departments, rewritten
only where the mart's rows changed (pipelines/warehouse/parquet_buckets.py). Each file is moved
in by a rename, so a reader sees a bucket's previous file or its new one, never half a file. After an incremental build, the marts it changed only for some
departments are checked only in those departments' buckets (pipelines/warehouse/mart_changes.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from pipelines.warehouse import parquet_buckets
from pipelines.warehouse.parquet_buckets import MartExport, quoted_identifier

if TYPE_CHECKING:
    from pipelines.warehouse.mart_changes import MartChanges

MARTS_SCHEMA = "marts"
# DuckDB's default (80 % of RAM) let a 9.3-million-row mart take 4.6 GB while it was written; held
# to this, with row order left free (BI tools do not read a Parquet file in any order), the
# export streams row groups to disk in the same time (docs/benchmarks.md).
EXPORT_SETTINGS = {"memory_limit": "1GB", "preserve_insertion_order": False}


def parquet_dir(published: Path) -> Path:
    return published.parent / "parquet"


def mart_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_schema = ? and table_type = 'BASE TABLE' order by table_name",
        [MARTS_SCHEMA],
    ).fetchall()
    return [name for (name,) in rows]


def export_marts(
    published: Path,
    *,
    database: Path | None = None,
    target: Path | None = None,
    changed: MartChanges | None = None,
) -> dict[str, MartExport]:
    """Bring each mart's Parquet folder to the marts of `database` (default: the published file);
    returns what was done per mart.

    `database`: a sealed build about to be published (parquet_staging.py), whose size and
    modification time the published file will have. `changed`: what the build changed since the
    published file it was copied from, when known (mart_changes.from_build)."""
    database = database or published
    target = target or parquet_dir(published)
    target.mkdir(parents=True, exist_ok=True)
    source = published_identity(database)  # the load lock keeps the file as it is until the export ends
    exports: dict[str, MartExport] = {}
    with duckdb.connect(str(database), read_only=True, config=EXPORT_SETTINGS) as con:
        for table in mart_tables(con):
            relation = con.sql(f"select * from {quoted_identifier(MARTS_SCHEMA)}.{quoted_identifier(table)}")
            narrowed = changed.of(table) if changed is not None else None
            exports[table] = parquet_buckets.export_mart(con, relation, target / table, source=source, changed=narrowed)
    parquet_buckets.remove_dropped(target, keep=set(exports))
    return exports


def is_current(published: Path) -> bool:
    """Whether every mart's Parquet folder was exported from the published file as it is now."""
    if not published.exists():
        return True
    target, source = parquet_dir(published), published_identity(published)
    with duckdb.connect(str(published), read_only=True) as con:
        tables = mart_tables(con)
    return all(
        parquet_buckets.is_current(target / table, source=source) and not (target / f"{table}.parquet").exists()
        for table in tables
    )


def published_identity(published: Path) -> dict[str, int]:
    """Which published file an export read: a publish renames a new file into place, with its own
    size and modification time (a copy made with its times, as a backup restore, keeps both)."""
    status = published.stat()
    return {"size": status.st_size, "mtime_ns": status.st_mtime_ns}
