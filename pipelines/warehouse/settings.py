"""One setting per path, read by the CLI, Dagster and dbt alike."""

from __future__ import annotations

import os
from pathlib import Path

RAW_DIR_ENV = "BUDGET_RAW_DIR"
WAREHOUSE_ENV = "BUDGET_WAREHOUSE"
# The file dbt writes to during a load: the unpublished build copy, never the published file.
DBT_DATABASE_ENV = "BUDGET_DBT_DATABASE"
DEFAULT_RAW_DIR = "raw"
DEFAULT_WAREHOUSE = "warehouse/budget.duckdb"
# Dagster's instance (runs, events, partitions, check results): the CLI, `make dev` and `make serve`
# all use the project's .dagster_home unless DAGSTER_HOME says otherwise, so the UI shows every load.
DAGSTER_HOME_ENV = "DAGSTER_HOME"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DAGSTER_HOME = PROJECT_ROOT / ".dagster_home"


# How often the raw_files_changed sensor looks at raw/ (dagster-daemon; docs/operations.md).
SENSOR_INTERVAL_ENV = "BUDGET_SENSOR_INTERVAL_SECONDS"
DEFAULT_SENSOR_INTERVAL_SECONDS = 60


def raw_dir() -> Path:
    return Path(os.environ.get(RAW_DIR_ENV) or DEFAULT_RAW_DIR)


def warehouse_path() -> Path:
    return Path(os.environ.get(WAREHOUSE_ENV) or DEFAULT_WAREHOUSE)


def dagster_home() -> Path:
    return Path(os.environ.get(DAGSTER_HOME_ENV) or DEFAULT_DAGSTER_HOME)


def sensor_interval_seconds() -> int:
    """At least 1 s between the sensor's ticks; 60 s unless BUDGET_SENSOR_INTERVAL_SECONDS says otherwise."""
    text = os.environ.get(SENSOR_INTERVAL_ENV, "").strip()
    if not text:
        return DEFAULT_SENSOR_INTERVAL_SECONDS
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{SENSOR_INTERVAL_ENV}={text!r}: expected a whole number of seconds, at least 1")
    return int(text)
