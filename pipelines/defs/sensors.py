"""Notice new, changed and removed files under raw/ and request a load."""


import hashlib

import dagster as dg

from pipelines.defs.jobs import load_warehouse_job
from pipelines.defs.resources import BudgetWarehouse
from pipelines.load.discover import discover_raw_files


@dg.sensor(
    name="raw_files_changed",
    job=load_warehouse_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Requests a load when the set of files under raw/ or their contents change.",
)
def raw_files_changed(context: dg.SensorEvaluationContext, warehouse: BudgetWarehouse):
    files = discover_raw_files(warehouse.raw_path)
    fingerprint = hashlib.sha256(
        "\n".join(f"{f.source_path}\t{f.sha256}" for f in files).encode("utf-8")
    ).hexdigest()
    if fingerprint == context.cursor:
        return dg.SkipReason(f"{len(files)} file(s) under raw/, unchanged since the last load request")
    context.update_cursor(fingerprint)
    return dg.RunRequest(run_key=fingerprint)
