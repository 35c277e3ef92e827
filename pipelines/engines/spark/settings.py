"""Where the Spark engine keeps its files, and which master it runs on.

Defaults keep everything beside the warehouse, never in the checkout: the Parquet landing in
`<warehouse dir>/spark/landing`, dbt-spark's tables in `<warehouse dir>/spark/warehouse`. On a
cluster both point to shared storage (`s3a://…`, `abfss://…`, `hdfs://…`; docs/scale-out.md).
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

MASTER_ENV = "BUDGET_SPARK_MASTER"
LANDING_DIR_ENV = "BUDGET_SPARK_LANDING_DIR"
WAREHOUSE_DIR_ENV = "BUDGET_SPARK_WAREHOUSE_DIR"
DEFAULT_MASTER = "local[2]"
LOG_CONFIG = Path(__file__).with_name("log4j2.properties")


def master() -> str:
    return os.environ.get(MASTER_ENV) or DEFAULT_MASTER


def spark_dir(warehouse: Path) -> Path:
    return warehouse.resolve().parent / "spark"


def landing_dir(warehouse: Path) -> str:
    return os.environ.get(LANDING_DIR_ENV) or str(spark_dir(warehouse) / "landing")


def warehouse_dir(warehouse: Path) -> str:
    return os.environ.get(WAREHOUSE_DIR_ENV) or str(spark_dir(warehouse) / "warehouse")


def dbt_environment(warehouse: Path, spark_master: str) -> dict[str, str]:
    """What the dbt-spark process needs to find the landing and write its tables (profiles.yml).

    dbt-spark's session shares its process's output with dbt's JSON log lines, which dagster-dbt
    turns into asset events: Spark's console progress bar (written without a line end) and its
    warnings, on the same pipe, would corrupt some of those lines and lose their models'
    materializations. Its JVM is started with neither. The log configuration goes through
    SPARK_SUBMIT_OPTS, not --driver-java-options, which would replace the profile's own
    spark.driver.extraJavaOptions (where derby.log goes).
    """
    return {
        MASTER_ENV: spark_master,
        LANDING_DIR_ENV: landing_dir(warehouse),
        WAREHOUSE_DIR_ENV: warehouse_dir(warehouse),
        "PYSPARK_SUBMIT_ARGS": shlex.join(
            [
                *_submit_args(),  # the user's own (--archives, --jars …) come first
                "--conf", "spark.ui.showConsoleProgress=false",
                "pyspark-shell",
            ]
        ),
        "SPARK_SUBMIT_OPTS": shlex.join(
            [*shlex.split(os.environ.get("SPARK_SUBMIT_OPTS", "")), f"-Dlog4j2.configurationFile={LOG_CONFIG.as_uri()}"]
        ),
    }


def _submit_args() -> list[str]:
    given = shlex.split(os.environ.get("PYSPARK_SUBMIT_ARGS", ""))
    return given[:-1] if given[-1:] == ["pyspark-shell"] else given
