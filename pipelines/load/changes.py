"""The change set: which files a load touched, so that the incremental marts rebuild only those.

A load replaces or removes the landing rows of some files; dbt then rebuilds the mart rows of
those files (and, where a mart links files, of their departments) instead of every row. Written
in the load's own transaction, before the old rows go, because the departments a file's rows held
before the load are known only then; the departments they hold after are in the landing tables.

Rows accumulate until a build of the marts succeeds (`clear`): a load whose marts were not built
(a landing-only run) leaves its changes for the next build.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Protocol

import duckdb

from pipelines.contract.issues import LoadIssue
from pipelines.contract.tables import CHANGE_TRACKED_TABLES
from pipelines.ingest.errors import DISCOVERY_CATEGORIES

# Landing tables whose rows carry a fiscal year and department (every row table).
ROW_TABLES = CHANGE_TRACKED_TABLES


class _Outcome(Protocol):
    loaded: list[str]
    removed: list[str]
    quarantined: list[str]
    conflicted: list[str]
    skipped: list[LoadIssue]

    @property
    def changed(self) -> bool: ...


def record(con: duckdb.DuckDBPyConnection, outcome: _Outcome, *, replace_skipped: bool = True) -> None:
    """Add this load's changed files, with the years and departments their rows hold now (before the load)."""
    changes = _changed_paths(con, outcome, replace_skipped=replace_skipped)
    if not changes:
        return
    con.execute(
        "create or replace temp table _changed as "
        "select unnest($paths::varchar[]) as source_path, unnest($kinds::varchar[]) as change",
        {"paths": list(changes), "kinds": list(changes.values())},
    )
    held = " union ".join(  # constant table names
        f"select source_path, fiscal_year, department_name from landing.{table} "
        "where source_path in (select source_path from _changed)"
        for table in ROW_TABLES
    )
    con.execute(
        "insert into landing.load_changes (source_path, change, fiscal_year, department_name, recorded_at) "
        f"select _changed.source_path, _changed.change, held.fiscal_year, held.department_name, $now "
        f"from _changed left join ({held}) as held on _changed.source_path = held.source_path",
        {"now": datetime.now(UTC)},
    )
    con.execute("drop table _changed")


def pending(con: duckdb.DuckDBPyConnection) -> bool:
    """Changes recorded that no build of the marts has taken in yet."""
    ((pending,),) = con.execute("select exists (select 1 from landing.load_changes)").fetchall()
    return pending


def clear(con: duckdb.DuckDBPyConnection) -> None:
    """The marts now reflect every recorded change."""
    con.execute("delete from landing.load_changes")


def _changed_paths(con: duckdb.DuckDBPyConnection, outcome: _Outcome, *, replace_skipped: bool) -> dict[str, str]:
    changes: dict[str, str] = {}
    if replace_skipped and outcome.changed:
        # Entries that could not be read have their issues rewritten on every load (a new
        # detected_at): old and new, unless the load changes nothing and publishes nothing.
        old = con.execute(
            "select distinct source_path from landing.load_issues where category in (select unnest($c::varchar[]))",
            {"c": sorted(c.value for c in DISCOVERY_CATEGORIES)},
        ).fetchall()
        _add(changes, (row[0] for row in old), "not_read")
        _add(changes, (issue.source_path for issue in outcome.skipped), "not_read")
    _add(changes, outcome.conflicted, "conflict")
    _add(changes, outcome.quarantined, "quarantined")
    _add(changes, outcome.removed, "removed")
    _add(changes, outcome.loaded, "loaded")
    return changes


def _add(changes: dict[str, str], paths: Iterable[str], kind: str) -> None:
    for path in paths:
        changes[path] = kind
