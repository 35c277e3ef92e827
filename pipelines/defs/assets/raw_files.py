"""The department table files under raw/, one partition per file.

A run materializes the partitions of the files it was asked to load. What became of each file
(its hash, loaded or quarantined, and why) is recorded by the landing step, which decides it, as
an observation of the file's partition (pipelines/defs/assets/file_status.py). The landing step
reconciles the whole of raw/ whichever partitions a run was started for: conflicts between files
and removals are only visible across all of them, and the marts must equal raw/.
"""

import warnings

import dagster as dg

from pipelines.defs.partitions import RAW_FILES, partition_key
from pipelines.defs.resources import BudgetWarehouse
from pipelines.load.discover import discover_raw_files

RAW_FILES_KEY = dg.AssetKey(["ingest", "raw_department_files"])


# Dagster 1.13 marks `backfill_policy` beta; without it a backfill of many files would be a run
# per file. The warning would be printed at every import, even by `budget-warehouse load --quiet`.
warnings.filterwarnings("ignore", message="Parameter `backfill_policy`", category=dg.BetaWarning)


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
    # Metadata here is shared by every partition of the run: Dagster's per-partition metadata
    # re-reads all partition keys on each call, which costs minutes at 10,000 files.
    requested = context.partition_keys
    present = {partition_key(f.source_path) for f in discover_raw_files(warehouse.raw_path)}
    missing = [key for key in requested if key not in present]
    context.log.info(f"{len(requested) - len(missing)} of {len(requested)} requested file(s) present under raw/")
    for key in missing[:20]:
        context.log.warning(f"{key}: removed from raw/ before this run; the landing step drops its rows")
    return dg.MaterializeResult(
        metadata={"files_in_run": len(requested), "raw_dir": dg.MetadataValue.path(str(warehouse.raw_path))}
    )
