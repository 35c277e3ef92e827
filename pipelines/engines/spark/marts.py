"""dbt-spark's mart tables as `<warehouse dir>/parquet/<mart>.parquet`, as the DuckDB engine writes them.

dbt-spark leaves each mart as a folder of Parquet parts under its warehouse dir
(`marts.db/<mart>/`); BI tools get one file per mart, under the same name, written under a
temporary name and renamed into place (pipelines/warehouse/parquet_export.py), so that nothing
tells a reader which engine built it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb

from pipelines.warehouse import parquet_export

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


def export_marts(spark_warehouse_dir: str, marts: list[str], *, target: Path) -> dict[str, int]:
    """Write one Parquet file per mart; returns the rows written per mart."""
    target.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    with duckdb.connect(":memory:") as con:
        con.execute("set TimeZone = 'UTC'")
        for mart in marts:
            parts = sorted(Path(spark_warehouse_dir, f"{MARTS_LAYER}.db", mart).glob("*.parquet"))
            if not parts:
                raise FileNotFoundError(f"dbt-spark wrote no Parquet for marts.{mart} under {spark_warehouse_dir}")
            final = target / f"{mart}.parquet"
            partial = target / f".{mart}.{os.getpid()}.parquet.partial"
            try:
                con.read_parquet([str(p) for p in parts]).write_parquet(str(partial))
                os.replace(partial, final)
            finally:
                partial.unlink(missing_ok=True)
            ((rows,),) = con.execute("select count(*) from read_parquet(?)", [str(final)]).fetchall()
            written[mart] = rows
    parquet_export._remove_dropped(target, keep=set(written))
    return written
