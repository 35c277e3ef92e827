"""The storage format of warehouse files: one that the DuckDB inside BI tools and drivers reads.

DuckDB writes a new database file in its own newest format, which older DuckDB releases refuse
("Trying to read a database file with version number ..."), and the DuckDB that Superset, DBeaver,
Metabase or a user's Python bring along is often a 1.x. A file keeps the format it was created in
whoever writes to it later, so the format is chosen where a warehouse file comes into being: the
first build, and the one-time rewrite of a published file found in another format.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

# The oldest DuckDB release that must open the published file (docs/queries.md lists the clients).
STORAGE_VERSION = "v1.1.0"
# What DuckDB reports for a file in that format: 1.0 and 1.1 share it, and every later release reads it.
STORAGE_TAG = "v1.0.0+"

_ATTACH_NEW = f"attach $path as warehouse (storage_version '{STORAGE_VERSION}')"


def storage_tag(path: Path) -> str:
    """The storage format of an existing database file, as DuckDB names it (e.g. 'v2.0.0+')."""
    with duckdb.connect() as con:
        con.execute("attach $path as warehouse (read_only)", {"path": str(path)})
        con.execute("use warehouse")
        return connected_tag(con)


def connected_tag(con: duckdb.DuckDBPyConnection) -> str:
    """The storage format of the connection's current database."""
    ((tag,),) = con.execute(
        "select tags['storage_version'] from duckdb_databases() where database_name = current_database()"
    ).fetchall()
    return tag


def is_compatible(path: Path) -> bool:
    return storage_tag(path) == STORAGE_TAG


def create(path: Path) -> None:
    """An empty database file in the compatible format."""
    with duckdb.connect() as con:
        con.execute(_ATTACH_NEW, {"path": str(path)})


def rewrite(source: Path, target: Path) -> None:
    """A copy of `source` in the compatible format: every schema, table, view and constraint, every row."""
    with duckdb.connect() as con:
        con.execute("attach $path as source (read_only)", {"path": str(source)})
        con.execute(_ATTACH_NEW, {"path": str(target)})
        con.execute("copy from database source to warehouse")
