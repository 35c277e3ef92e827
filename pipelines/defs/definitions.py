"""Assemble the Dagster definitions from their parts."""

from __future__ import annotations

import dagster as dg

from pipelines.defs.assets.dbt import warehouse_dbt_models
from pipelines.defs.assets.landing import landing_tables
from pipelines.defs.assets.raw_files import raw_department_files
from pipelines.defs.dbt_resource import ProjectDbtCliResource
from pipelines.defs.jobs import load_warehouse_job
from pipelines.defs.project import dbt_executable, dbt_project
from pipelines.defs.resources import BudgetWarehouse, default_warehouse
from pipelines.defs.schedules import nightly_load_schedule
from pipelines.defs.sensors import raw_files_changed


def build_definitions(warehouse: BudgetWarehouse | None = None) -> dg.Definitions:
    return dg.Definitions(
        assets=[raw_department_files, landing_tables, warehouse_dbt_models],
        jobs=[load_warehouse_job],
        schedules=[nightly_load_schedule],
        sensors=[raw_files_changed],
        resources={
            "warehouse": warehouse or default_warehouse(),
            "dbt": ProjectDbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
        },
    )
