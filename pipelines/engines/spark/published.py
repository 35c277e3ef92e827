"""What a Spark load published, read back through DuckDB: for summaries, previews and the plan.

`parquet_connection` gives an in-memory DuckDB whose `landing.<table>` and `marts.<mart>` read the
Spark engine's Parquet, so the summary and the Dagster previews run the very queries they run on
the DuckDB engine's file (pipelines/run_load.py, pipelines/defs/assets/landing.py).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.engines.spark.landing_schema import (
    FILE_TABLES,
    PARTITION_COLUMN,
    ROW_TABLES,
    landing_connection,
)
from pipelines.engines.spark.landing_writer import table_path
from pipelines.warehouse.parquet_buckets import quoted_identifier


def parquet_connection(landing_dir: str, *, marts_dir: Path | None = None) -> duckdb.DuckDBPyConnection:
    """Landing tables as views over their Parquet (empty tables where nothing was written)."""
    con = landing_connection()
    for table in (*ROW_TABLES, *FILE_TABLES):
        files = _parquet_files(Path(table_path(landing_dir, table)))
        if not files:
            continue  # no rows: the empty table from landing.sql stands in
        columns = con.sql(f"select * from landing.{table} limit 0").columns  # constant names
        # Hive folders give fiscal_year as BIGINT; landing.sql says INTEGER. Names are landing.sql's.
        relation = con.read_parquet([str(f) for f in files], hive_partitioning=table in ROW_TABLES).project(
            ", ".join(f"cast({c} as integer) as {c}" if c == PARTITION_COLUMN else c for c in columns)
        )
        _replace_with_view(con, "landing", table, relation)
    if marts_dir is not None and marts_dir.is_dir():
        con.execute("create schema if not exists marts")
        for mart, files in _mart_files(marts_dir).items():
            con.execute(f"create table marts.{quoted_identifier(mart)} as select * from read_parquet(?)", [[str(f) for f in files]])
    return con


def _mart_files(marts_dir: Path) -> dict[str, list[Path]]:
    """Each mart's bucket files (`<mart>/part-NN.parquet`), as a BI tool reading the folder sees them."""
    folders = sorted(p for p in marts_dir.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    return {folder.name: files for folder in folders if (files := sorted(folder.glob("*.parquet")))}


def _parquet_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.parquet")) if folder.is_dir() else []


def _replace_with_view(con: duckdb.DuckDBPyConnection, schema: str, table: str, relation) -> None:
    temporary = f"_parquet_{table}"
    relation.create_view(temporary)
    con.execute(f"drop table {schema}.{table}")  # constant names
    con.execute(f"create view {schema}.{table} as select * from {temporary}")
