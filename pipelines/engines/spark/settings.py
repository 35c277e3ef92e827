"""Where the Spark engine keeps its files, and which master it runs on.

Defaults keep everything beside the warehouse, never in the checkout: the Parquet landing in
`<warehouse dir>/spark/landing`, dbt-spark's tables in `<warehouse dir>/spark/warehouse`. On a
cluster both point to shared storage (`s3a://…`, `abfss://…`, `hdfs://…`; docs/scale-out.md).
"""

from __future__ import annotations

import os
from pathlib import Path

MASTER_ENV = "BUDGET_SPARK_MASTER"
LANDING_DIR_ENV = "BUDGET_SPARK_LANDING_DIR"
WAREHOUSE_DIR_ENV = "BUDGET_SPARK_WAREHOUSE_DIR"
DEFAULT_MASTER = "local[2]"


def master() -> str:
    return os.environ.get(MASTER_ENV) or DEFAULT_MASTER


def spark_dir(warehouse: Path) -> Path:
    return warehouse.resolve().parent / "spark"


def landing_dir(warehouse: Path) -> str:
    return os.environ.get(LANDING_DIR_ENV) or str(spark_dir(warehouse) / "landing")


def warehouse_dir(warehouse: Path) -> str:
    return os.environ.get(WAREHOUSE_DIR_ENV) or str(spark_dir(warehouse) / "warehouse")


def dbt_environment(warehouse: Path, spark_master: str) -> dict[str, str]:
    """What the dbt-spark process needs to find the landing and write its tables (profiles.yml)."""
    return {
        MASTER_ENV: spark_master,
        LANDING_DIR_ENV: landing_dir(warehouse),
        WAREHOUSE_DIR_ENV: warehouse_dir(warehouse),
    }
