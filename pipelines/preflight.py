"""Checking --raw-dir and --warehouse before a load starts, so a wrong path gets one clear line.

Each check returns None when the path will do, else the line to print: it names the path, what is
wrong with it, and what to do. The load would fail on these paths too, but deep in a Dagster step,
with a DuckDB or OS traceback that says neither which setting was wrong nor how to fix it.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from pipelines.display import printable

# Bytes 8-11 of every DuckDB database file (its main header).
_DUCKDB_MAGIC = b"DUCK"
_DUCKDB_MAGIC_OFFSET = 8


def check_raw_dir(path: Path, *, setting: str = "--raw-dir") -> str | None:
    shown = _shown(path)
    fix = "pass the folder that holds the <fiscal year>/ folders of tables"
    try:
        status = path.stat()
    except FileNotFoundError:
        return f"{setting} {shown} does not exist; create it, or {fix}"
    except OSError as error:
        return f"{setting} {shown} cannot be reached ({_reason(error)}); {fix}"
    if not stat.S_ISDIR(status.st_mode):
        return f"{setting} {shown} is a file, not a folder; {fix}"
    try:
        with os.scandir(path) as listing:
            next(listing, None)
    except OSError as error:
        return f"{setting} {shown} cannot be read ({_reason(error)}); give the loader read and execute permission on it"
    return None


def check_warehouse(path: Path, *, setting: str = "--warehouse") -> str | None:
    """The file is published by a rename in its folder: the folder must exist (or be creatable)
    and be writable, and an existing file must be a DuckDB database (it is never overwritten)."""
    shown = _shown(path)
    try:
        status = path.stat()
    except FileNotFoundError:
        status = None
    except OSError as error:
        return f"{setting} {shown} cannot be reached ({_reason(error)}); pass a path to a DuckDB file in a folder you can write"
    if status is not None:
        if stat.S_ISDIR(status.st_mode):
            return f"{setting} {shown} is a folder, not a file; pass a file path such as {_shown(path / 'budget.duckdb')}"
        if not stat.S_ISREG(status.st_mode):
            return f"{setting} {shown} is not a regular file; pass a path to a DuckDB file"
        problem = _not_duckdb(path)
        if problem is not None:
            return (
                f"{setting} {shown} {problem}; move that file away, or pass a new file name (the load "
                "creates it) or a warehouse an earlier load published"
            )
    return _check_folder(path.parent, setting=setting, file=path)


def _check_folder(folder: Path, *, setting: str, file: Path) -> str | None:
    shown = _shown(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        return f"{setting} {_shown(file)}: {shown} is a file, not a folder; pass a path in a folder"
    except OSError as error:
        return (
            f"{setting} {_shown(file)}: the folder {shown} cannot be created ({_reason(error)}); "
            "pass a path in a folder you can write"
        )
    if not folder.is_dir():
        return f"{setting} {_shown(file)}: {shown} is a file, not a folder; pass a path in a folder"
    try:
        # A real write, not os.access: that says yes to root on a read-only mount's neighbours.
        handle, probe = tempfile.mkstemp(prefix=".budget-warehouse-probe-", dir=folder)
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        return (
            f"{setting} {_shown(file)}: the folder {shown} is not writable ({_reason(error)}); the load "
            "publishes by writing beside the file: make the folder writable or pass a path in another one"
        )
    return None


def _not_duckdb(path: Path) -> str | None:
    try:
        with open(path, "rb") as handle:
            header = handle.read(_DUCKDB_MAGIC_OFFSET + len(_DUCKDB_MAGIC))
    except OSError as error:
        return f"cannot be read ({_reason(error)})"
    if header[_DUCKDB_MAGIC_OFFSET:] != _DUCKDB_MAGIC:
        return "is empty, not a DuckDB database" if not header else "is not a DuckDB database"
    return None


def _shown(path: Path) -> str:
    return printable(str(path))


def _reason(error: OSError) -> str:
    return error.strerror or str(error)
