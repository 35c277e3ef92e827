"""The landing tables as Parquet (docs/scale-out.md): `<landing dir>/<table>/`.

Row tables are partitioned by fiscal_year (hive folders `fiscal_year=2024/`), so dbt-spark and
any reader prune by year; raw_files and load_issues are not (their fiscal_year may be null).
Each load overwrites the whole table: the Spark engine rebuilds the landing from raw/, then adds
back the earlier rows of files that broke or came into conflict since (history.py).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

import pyarrow as pa

from pipelines.engines.spark import records
from pipelines.engines.spark.landing_schema import PARTITION_COLUMN, arrow_schema, spark_schema


def table_path(landing_dir: str, table: str) -> str:
    return f"{landing_dir.rstrip('/')}/{table}"


def write_row_table(results, table: str, *, landing_dir: str, excluded: Collection[str]) -> None:
    """The task results' rows of `table`, less the excluded files (conflicts), partitioned by year."""
    from pyspark.sql import functions as F

    rows = (
        results.where((F.col("record") == records.ROWS) & (F.col("table_name") == table))
        .select("payload")
        .mapInArrow(_decode_rows, spark_schema(table))
    )
    if excluded:
        rows = rows.where(~F.col("source_path").isin(sorted(excluded)))
    rows.write.mode("overwrite").partitionBy(PARTITION_COLUMN).parquet(table_path(landing_dir, table))


def append_rows(session, table: str, rows: pa.Table, *, landing_dir: str) -> None:
    """Rows kept from an earlier load (engines/spark/history.py), added to the rewritten table."""
    if rows.num_rows == 0:
        return
    frame = session.createDataFrame(rows.cast(arrow_schema(table)), schema=spark_schema(table))
    frame.write.mode("append").partitionBy(PARTITION_COLUMN).parquet(table_path(landing_dir, table))


def write_file_table(session, table: str, rows: pa.Table, *, landing_dir: str) -> None:
    """raw_files or load_issues (one row per file or finding: small), in one unpartitioned file."""
    frame = session.createDataFrame(rows.cast(arrow_schema(table)), schema=spark_schema(table))
    frame.coalesce(1).write.mode("overwrite").parquet(table_path(landing_dir, table))


def _decode_rows(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        for payload in batch.column(0).to_pylist():
            yield from records.decode_rows(payload).to_batches()
