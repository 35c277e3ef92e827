"""dbt docs describe every mart and column, and name the BI dashboards that read the marts."""

from __future__ import annotations

import json

import pytest

from pipelines.defs.project import ensure_manifest

REQUIRED_DASHBOARDS = {"department_budget_dashboard", "target_quality_review"}


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads(ensure_manifest().read_text(encoding="utf-8"))


def _marts(manifest: dict) -> dict[str, dict]:
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1] == "marts"
    }


@pytest.mark.slow
def test_every_mart_column_in_the_warehouse_is_described(manifest, seed_warehouse):
    marts = _marts(manifest)
    built = seed_warehouse.query(
        "select table_name, column_name from information_schema.columns where table_schema = 'marts'"
    )
    assert {table for table, _ in built} == set(marts)
    undocumented = [
        f"marts.{table}.{column}"
        for table, column in built
        if not marts[table]["columns"].get(column, {}).get("description", "").strip()
    ]
    assert undocumented == []
    assert all(node["description"].strip() for node in marts.values())


def test_exposures_name_the_dashboards_that_read_the_marts(manifest):
    exposures = {e["name"]: e for e in manifest["exposures"].values()}
    assert REQUIRED_DASHBOARDS <= set(exposures)
    mart_ids = {node["unique_id"] for node in _marts(manifest).values()}
    for exposure in exposures.values():
        assert exposure["type"] == "dashboard" and exposure["owner"]["email"], exposure["name"]
        assert set(exposure["depends_on"]["nodes"]) <= mart_ids, f"{exposure['name']} reads only marts"
