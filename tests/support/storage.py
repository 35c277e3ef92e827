"""A warehouse file as a version of the project that did not choose the storage format wrote it."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb


def rewrite_in_newest_format(database: Path) -> None:
    """The same catalog and rows, in the newest storage format of the installed DuckDB."""
    newest = database.with_name(database.name + ".newest")
    with duckdb.connect() as con:
        con.execute("attach $path as source (read_only)", {"path": str(database)})
        con.execute("attach $path as newest (storage_version 'latest')", {"path": str(newest)})
        con.execute("copy from database source to newest")
    os.replace(newest, database)
