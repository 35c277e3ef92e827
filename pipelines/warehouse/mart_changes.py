"""Which departments an incremental dbt build changed, so that the Parquet export checks only their buckets.

An incremental build (never a full refresh) changes an incremental mart only by the rows its pre-hook
deletes and its model inserts (dbt_project/macros/incremental/incremental_mart.sql). A
departments-scope mart: the rows of the (fiscal_year, department_id) pairs in
staging.changed_departments__<mart>. A files-scope mart: the rows of the changed files, which carry
the department of the landing row they come from; for the landing row tables those are the names
of staging.changed_departments (held before the load, recorded in landing.load_changes, or held
now), whose department_ids are those of the departments-scope tables. So for a mart whose landing
sources are all row tables, rows outside those ids are the rows of the previous build. Every other
mart is left to the full checksum: table marts (department_comparison: its ranks move for every
department), and marts reading another landing table (load_issues: a conflict's issue names a
department its file has no row for).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.contract.tables import CHANGE_TRACKED_TABLES as ROW_TABLES
from pipelines.warehouse.parquet_buckets import ChangedDepartments
from pipelines.warehouse.parquet_buckets import quoted_identifier as _quoted

_SCOPES = ("files", "departments")


@dataclass(frozen=True, slots=True)
class MartChanges:
    """What one build changed: in `marts`, only the rows of `department_ids`, since the file `since`."""

    since: Mapping[str, int]
    department_ids: frozenset[str | None]
    marts: frozenset[str]

    def of(self, mart: str) -> ChangedDepartments | None:
        return ChangedDepartments(dict(self.since), self.department_ids) if mart in self.marts else None


def from_build(con: duckdb.DuckDBPyConnection, manifest_path: Path, *, since: Mapping[str, int]) -> MartChanges | None:
    """Read after an incremental build, before the change set is cleared; None when unknown."""
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    scopes = narrowable_marts(manifest)
    department_ids = changed_department_ids(con, [mart for mart, scope in scopes.items() if scope == "departments"])
    if department_ids is None:
        return None
    return MartChanges(since=dict(since), department_ids=department_ids, marts=frozenset(scopes))


def narrowable_marts(manifest: Mapping) -> dict[str, str]:
    """The incremental marts (name: scope) whose landing sources are all row tables."""
    nodes, parents = manifest.get("nodes", {}), manifest.get("parent_map", {})
    found = {}
    for unique_id, node in nodes.items():
        config = node.get("config", {})
        scope = config.get("meta", {}).get("change_scope")
        if node.get("resource_type") != "model" or node.get("schema") != "marts":
            continue
        if config.get("materialized") == "incremental" and scope in _SCOPES and _row_sourced(unique_id, parents):
            found[node["name"]] = scope
    return found


def changed_department_ids(con: duckdb.DuckDBPyConnection, department_marts: list[str]) -> frozenset[str | None] | None:
    """The department_ids of this build's change set, as its departments-scope marts' pre-hooks wrote
    them (each from the same changed names); None without such a mart."""
    if not department_marts:
        return None
    ids: set[str | None] = set()
    for mart in department_marts:
        table = f"{_quoted('staging')}.{_quoted('changed_departments__' + mart)}"
        try:
            ids.update(value for (value,) in con.execute(f"select distinct department_id from {table}").fetchall())
        except duckdb.CatalogException:
            return None
    return frozenset(ids)


def _row_sourced(unique_id: str, parents: Mapping[str, list[str]]) -> bool:
    seen, pending = set(), [unique_id]
    while pending:
        node = pending.pop()
        if node in seen:
            continue
        seen.add(node)
        if node.startswith("source.") and node.rsplit(".", 2)[-2:] not in [["landing", table] for table in ROW_TABLES]:
            return False
        pending.extend(parents.get(node, []))
    return True
