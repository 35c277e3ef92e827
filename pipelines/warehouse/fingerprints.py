"""Which code built the warehouse, so that a new parser or new dbt models are never skipped.

A load skips unchanged files and, when nothing changed, skips dbt. Both shortcuts are only right
if the code is the same as last time: a parser fix must re-read every file, and a changed model
must be rebuilt, even when raw/ did not change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

import duckdb

_PACKAGE_ROOT = Path(__file__).resolve().parents[2]
# Code whose output lands in the landing tables.
_PARSER_SOURCES = ("pipelines/ingest", "pipelines/load", "schemas", "pipelines/warehouse/landing.sql")
# Everything dbt builds from.
_MODEL_SOURCES = ("dbt_project/models", "dbt_project/macros", "dbt_project/seeds", "dbt_project/tests",
                  "dbt_project/dbt_project.yml")
_SUFFIXES = {".py", ".sql", ".yml", ".yaml", ".csv"}

PARSER = "parser_fingerprint"
MODELS = "model_fingerprint"


def parser_fingerprint() -> str:
    return _digest(_files(_PARSER_SOURCES))


def model_fingerprint() -> str:
    return _digest(_files(_MODEL_SOURCES))


def read(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    rows = con.execute("select value from landing.build_state where key = ?", [key]).fetchall()
    return rows[0][0] if rows else None


def write(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute(
        "insert or replace into landing.build_state (key, value) values (?, ?)", [key, value]
    )


def _files(roots: Iterable[str]) -> list[Path]:
    found: list[Path] = []
    for root in roots:
        path = _PACKAGE_ROOT / root
        candidates = [path] if path.is_file() else sorted(path.rglob("*"))
        found += [p for p in candidates if p.is_file() and p.suffix in _SUFFIXES and "target" not in p.parts]
    return found


def _digest(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(_PACKAGE_ROOT).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()
