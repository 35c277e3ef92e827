"""Parquet copies of the marts, for BI tools that cannot open a DuckDB file.

Written after each publish from the published file, opened read-only, to
`<warehouse dir>/parquet/<mart>.parquet`. Each file is written under a temporary name and renamed
into place, so a reader sees the previous copy or the new one, never half a file.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

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


def export_marts(published: Path, *, target: Path | None = None) -> dict[str, int]:
    """Write one Parquet file per mart of the published warehouse; returns rows written per mart."""
    target = target or parquet_dir(published)
    target.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    with duckdb.connect(str(published), read_only=True, config=EXPORT_SETTINGS) as con:
        for table in mart_tables(con):
            relation = con.sql(f"select * from {_identifier(MARTS_SCHEMA)}.{_identifier(table)}")
            final = target / f"{table}.parquet"
            partial = target / f".{table}.{os.getpid()}.parquet.partial"
            try:
                # The path is a Python argument, never pasted into SQL.
                relation.write_parquet(str(partial))
                os.replace(partial, final)
            finally:
                partial.unlink(missing_ok=True)
            ((rows,),) = con.execute("select count(*) from read_parquet(?)", [str(final)]).fetchall()
            written[table] = rows
    _remove_dropped(target, keep=set(written))
    return written


def is_current(published: Path) -> bool:
    """Whether every mart of the published warehouse has a Parquet copy at least as new as the file."""
    if not published.exists():
        return True
    target, published_at = parquet_dir(published), published.stat().st_mtime
    with duckdb.connect(str(published), read_only=True) as con:
        copies = [target / f"{table}.parquet" for table in mart_tables(con)]
    return all(copy.exists() and copy.stat().st_mtime >= published_at for copy in copies)


def _remove_dropped(target: Path, *, keep: set[str]) -> None:
    """A mart dropped from the dbt project must not linger as a Parquet file that looks current,
    nor a half-written copy of a load killed while exporting (exports run under the load lock)."""
    for path in target.glob("*.parquet"):
        if path.stem not in keep:
            path.unlink(missing_ok=True)
    for path in target.glob(".*.parquet.partial"):
        path.unlink(missing_ok=True)


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
