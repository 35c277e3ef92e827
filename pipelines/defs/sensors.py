"""Notice new, changed and removed files under raw/, keep one partition per file, request a load."""


import hashlib

import dagster as dg

from pipelines.defs.jobs import load_warehouse_job
from pipelines.defs.load_requests import current_plan, describe_run, partition_requests, run_request
from pipelines.defs.resources import BudgetWarehouse
from pipelines.load.discover import discover_raw_files
from pipelines.warehouse import settings


@dg.sensor(
    name="raw_files_changed",
    job=load_warehouse_job,
    minimum_interval_seconds=settings.sensor_interval_seconds(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Adds a partition for each new file and removes those of deleted files; requests a load of "
        "the new and changed files (by SHA-256), or a reconciling load when files were only removed."
    ),
)
def raw_files_changed(context: dg.SensorEvaluationContext, warehouse: BudgetWarehouse):
    if running := _loads_in_flight(context.instance):
        # A second load would be refused by the load lock and its changes left until the night;
        # waiting keeps the cursor, so the first tick after this load requests what it missed.
        return dg.SkipReason(f"{running} load(s) queued or running; raw/ is checked again after them")
    files = discover_raw_files(warehouse.raw_path)
    # The cursor is the set of (path, hash) last acted on: a tick with the same raw/ does nothing,
    # even while the load it requested is still running.
    fingerprint = hashlib.sha256(
        "\n".join(f"{f.source_path}\t{f.sha256}" for f in files).encode("utf-8")
    ).hexdigest()
    requests_made, last_fingerprint = _read_cursor(context.cursor)
    if fingerprint == last_fingerprint:
        return dg.SkipReason(f"{len(files)} file(s) under raw/, unchanged since the last evaluation")
    plan = current_plan(warehouse, context.instance)
    context.log.info(describe_run(plan))
    # Dagster never launches a run key twice. raw/ can come back to an earlier state (a file
    # added, then removed), so the key counts the requests instead of naming the state.
    run_key = f"{requests_made + 1}:{fingerprint}"
    return dg.SensorResult(
        run_requests=[run_request(plan, run_key=run_key)] if plan.has_changes else [],
        skip_reason=None if plan.has_changes else f"{plan.describe()}: the warehouse has them all",
        dynamic_partitions_requests=partition_requests(plan),
        cursor=f"{requests_made + plan.has_changes}:{fingerprint}",
    )


def _read_cursor(cursor: str | None) -> tuple[int, str | None]:
    """(requests made so far, fingerprint of raw/ last acted on) from "N:fingerprint"."""
    if not cursor:
        return 0, None
    count, _, fingerprint = cursor.rpartition(":")
    return (int(count), fingerprint) if count.isdigit() else (0, fingerprint)


_IN_FLIGHT = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]


def _loads_in_flight(instance: dg.DagsterInstance) -> int:
    return instance.get_runs_count(dg.RunsFilter(job_name=load_warehouse_job.name, statuses=_IN_FLIGHT))
