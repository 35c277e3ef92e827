"""The dbt models as assets, built on the run's warehouse copy, which is then published."""


import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from pipelines.defs.project import dbt_project, ensure_manifest
from pipelines.defs.resources import BudgetWarehouse
from pipelines.warehouse.settings import DBT_DATABASE_ENV


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


@dbt_assets(
    manifest=ensure_manifest(),
    project=dbt_project,
    dagster_dbt_translator=LayeredTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)),
)
def warehouse_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: BudgetWarehouse):
    run_id = context.run.run_id
    if warehouse.is_unchanged(run_id):
        context.log.info("raw/ matches the published warehouse: the marts are current, nothing to rebuild")
        warehouse.finish_unchanged(run_id)
        return
    build = warehouse.build_path(run_id)
    with _environment({DBT_DATABASE_ENV: str(build)}):
        yield from dbt.cli(["build"], context=context).stream()
    warehouse.publish(run_id)
    context.log.info(f"published {warehouse.published_path}")


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
