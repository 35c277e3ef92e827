"""dbt on Spark as the `spark` target runs it (dbt-spark, session method, local Spark), and its
marts read back the way a BI tool reads Parquet: the comparison of the two engines' marts
(tests/test_dbt_on_spark.py, docs/scale-out.md)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import duckdb

from pipelines.defs.project import DBT_PROJECT_DIR, dbt_executable

# A cold local Spark plus ~180 models and tests takes 1-3 minutes on 2 busy cores.
_BUILD_LIMIT_SECONDS = 1200


def dbt_build_on_spark(landing_dir: Path, spark_dir: Path) -> subprocess.CompletedProcess[str]:
    """`dbt build --target spark` over the Parquet landing; tables, catalog and dbt's target under spark_dir.

    Run from the dbt project folder, as dagster-dbt runs dbt, so that anything Spark wrote into the
    working directory would show up in the checkout.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("BUDGET_")}
    env |= {
        "BUDGET_SPARK_LANDING_DIR": str(landing_dir),
        "BUDGET_SPARK_WAREHOUSE_DIR": str(spark_dir / "warehouse"),
        "BUDGET_SPARK_MASTER": "local[2]",
    }
    return subprocess.run(
        [dbt_executable(), "build", "--target", "spark", "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(spark_dir / "dbt-target"),
         "--log-path", str(spark_dir / "dbt-logs")],
        cwd=DBT_PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,  # the caller reads dbt's outcome from its results
        timeout=_BUILD_LIMIT_SECONDS,
    )


def node_results(target_dir: Path) -> dict[str, tuple[str, int | None]]:
    """unique_id -> (status, failures) of every node of a dbt run, from its run_results.json."""
    results = json.loads((target_dir / "run_results.json").read_text(encoding="utf-8"))["results"]
    return {result["unique_id"]: (result["status"], result["failures"]) for result in results}


def spark_marts(spark_dir: Path, marts: tuple[str, ...]) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB holding marts.<mart> as read from each Parquet table dbt-spark wrote."""
    con = duckdb.connect()
    con.execute("create schema marts")
    for mart in marts:
        files = str(spark_dir / "warehouse" / "marts.db" / mart / "*.parquet")
        # Mart names come from the dbt manifest; the path is a bound parameter.
        con.execute(f'create table marts."{mart}" as select * from read_parquet($files)', {"files": files})
    return con
