"""A load plan in Dagster's terms: the partitions to register and the run that loads the changes.

A run over the changed files' partitions records one materialization per file; when no file is
new or changed (only removals, or a nightly check) the run leaves the file asset out and only
reconciles the landing tables and rebuilds the marts, so a quiet night writes no per-file events.

Dagster writes about three events per file in a partitioned run (planned, materialized, and the
landing step's observation), some 11 ms each on its default SQLite storage (docs/benchmarks.md).
A bulk change of more than MAX_FILES_PER_PARTITIONED_RUN files (a first load of thousands of
departments) is therefore loaded by a run without file partitions: the same rows and marts in a
fraction of the time; the files' partitions are registered all the same.
"""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from pipelines.defs.assets.dbt import warehouse_dbt_models
from pipelines.defs.assets.landing import LANDING_KEYS
from pipelines.defs.partitions import MAX_FILES_PER_PARTITIONED_RUN, RAW_FILES, partition_key
from pipelines.defs.resources import BudgetWarehouse
from pipelines.load.discover import discover_raw_files
from pipelines.load.plan import LoadPlan, plan_load

# Everything downstream of the files: what a run without file partitions materializes.
RECONCILE_SELECTION = [*LANDING_KEYS.values(), *warehouse_dbt_models.keys]


def current_plan(warehouse: BudgetWarehouse, instance: dg.DagsterInstance) -> LoadPlan:
    files = discover_raw_files(warehouse.raw_path)
    return plan_load(
        files, warehouse.listing_diff(files), instance.get_dynamic_partitions(RAW_FILES.name), partition_key
    )


# Dagster's SQLite storage looks up the keys it is given in one query, and SQLite takes at most
# 32,766 parameters a statement: 250,000 new files are registered a slice at a time.
PARTITION_KEYS_PER_REQUEST = 10_000


def _slices(keys: Sequence[str]) -> list[Sequence[str]]:
    return [keys[start:start + PARTITION_KEYS_PER_REQUEST] for start in range(0, len(keys), PARTITION_KEYS_PER_REQUEST)]


def partition_requests(plan: LoadPlan) -> list[dg.AddDynamicPartitionsRequest | dg.DeleteDynamicPartitionsRequest]:
    requests: list = [RAW_FILES.build_add_request(list(keys)) for keys in _slices(plan.partitions_to_add)]
    requests += [RAW_FILES.build_delete_request(list(keys)) for keys in _slices(plan.partitions_to_delete)]
    return requests


def register_partitions(instance: dg.DagsterInstance, plan: LoadPlan) -> None:
    """For callers that act on the instance themselves (the schedule, the CLI); sensors return requests."""
    for keys in _slices(plan.partitions_to_add):
        instance.add_dynamic_partitions(RAW_FILES.name, keys)
    for key in plan.partitions_to_delete:
        instance.delete_dynamic_partition(RAW_FILES.name, key)


def uses_file_partitions(plan: LoadPlan) -> bool:
    return plan.partition_range is not None and len(plan.changed_keys) <= MAX_FILES_PER_PARTITIONED_RUN


def run_target(plan: LoadPlan, *, partitioned: bool = True) -> dict:
    """Tags and asset selection of the run that loads this plan (for RunRequest or execute_in_process)."""
    if not (partitioned and uses_file_partitions(plan)):
        return {"tags": {}, "asset_selection": RECONCILE_SELECTION}
    start, end = plan.partition_range
    return {
        "tags": {ASSET_PARTITION_RANGE_START_TAG: start, ASSET_PARTITION_RANGE_END_TAG: end},
        "asset_selection": None,
    }


def describe_run(plan: LoadPlan, *, partitioned: bool = True) -> str:
    """One line for logs and progress: what the run will cover."""
    if partitioned and uses_file_partitions(plan):
        start, end = plan.partition_range
        span = start if start == end else f"{start} … {end}"
        return f"{plan.describe()}; the run covers the file partition(s) {span}"
    if plan.partition_range is not None and partitioned:
        return (
            f"{plan.describe()}; more than {MAX_FILES_PER_PARTITIONED_RUN:,} new or changed files: "
            "loaded in one run without per-file partition events"
        )
    return plan.describe()


def run_request(plan: LoadPlan, *, run_key: str | None = None) -> dg.RunRequest:
    return dg.RunRequest(run_key=run_key, **run_target(plan))


def prepare_in_process_load(
    warehouse: BudgetWarehouse, instance: dg.DagsterInstance, *, partitioned: bool = True
) -> tuple[LoadPlan, dict]:
    """Plan, register the partitions, and give the keyword arguments of `execute_in_process`.

    `partitioned=False` is for a throwaway instance: nobody will see its per-file events.
    """
    plan = current_plan(warehouse, instance)
    if partitioned:
        register_partitions(instance, plan)
    return plan, run_target(plan, partitioned=partitioned)
