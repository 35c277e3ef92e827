"""The dbt models as assets, built on the run's warehouse copy, which is then published."""


import os
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from pipelines.defs import dbt_scope
from pipelines.defs.assets.previews import markdown_table
from pipelines.defs.progress import PARQUET_PROGRESS, PUBLISH_PROGRESS
from pipelines.defs.project import dbt_project, ensure_manifest
from pipelines.defs.resources import BudgetWarehouse
from pipelines.defs.timing import log_timing
from pipelines.engines import DUCKDB
from pipelines.load import changes
from pipelines.warehouse import fingerprints, mart_changes, parquet_buckets, parquet_export
from pipelines.warehouse.parquet_staging import StagedParquet
from pipelines.warehouse.settings import DBT_DATABASE_ENV

# The nightly load runs at 02:00; two hours of slack before a mart counts as stale.
MARTS_FRESHNESS = dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=26))


class LayeredTranslator(DagsterDbtTranslator):
    """Asset keys and groups named by layer: staging/stg_projects, marts/budget_by_project."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)
        layer = dbt_resource_props["fqn"][1] if len(dbt_resource_props["fqn"]) > 2 else "reference"
        return dg.AssetKey([layer, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props["fqn"]
        return fqn[1] if len(fqn) > 2 else "reference"

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        return ["team:data-engineering"]

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: Any) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        if spec.key.path[0] == "marts":
            return spec.replace_attributes(freshness_policy=MARTS_FRESHNESS)
        return spec


@dbt_assets(
    manifest=ensure_manifest(),
    project=dbt_project,
    dagster_dbt_translator=LayeredTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)),
)
def warehouse_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: BudgetWarehouse):
    if warehouse.uses_spark:
        from pipelines.engines.spark.steps import dbt_step

        yield from dbt_step(context, dbt, warehouse)
        return
    run_id = context.run.run_id
    if warehouse.is_unchanged(run_id):
        context.log.info("raw/ matches the published warehouse: the marts are current, nothing to rebuild")
        if not parquet_export.is_current(warehouse.published_path):
            context.log.info(f"{PARQUET_PROGRESS} (they do not match the published warehouse)")
            _log_exports(context, warehouse, warehouse.repair_parquet(run_id))
        warehouse.finish_unchanged(run_id)
        return
    build = warehouse.build_path(run_id)
    # Held back until dbt has exited (it locks the file), then sent on with the marts' row counts.
    events: list[Any] = []
    with duckdb.connect(str(build)) as con:
        scope = dbt_scope.build_scope(con, context.run.tags)
    scope.prepare(_target_path(warehouse))
    clock = time.perf_counter()
    try:
        with _environment({DBT_DATABASE_ENV: str(warehouse.dbt_database_path(run_id)), **scope.environment}):
            events.extend(dbt.cli(scope.args, context=context, target_path=_target_path(warehouse)).stream())
    finally:
        log_timing(context, "dbt build", clock)
        yield from _with_mart_metadata(context, events, build)
    with duckdb.connect(str(build)) as con:
        changed = _mart_changes(con, warehouse, scope)
        fingerprints.write(con, fingerprints.MODELS, fingerprints.model_fingerprint())
        changes.clear(con)
        dbt_scope.record_build(con, scope)
    # The Parquet copies are written before the publish, from the build as it will be published, so
    # that a failure (a full disk) leaves both the DuckDB file and its copies as they were.
    context.log.info(PARQUET_PROGRESS)
    clock = time.perf_counter()
    staged = warehouse.stage_parquet(run_id, changed=changed)
    log_timing(context, "parquet export", clock)
    context.log.info(PUBLISH_PROGRESS)
    clock = time.perf_counter()
    warehouse.publish(run_id, parquet=staged)
    log_timing(context, "publish", clock)
    context.log.info(f"published {warehouse.published_path}")
    _log_exports(context, warehouse, staged)


def _target_path(warehouse: BudgetWarehouse) -> Path:
    """dbt's target folder beside the warehouse, reused by each of its loads (one at a time).

    dagster-dbt would make a new folder per run under dbt_project/, which grows without end under
    a nightly schedule, and would start each run from the project's parse, rendered for another
    database path. Here dbt finds its own partial parse of the last load and skips parsing.
    """
    return warehouse.published_path.parent / f".{warehouse.published_path.stem}.dbt-target"


def _mart_changes(
    con: duckdb.DuckDBPyConnection, warehouse: BudgetWarehouse, scope: dbt_scope.BuildScope
) -> mart_changes.MartChanges | None:
    """What an incremental build changed, since the published file it was copied from (the load
    lock keeps that file in place until this run publishes); None after a full rebuild."""
    if scope.full_refresh or not warehouse.published_path.exists():
        return None
    since = parquet_export.published_identity(warehouse.published_path)
    return mart_changes.from_build(con, _target_path(warehouse) / "manifest.json", since=since)


def _log_exports(context: dg.AssetExecutionContext, warehouse: BudgetWarehouse, staged: StagedParquet) -> None:
    context.log.info(parquet_buckets.describe(staged.exports, parquet_export.parquet_dir(warehouse.published_path)))


def _with_mart_metadata(context: dg.AssetExecutionContext, events: Iterable[Any], build: Path) -> Iterator[Any]:
    """Row count and first rows of each mart built, read from the build copy dbt has just closed."""
    with duckdb.connect(str(build), read_only=True) as con:
        for event in events:
            if isinstance(event, dg.Output):
                key = context.asset_key_for_output(event.output_name)
                extra: dict[str, object] = {"engine": DUCKDB}
                if key.path[0] == "marts":
                    extra.update(_mart_profile(con, key.path[-1]))
                event = event.with_metadata({**event.metadata, **extra})
            yield event


def _mart_profile(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, object]:
    relation = con.sql(f'select * from marts."{table}"')  # dbt model names are identifiers
    row_count = con.execute(f'select count(*) from marts."{table}"').fetchall()[0][0]
    return {
        "dagster/row_count": row_count,
        "preview": dg.MetadataValue.md(markdown_table(relation.columns, relation.limit(5).fetchall())),
    }


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """dagster-dbt hands os.environ to the dbt process; this is how dbt learns the build file."""
    previous = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
