"""The landing tables' columns as Arrow and Spark schemas, read from landing.sql itself.

landing.sql is the one definition of the landing contract (names, order, DECIMAL(18,2) money);
reading it through DuckDB here keeps the Parquet landing from drifting away from it.
"""

from __future__ import annotations

from functools import cache

import duckdb
import pyarrow as pa

from pipelines.warehouse import landing

ROW_TABLES = landing.LANDING_TABLES  # partitioned by fiscal_year
FILE_TABLES = ("raw_files", "load_issues")  # fiscal_year may be null: not partitioned
PARTITION_COLUMN = "fiscal_year"


def landing_connection() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB holding empty landing tables: the project's own typing of rows."""
    con = duckdb.connect(":memory:")
    con.execute("set TimeZone = 'UTC'")
    landing.ensure_landing_schema(con)
    return con


@cache
def arrow_schema(table: str) -> pa.Schema:
    if table not in (*ROW_TABLES, *FILE_TABLES):
        raise ValueError(f"unknown landing table {table}")
    with landing_connection() as con:
        return con.sql(f"select * from landing.{table} limit 0").to_arrow_table().schema  # constant names


def spark_schema(table: str):
    """The Spark StructType of a landing table, column for column."""
    from pyspark.sql import types as T

    return T.StructType([T.StructField(f.name, _spark_type(f.type), nullable=True) for f in arrow_schema(table)])


def _spark_type(arrow_type: pa.DataType):
    from pyspark.sql import types as T

    if pa.types.is_decimal(arrow_type):
        return T.DecimalType(arrow_type.precision, arrow_type.scale)
    if pa.types.is_timestamp(arrow_type):
        return T.TimestampType()
    simple = {
        pa.string(): T.StringType(), pa.large_string(): T.StringType(), pa.int32(): T.IntegerType(),
        pa.int64(): T.LongType(), pa.float64(): T.DoubleType(), pa.date32(): T.DateType(),
        pa.bool_(): T.BooleanType(),
    }
    if arrow_type not in simple:
        raise TypeError(f"landing.sql uses {arrow_type}, which the Spark landing does not map yet")
    return simple[arrow_type]
