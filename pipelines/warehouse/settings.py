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


def raw_dir() -> Path:
    return Path(os.environ.get(RAW_DIR_ENV) or DEFAULT_RAW_DIR)


def warehouse_path() -> Path:
    return Path(os.environ.get(WAREHOUSE_ENV) or DEFAULT_WAREHOUSE)
