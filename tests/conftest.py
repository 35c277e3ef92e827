"""Shared fixtures: one real load of the seed table per test session."""

from __future__ import annotations

import pytest

from tests.support.loads import LoadedWarehouse, run_load_job, seed_raw_dir


@pytest.fixture(scope="session")
def seed_warehouse(tmp_path_factory) -> LoadedWarehouse:
    root = tmp_path_factory.mktemp("seed-load")
    raw = seed_raw_dir(root)
    database = root / "warehouse" / "budget.duckdb"
    result = run_load_job(raw, database, root / "dagster_home")
    assert result.success, "the seed load failed"
    return LoadedWarehouse(raw_dir=raw, database=database, result=result)
