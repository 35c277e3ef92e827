"""dbt-spark's mart tables as `<warehouse dir>/parquet/<mart>/part-NN.parquet`, as the DuckDB engine writes them.

dbt-spark leaves each mart as a folder of Parquet parts under its warehouse dir
(`marts.db/<mart>/`); DuckDB reads them and the writer the DuckDB engine uses
(pipelines/warehouse/parquet_buckets.py) brings BI tools' folder up to them, bucket by bucket,
so that nothing tells a reader which engine built it.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from pipelines.warehouse import parquet_buckets
from pipelines.warehouse.parquet_buckets import MartExport
from pipelines.warehouse.parquet_export import EXPORT_SETTINGS

MARTS_LAYER = "marts"


def mart_names(manifest: Path) -> list[str]:
    """The marts the dbt project builds as tables, from its manifest (the DuckDB engine lists its catalog)."""
    nodes = json.loads(manifest.read_text(encoding="utf-8"))["nodes"].values()
    return sorted(
        node.get("alias") or node["name"]
        for node in nodes
        if node["resource_type"] == "model"
        and len(node["fqn"]) > 2 and node["fqn"][1] == MARTS_LAYER
        and node["config"].get("materialized") in ("table", "incremental")
    )


def export_marts(spark_warehouse_dir: str, marts: list[str], *, target: Path) -> dict[str, MartExport]:
    """Bring each mart's Parquet folder to dbt-spark's table; returns what was done per mart."""
    target.mkdir(parents=True, exist_ok=True)
    exports: dict[str, MartExport] = {}
    with duckdb.connect(":memory:", config=EXPORT_SETTINGS) as con:
        con.execute("set TimeZone = 'UTC'")
        for mart in marts:
            parts = sorted(Path(spark_warehouse_dir, f"{MARTS_LAYER}.db", mart).glob("*.parquet"))
            if not parts:
                raise FileNotFoundError(f"dbt-spark wrote no Parquet for marts.{mart} under {spark_warehouse_dir}")
            relation = con.read_parquet([str(p) for p in parts])
            exports[mart] = parquet_buckets.export_mart(con, relation, target / mart)
    parquet_buckets.remove_dropped(target, keep=set(exports))
    return exports
