"""A load plan in Dagster's terms: the partitions to register and the run that loads the changes.

A run over the changed files' partitions records one materialization per file; when no file is
new or changed (only removals, or a nightly check) the run leaves the file asset out and only
reconciles the landing tables and rebuilds the marts, so a quiet night writes no per-file events.
"""

from __future__ import annotations

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from pipelines.defs.assets.dbt import warehouse_dbt_models
from pipelines.defs.assets.landing import LANDING_KEYS
from pipelines.defs.partitions import RAW_FILES, partition_key
from pipelines.defs.resources import BudgetWarehouse
from pipelines.load.discover import discover_raw_files
from pipelines.load.plan import LoadPlan, plan_load

# Everything downstream of the files: what a run without file partitions materializes.
RECONCILE_SELECTION = [*LANDING_KEYS.values(), *warehouse_dbt_models.keys]


def current_plan(warehouse: BudgetWarehouse, instance: dg.DagsterInstance) -> LoadPlan:
    return plan_load(
        discover_raw_files(warehouse.raw_path),
        warehouse.taken_hashes(),
        instance.get_dynamic_partitions(RAW_FILES.name),
        partition_key,
    )


def partition_requests(plan: LoadPlan) -> list[dg.AddDynamicPartitionsRequest | dg.DeleteDynamicPartitionsRequest]:
    requests: list = []
    if plan.partitions_to_add:
        requests.append(RAW_FILES.build_add_request(plan.partitions_to_add))
    if plan.partitions_to_delete:
        requests.append(RAW_FILES.build_delete_request(plan.partitions_to_delete))
    return requests


def register_partitions(instance: dg.DagsterInstance, plan: LoadPlan) -> None:
    """For callers that act on the instance themselves (the schedule, the CLI); sensors return requests."""
    if plan.partitions_to_add:
        instance.add_dynamic_partitions(RAW_FILES.name, plan.partitions_to_add)
    for key in plan.partitions_to_delete:
        instance.delete_dynamic_partition(RAW_FILES.name, key)


def run_target(plan: LoadPlan) -> dict:
    """Tags and asset selection of the run that loads this plan (for RunRequest or execute_in_process)."""
    if plan.partition_range is None:
        return {"tags": {}, "asset_selection": RECONCILE_SELECTION}
    start, end = plan.partition_range
    return {
        "tags": {ASSET_PARTITION_RANGE_START_TAG: start, ASSET_PARTITION_RANGE_END_TAG: end},
        "asset_selection": None,
    }


def run_request(plan: LoadPlan, *, run_key: str | None = None) -> dg.RunRequest:
    return dg.RunRequest(run_key=run_key, **run_target(plan))


def prepare_in_process_load(warehouse: BudgetWarehouse, instance: dg.DagsterInstance) -> tuple[LoadPlan, dict]:
    """Plan, register the partitions, and give the keyword arguments of `execute_in_process`."""
    plan = current_plan(warehouse, instance)
    register_partitions(instance, plan)
    return plan, run_target(plan)
