"""Reading and writing the landing tables; every value goes in as a parameter or a frame."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from typing import Protocol

import duckdb
import pandas as pd
import pyarrow as pa

from pipelines.contract.issues import LoadIssue
from pipelines.contract.tables import LANDING_TABLES

_MONEY = pa.decimal128(18, 2)
_MONEY_COLUMNS = frozenset(
    {
        "total_amount",
        "fiscal_appropriation",
        "special_account_appropriation",
        "other_funds",
        "units_total_amount",
        "projects_total_amount",
        "budget_initial",
        "budget_adjusted",
        "executed",
    }
)
# Target values are thresholds ("≥95%", "6次"), not money: DOUBLE, with the exact text kept beside.
_COLUMN_TYPES: dict[str, pa.DataType] = {
    **dict.fromkeys(_MONEY_COLUMNS, _MONEY),
    "annual_value": pa.float64(),
    "period_value": pa.float64(),
    "annual_value_max": pa.float64(),
    "period_value_max": pa.float64(),
    "annual_deadline": pa.date32(),
    "period_deadline": pa.date32(),
    # Self-evaluation rates and scores (分值, 得分) are points and ratios, not money.
    **dict.fromkeys(
        ("execution_rate", "published_execution_rate", "budget_weight", "budget_score", "total_weight",
         "self_score", "indicator_weight_total", "indicator_score_total", "target_value", "target_value_max",
         "actual_value", "weight", "score"),
        pa.float64(),
    ),
}


@dataclass(frozen=True, slots=True)
class RegistryEntry:
    source_sha256: str
    status: str
    fiscal_year: int | None
    department_name: str | None
    published_sha256: str | None


def ensure_landing_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the landing tables, or add the columns a newer version of them has."""
    ddl = resources.files("pipelines.warehouse").joinpath("landing.sql").read_text(encoding="utf-8")
    con.execute(ddl)


def read_registry(con: duckdb.DuckDBPyConnection, paths: Sequence[str] | None = None) -> dict[str, RegistryEntry]:
    """The registry's entries, of these paths only when given."""
    query = (
        "select source_path, source_sha256, status, fiscal_year, department_name, published_sha256 "
        "from landing.raw_files"
    )
    if paths is None:
        rows = con.execute(query).fetchall()
    else:
        rows = con.execute(f"{query} where source_path in (select unnest($p::varchar[]))", {"p": list(paths)}).fetchall()
    return {row[0]: RegistryEntry(*row[1:]) for row in rows}


@dataclass(frozen=True, slots=True)
class ListingDiff:
    """raw/ as listed against the registry (what the last load read of each file)."""

    new_or_changed: list[str]  # not in the registry, or another content hash
    in_conflict: list[str]  # same content, but in conflict last time: looked at again
    removed: list[str]  # in the registry, no longer listed

    @classmethod
    def everything_new(cls, listing: Sequence[tuple[str, str]]) -> ListingDiff:
        """Against no registry (no warehouse yet, or one from before the registry existed)."""
        return cls(new_or_changed=sorted(path for path, _ in listing), in_conflict=[], removed=[])


class ListedFile(Protocol):
    @property
    def source_path(self) -> str: ...
    @property
    def sha256(self) -> str: ...


# The last diff taken on a read-only connection: (the files, the database file's status, the diff).
_last_read_only_diff: tuple[Sequence[ListedFile], tuple[int, ...], ListingDiff] | None = None


def diff_files(con: duckdb.DuckDBPyConnection, files: Sequence[ListedFile]) -> ListingDiff:
    """diff_listing of these files, taken once per listing and published file.

    A load compares one listing (pipelines/load/discover.py, one_listing) with the published
    registry three times: the CLI's no-change check, the run's plan and the landing step's check,
    some 0.3 s each at 250,000 files. Kept only for a read-only connection: nothing writes the
    file under it, and a publish puts a new file (a new inode) in its place. The same list object
    must be passed again, so that a listing taken later is never answered from an older one.
    """
    global _last_read_only_diff
    status = _read_only_status(con)
    if status is not None and _last_read_only_diff is not None:
        kept_files, kept_status, kept_diff = _last_read_only_diff
        if kept_files is files and kept_status == status:
            return kept_diff
    diff = diff_listing(con, [(f.source_path, f.sha256) for f in files])
    if status is not None:
        _last_read_only_diff = (files, status, diff)
    return diff


def _read_only_status(con: duckdb.DuckDBPyConnection) -> tuple[int, ...] | None:
    """The status of the database file behind a read-only connection; None for any other."""
    con.complete()
    rows = con.execute(
        "select path, readonly from duckdb_databases() where database_name = current_database()"
    ).fetchall()
    if not rows or not rows[0][1] or not rows[0][0]:
        return None
    try:
        status = os.stat(rows[0][0])
    except OSError:
        return None
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)


def diff_listing(con: duckdb.DuckDBPyConnection, listing: Sequence[tuple[str, str]]) -> ListingDiff:
    """`listing`: (source_path, sha256) of each file under raw/, compared inside DuckDB: at
    250,000 files, reading the registry into Python took a second or more per load, per read."""
    con.complete()  # a result the caller left unread (fetchone) would keep DuckDB from registering
    con.register("_listing", pa.table({
        "source_path": pa.array([path for path, _ in listing], pa.string()),
        "source_sha256": pa.array([sha for _, sha in listing], pa.string()),
    }))
    try:
        rows = con.execute(
            "select coalesce(l.source_path, r.source_path), "
            "case when l.source_path is null then 'removed' "
            "when r.source_path is null or r.source_sha256 is distinct from l.source_sha256 then 'new_or_changed' "
            "else 'in_conflict' end "
            "from _listing l full outer join landing.raw_files r on r.source_path = l.source_path "
            "where l.source_path is null or r.source_path is null "
            "or r.source_sha256 is distinct from l.source_sha256 or r.status = 'conflict'"
        ).fetchall()
    finally:
        con.unregister("_listing")
    found: dict[str, list[str]] = {"new_or_changed": [], "in_conflict": [], "removed": []}
    for path, kind in sorted(rows):
        found[kind].append(path)
    return ListingDiff(**found)


def read_published_identities(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, str, str]]:
    """(fiscal year, department as printed, kind) of each published file: targets or self_evaluation."""
    rows = con.execute(
        "select source_path, fiscal_year, department_name, 'targets' from landing.department_tables "
        "union all select distinct source_path, fiscal_year, department_name, 'self_evaluation' "
        "from landing.project_evaluations"
    ).fetchall()
    return {path: (year, department, kind) for path, year, department, kind in rows}


def delete_rows(con: duckdb.DuckDBPyConnection, paths: Sequence[str]) -> None:
    """Remove every landing row of these files (before a replacement or after a removal)."""
    if not paths:
        return
    con.execute("create or replace temp table _paths as select unnest($paths::varchar[]) as source_path", {"paths": list(paths)})
    for table in LANDING_TABLES:
        con.execute(f"delete from landing.{table} where source_path in (select source_path from _paths)")
    con.execute("drop table _paths")


def insert_frame(
    con: duckdb.DuckDBPyConnection,
    table: str,
    frame: pd.DataFrame,
    *,
    loaded_at: datetime,
    catalog: str | None = None,
) -> None:
    """`catalog`: an attached database with its own landing schema (pipelines/load/incoming.py)."""
    if table not in LANDING_TABLES:
        raise ValueError(f"unknown landing table {table}")
    if catalog is not None and not catalog.isidentifier():
        raise ValueError(f"not a catalog name: {catalog!r}")
    if frame.empty:
        return
    target = f"{catalog}.landing.{table}" if catalog else f"landing.{table}"
    incoming = _to_arrow(frame)
    con.register("_incoming", incoming)
    try:
        con.execute(
            f"insert into {target} by name select *, $loaded_at::timestamptz as loaded_at from _incoming",
            {"loaded_at": loaded_at},
        )
    finally:
        con.unregister("_incoming")


def replace_registry(con: duckdb.DuckDBPyConnection, rows: Iterable[tuple], *, removed: Sequence[str]) -> None:
    """Upsert (path, sha, size, status, year, department, published sha, checked_at) rows."""
    rows = list(rows)
    stale = [row[0] for row in rows] + list(removed)
    if stale:
        con.execute("delete from landing.raw_files where source_path in (select unnest($p::varchar[]))", {"p": stale})
    if rows:
        _insert_rows(con, "raw_files", _REGISTRY_COLUMNS, rows)


def replace_issues(
    con: duckdb.DuckDBPyConnection,
    issues: Sequence[LoadIssue],
    *,
    for_paths: Sequence[str],
    category: str | None = None,
    detected_at: datetime,
) -> None:
    """Issues are recomputed per file: the old ones of these files (or of one category) go."""
    if for_paths:
        con.execute("delete from landing.load_issues where source_path in (select unnest($p::varchar[]))", {"p": list(for_paths)})
    if category is not None:
        con.execute("delete from landing.load_issues where category = $c", {"c": category})
    if issues:
        _insert_rows(
            con,
            "load_issues",
            _ISSUE_COLUMNS,
            [
                (i.source_path, i.source_sha256, i.fiscal_year, i.department_name, i.category.value,
                 i.severity.value, i.line, i.page, i.message, detected_at)
                for i in issues
            ],
        )


def read_issue_keys(con: duckdb.DuckDBPyConnection, categories: Sequence[str]) -> set[tuple[str, str, str]]:
    """(path, category, message) of the recorded issues of these categories."""
    rows = con.execute(
        "select source_path, category, message from landing.load_issues where category in (select unnest($c::varchar[]))",
        {"c": list(categories)},
    ).fetchall()
    return set(rows)


def delete_issue_categories(con: duckdb.DuckDBPyConnection, categories: Sequence[str]) -> None:
    con.execute(
        "delete from landing.load_issues where category in (select unnest($c::varchar[]))", {"c": list(categories)}
    )


_REGISTRY_COLUMNS = (
    "source_path", "source_sha256", "size_bytes", "status", "fiscal_year", "department_name",
    "published_sha256", "checked_at",
)
_ISSUE_COLUMNS = (
    "source_path", "source_sha256", "fiscal_year", "department_name", "category", "severity",
    "source_line", "source_page", "message", "detected_at",
)


def _insert_rows(con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
    """All rows in one statement: executemany pays a round trip per row (7 s for 10,000 files)."""
    incoming = pa.table({name: pa.array([row[i] for row in rows]) for i, name in enumerate(columns)})
    con.register("_rows", incoming)
    try:
        con.execute(f"insert into landing.{table} by name select * from _rows")  # constant table names
    finally:
        con.unregister("_rows")


def _to_arrow(frame: pd.DataFrame) -> pa.Table:
    """Money columns go in as decimal128(18, 2), exactly, never through float; NaN is null."""
    arrays = {}
    for column in frame.columns:
        arrow_type = _COLUMN_TYPES.get(column)
        if arrow_type is None or (
            isinstance(frame[column].dtype, pd.ArrowDtype) and frame[column].dtype.pyarrow_dtype == arrow_type
        ):
            # Text, integers and money (pipelines.load.frames.MONEY) are Arrow or NumPy arrays
            # already: no Python object per value.
            arrays[column] = pa.Array.from_pandas(frame[column])
            continue
        values = frame[column].tolist()
        if arrow_type == pa.float64():
            values = [None if pd.isna(value) else float(value) for value in values]
        arrays[column] = pa.array(values, type=arrow_type, from_pandas=True)
    return pa.table(arrays)
