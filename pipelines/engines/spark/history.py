"""What the previous Spark load published, read before this load overwrites the landing.

The Spark engine re-reads all of raw/ on every load, but the DuckDB engine's promise holds on it
too: a file that breaks, or that comes into conflict, after it was loaded keeps its earlier good
version in the warehouse. Those files' earlier rows are few; they are held in memory (Arrow) while
the landing folders are rewritten, then appended again.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

import pyarrow as pa

from pipelines.engines.spark.landing_schema import ROW_TABLES
from pipelines.engines.spark.published import parquet_connection
from pipelines.warehouse import landing


@dataclass(frozen=True, slots=True)
class PublishedHistory:
    """The previous load's registry and the identities of the files whose rows it published."""

    registry: dict[str, landing.RegistryEntry] = field(default_factory=dict)
    identities: dict[str, tuple[int, str, str]] = field(default_factory=dict)


def read_history(landing_dir: str, current_paths: Collection[str]) -> PublishedHistory:
    """Only files still under raw/ count: a removed file's rows leave, as on the DuckDB engine."""
    current = set(current_paths)
    with parquet_connection(landing_dir) as con:
        registry = landing.read_registry(con)
        identities = {
            path: identity for path, identity in landing.read_published_identities(con).items() if path in current
        }
    return PublishedHistory(registry=registry, identities=identities)


def earlier_rows(landing_dir: str, paths: Collection[str]) -> dict[str, pa.Table]:
    """Every row table's rows of these files, read into memory before their folders are rewritten."""
    if not paths:
        return {}
    with parquet_connection(landing_dir) as con:
        return {
            table: con.sql(
                f"select * from landing.{table} where source_path in (select unnest($paths::varchar[]))",  # constant names
                params={"paths": sorted(paths)},
            ).to_arrow_table()
            for table in ROW_TABLES
        }
