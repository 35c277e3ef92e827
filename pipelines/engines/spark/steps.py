"""The Dagster assets' Spark branch: the same asset keys, events and checks as the DuckDB engine.

pipelines/defs/assets/landing.py and dbt.py call these when the warehouse resource's engine is
spark; everything they yield (materializations, observations, check results, dbt's events) has
the keys and shape of the DuckDB engine's, so lineage and the UI do not depend on the engine.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg

from pipelines.engines import SPARK
from pipelines.engines.spark import settings
from pipelines.engines.spark.marts import export_marts, mart_names
from pipelines.engines.spark.published import parquet_connection
from pipelines.engines.spark.session import spark_session
from pipelines.engines.spark.stage import stage_on_spark
from pipelines.load.discover import scan_raw_dir
from pipelines.warehouse import parquet_buckets, parquet_export


def master_of(warehouse) -> str:
    return warehouse.spark_master or settings.master()


def landing_step(context: dg.AssetExecutionContext, warehouse) -> Iterator[Any]:
    from pipelines.defs.assets import landing as assets
    from pipelines.defs.assets.file_status import file_observations, registered_partitions
    from pipelines.defs.checks import check_results
    from pipelines.defs.partitions import MAX_FILES_PER_PARTITIONED_RUN, RAW_FILES

    warehouse.hold_lock(context.run.run_id)
    discovery = scan_raw_dir(warehouse.raw_path)
    master, landing_dir = master_of(warehouse), settings.landing_dir(warehouse.published_path)
    context.log.info(f"found {len(discovery.files)} table file(s); parsing on Spark ({master}) into {landing_dir}")
    clock = time.perf_counter()
    session = spark_session(master, warehouse_dir=settings.warehouse_dir(warehouse.published_path))
    try:
        outcome = stage_on_spark(
            session, discovery, now=datetime.now(UTC), landing_dir=landing_dir,
            progress=assets._progress_logger(context),
        )
    finally:
        session.stop()  # dbt-spark starts its own session: two JVMs at once would share 2 cores
    outcome.seconds["spark"] = time.perf_counter() - clock
    with parquet_connection(landing_dir) as con:
        counts = {table: con.execute(f"select count(*) from landing.{table}").fetchall()[0][0] for table in assets.LANDING_KEYS}
        profiles = {table: assets._table_profile(con, table) for table in assets.LANDING_KEYS}
    assets._log_outcome(context, outcome)
    registered = registered_partitions(context.instance, RAW_FILES.name)
    for observation in file_observations(outcome, discovery.files, registered, limit=MAX_FILES_PER_PARTITIONED_RUN):
        context.log_event(observation)
    for table, key in assets.LANDING_KEYS.items():
        metadata = {**assets._metadata(table, counts[table], outcome), **profiles[table], "engine": SPARK}
        yield dg.MaterializeResult(asset_key=key, metadata=metadata)
    yield from check_results(outcome)


def dbt_step(context: dg.AssetExecutionContext, dbt, warehouse) -> Iterator[Any]:
    """dbt build --target spark, then the marts exported as Parquet for BI tools."""
    from pipelines.defs.assets import dbt as assets

    warehouse.hold_lock(context.run.run_id)
    published = warehouse.published_path
    environment = settings.dbt_environment(published, master_of(warehouse))
    target_path = published.parent / f".{published.stem}.dbt-target-spark"
    events: list[Any] = []
    try:
        with assets._environment(environment):
            events.extend(dbt.cli(["build", "--target", "spark"], context=context, target_path=target_path).stream())
    except BaseException:
        yield from events  # what dbt did before failing: failed tests show as failed checks
        raise
    marts_dir = parquet_export.parquet_dir(published)
    exports = export_marts(
        environment[settings.WAREHOUSE_DIR_ENV], mart_names(Path(target_path, "manifest.json")), target=marts_dir
    )
    context.log.info(parquet_buckets.describe(exports, marts_dir))
    with parquet_connection(environment[settings.LANDING_DIR_ENV], marts_dir=marts_dir) as con:
        for event in events:
            if isinstance(event, dg.Output):
                key = context.asset_key_for_output(event.output_name)
                extra: dict[str, object] = {"engine": SPARK}
                if key.path[0] == "marts":
                    extra.update(assets._mart_profile(con, key.path[-1]))
                event = event.with_metadata({**event.metadata, **extra})
            yield event
