"""The whole load: raw files to published marts, in one process so steps share the build copy."""

import dagster as dg

load_warehouse_job = dg.define_asset_job(
    name="load_warehouse",
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="Load every table under raw/ into the warehouse and rebuild the marts.",
)
