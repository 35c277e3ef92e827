"""The department table files under raw/, one partition per file.

A run materializes the partitions of the files it was asked to load and records what it found of
each (hash, size, whether the warehouse has read this version). The landing step after it still
reconciles the whole of raw/: conflicts between files and removals are only visible across all of
them, and the marts must equal raw/ whichever files a run was started for.
"""


import dagster as dg

from pipelines.defs.partitions import RAW_FILES, partition_key
from pipelines.defs.resources import BudgetWarehouse
from pipelines.load.discover import discover_raw_files

RAW_FILES_KEY = dg.AssetKey(["ingest", "raw_department_files"])


@dg.asset(
    key=RAW_FILES_KEY,
    group_name="ingest",
    kinds={"python", "file"},
    owners=["team:data-engineering"],
    partitions_def=RAW_FILES,
    # A backfill of many files is one run: one build copy, one dbt build, one publish.
    backfill_policy=dg.BackfillPolicy.single_run(),
    description="A department table (项目支出绩效目标表) under raw/; one partition per file, keyed by its path.",
)
def raw_department_files(context: dg.AssetExecutionContext, warehouse: BudgetWarehouse) -> dg.MaterializeResult:
    requested = set(context.partition_keys)
    files = {partition_key(f.source_path): f for f in discover_raw_files(warehouse.raw_path)}
    taken = warehouse.taken_hashes()
    for key in context.partition_keys:
        file = files.get(key)
        if file is None:
            context.add_asset_metadata({"state": "missing: removed from raw/ before this run"}, partition_key=key)
            continue
        previous = taken.get(file.source_path)
        state = "new" if previous is None else "unchanged" if previous == file.sha256 else "changed"
        context.add_asset_metadata(
            {
                "path": dg.MetadataValue.path(file.source_path),
                "sha256": file.sha256,
                "bytes": file.size_bytes,
                "state": state,
            },
            partition_key=key,
        )
    present = sum(1 for key in requested if key in files)
    context.log.info(f"{present} of {len(requested)} requested file(s) present under {warehouse.raw_path}")
    return dg.MaterializeResult()
