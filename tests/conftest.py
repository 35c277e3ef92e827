"""Shared fixtures: one real load of the seed table per test session."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from tests.support.hostile import HostileLoad, load_hostile_raw
from tests.support.loads import LoadedWarehouse, run_load_job, seed_raw_dir

# Property tests are reproducible in CI (derandomized; no deadline, since timings are not asserted).
# `make fuzz` selects HYPOTHESIS_PROFILE=fuzz: random and many more examples (tests/test_fuzz_parsers.py).
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile(
    "fuzz", max_examples=20_000, deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# In CI a skip fails; every run ends with its count of skipped tests (tests/support/skips.py).
pytest_plugins = ["tests.support.skips"]


@pytest.fixture(scope="session")
def seed_warehouse(tmp_path_factory) -> LoadedWarehouse:
    root = tmp_path_factory.mktemp("seed-load")
    raw = seed_raw_dir(root)
    database = root / "warehouse" / "budget.duckdb"
    result = run_load_job(raw, database, root / "dagster_home")
    assert result.success, "the seed load failed"
    return LoadedWarehouse(raw_dir=raw, database=database, result=result)


@pytest.fixture(scope="session")
def hostile_load(tmp_path_factory) -> HostileLoad:
    """The seed plus files with hostile names, links out of raw/ and files to skip (tests/support/hostile.py)."""
    return load_hostile_raw(tmp_path_factory.mktemp("hostile-load"))
