"""A DuckDB warehouse's landing exported as the Spark engine's Parquet landing (docs/scale-out.md).

`<landing_dir>/<table>/`: the row tables in hive folders `fiscal_year=<year>/`, raw_files and
load_issues unpartitioned (their fiscal_year may be null). dbt's on-run-start macro
register_spark_landing reads exactly this layout, so dbt on Spark can be run against the landing
of a real DuckDB load.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

PARTITIONED_TABLES = (
    "department_tables",
    "funding_units",
    "projects",
    "indicators",
    "project_evaluations",
    "indicator_results",
)
UNPARTITIONED_TABLES = ("raw_files", "load_issues")


def export_landing(warehouse: Path, landing_dir: Path) -> dict[str, int]:
    """Write every landing table of `warehouse` under `landing_dir`; the rows written per table."""
    landing_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table in PARTITIONED_TABLES + UNPARTITIONED_TABLES:
            folder = landing_dir / table
            folder.mkdir()
            if table in PARTITIONED_TABLES:
                target, options = folder, "format parquet, partition_by (fiscal_year)"
            else:
                target, options = folder / "part-0.parquet", "format parquet"
            # Table names are this module's constants; the path is a bound parameter.
            con.execute(f"copy (select * from landing.{table}) to $target ({options}, overwrite_or_ignore)",
                        {"target": str(target)})
            counts[table] = con.execute(f"select count(*) from landing.{table}").fetchone()[0]
    return counts
