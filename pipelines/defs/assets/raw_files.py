"""The department table files under raw/: what the load will read, with their hashes."""


import dagster as dg

from pipelines.defs.assets.previews import markdown_table
from pipelines.defs.resources import BudgetWarehouse
from pipelines.load.discover import RawFile, discover_raw_files


@dg.asset(
    key=["ingest", "raw_department_files"],
    group_name="ingest",
    kinds={"python", "file"},
    owners=["team:data-engineering"],
    description="Department tables (项目支出绩效目标表) found under raw/, with size and SHA-256.",
)
def raw_department_files(context: dg.AssetExecutionContext, warehouse: BudgetWarehouse) -> dg.Output[list[RawFile]]:
    files = discover_raw_files(warehouse.raw_path)
    context.log.info(f"found {len(files)} table file(s) under {warehouse.raw_path}")
    years = sorted({f.relative_path.parts[0] for f in files if len(f.relative_path.parts) > 1})
    return dg.Output(
        files,
        metadata={
            "raw_dir": dg.MetadataValue.path(str(warehouse.raw_path)),
            "file_count": len(files),
            "total_bytes": sum(f.size_bytes for f in files),
            "year_folders": ", ".join(years),
            "files": dg.MetadataValue.md(
                markdown_table(
                    ["path", "bytes", "sha256"],
                    [(f.source_path, f.size_bytes, f.sha256[:16] + "…") for f in files[:20]],
                )
            ),
        },
    )
