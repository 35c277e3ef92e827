"""Parse, validate (pandera) and stage the raw files into the landing tables of the build copy."""


import time
from datetime import UTC, datetime

import dagster as dg
import duckdb

from pipelines.defs import dbt_scope
from pipelines.defs.assets.file_status import file_observations, registered_partitions, unobserved_problems
from pipelines.defs.assets.previews import markdown_table
from pipelines.defs.assets.raw_files import RAW_FILES_KEY
from pipelines.defs.checks import CHECK_SPECS, check_results
from pipelines.defs.no_change import unchanged_on
from pipelines.defs.partitions import MAX_FILES_PER_PARTITIONED_RUN, RAW_FILES
from pipelines.defs.resources import BudgetWarehouse
from pipelines.defs.timing import log_timing
from pipelines.display import printable
from pipelines.load.digest import IssueRow, digest
from pipelines.load.discover import scan_raw_dir
from pipelines.load.stage import StageOutcome, stage_raw_files

LANDING_KEYS = {
    table: dg.AssetKey(["landing", table])
    for table in (
        "department_tables", "funding_units", "projects", "indicators", "project_evaluations", "indicator_results",
        "load_issues",
    )
}
_DESCRIPTIONS = {
    "department_tables": "One row per loaded file: its 合计 row, with provenance.",
    "funding_units": "One row per 资金使用单位 (funding unit) and its subtotal row.",
    "projects": "One row per project with its amounts in 万元 and 绩效目标.",
    "indicators": "One row per 绩效指标 indicator, split from the project's cell.",
    "project_evaluations": "One row per project of a 项目支出绩效自评表: budget, execution and 总分.",
    "indicator_results": "One row per indicator of a 项目支出绩效自评表: target, actual, 分值 and 得分.",
    "load_issues": "Problems found in input files: quarantined files (error) and warnings.",
}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key,
            group_name="landing",
            kinds={"duckdb", "pandera"},
            owners=["team:data-engineering"],
            description=_DESCRIPTIONS[table],
            deps=[RAW_FILES_KEY],
            skippable=True,
        )
        for table, key in LANDING_KEYS.items()
    ],
    check_specs=CHECK_SPECS,
    can_subset=False,
)
def landing_tables(context: dg.AssetExecutionContext, warehouse: BudgetWarehouse):
    if warehouse.uses_spark:
        from pipelines.engines.spark.steps import landing_step

        yield from landing_step(context, warehouse)
        return
    run_id = context.run.run_id
    discovery = scan_raw_dir(warehouse.raw_path)
    files = discovery.files
    context.log.info(f"found {len(files)} table file(s) under {printable(str(warehouse.raw_path))}")
    clock = time.perf_counter()
    found = _unchanged(warehouse, run_id, files, discovery.skipped, context.run.tags)
    log_timing(context, "no-change check", clock)
    if found is not None:
        outcome, counts, profiles = found
        models_current = True
    else:
        clock = time.perf_counter()
        warehouse.build_path(run_id)  # the copy of the published file this run changes
        log_timing(context, "build copy", clock)
        with warehouse.build_connection(run_id) as con:
            outcome = stage_raw_files(
                con,
                files,
                now=datetime.now(UTC),
                progress=_progress_logger(context),
                skipped=discovery.skipped,
            )
            counts, profiles = _counts(con), {table: _table_profile(con, table) for table in LANDING_KEYS}
            models_current = dbt_scope.marts_current(con, context.run.tags)
    _log_outcome(context, outcome)
    registered = registered_partitions(context.instance, RAW_FILES.name)
    for observation in file_observations(outcome, files, registered, limit=MAX_FILES_PER_PARTITIONED_RUN):
        context.log_event(observation)
    if unobserved := unobserved_problems(outcome, limit=MAX_FILES_PER_PARTITIONED_RUN):
        context.log.info(f"{unobserved:,} more files that did not load are not shown one by one: see load_issues")
    for table, key in LANDING_KEYS.items():
        metadata = {**_metadata(table, counts[table], outcome), **profiles[table], "engine": warehouse.engine_name}
        yield dg.MaterializeResult(asset_key=key, metadata=metadata)
    yield from check_results(outcome)
    if not outcome.changed and models_current and warehouse.published_is_current():
        warehouse.mark_unchanged(run_id)
    elif not _dbt_in_run(context):
        warehouse.publish(run_id)


def _unchanged(
    warehouse: BudgetWarehouse, run_id: str, files, skipped, tags
) -> tuple[StageOutcome, dict, dict] | None:
    """A load that would change nothing, found on the published file itself, read-only: it needs
    no build copy (a whole-file copy, 2 GB at 250,000 departments; docs/benchmarks.md). None when
    anything would change, or the file predates what this check reads."""
    warehouse.hold_lock(run_id)  # no other load publishes between this check and the run's end
    if not warehouse.published_path.exists():
        return None
    try:
        with duckdb.connect(str(warehouse.published_path), read_only=True) as con:
            outcome = unchanged_on(con, files, skipped, tags)
            if outcome is None:
                return None
            return outcome, _counts(con), {table: _table_profile(con, table) for table in LANDING_KEYS}
    except duckdb.CatalogException:
        return None


def _counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {  # table names are the constants of LANDING_KEYS, never input
        table: con.execute(f"select count(*) from landing.{table}").fetchall()[0][0] for table in LANDING_KEYS
    }


def _dbt_in_run(context: dg.AssetExecutionContext) -> bool:
    selection = context.run.asset_selection
    # A whole-job run (the CLI, the schedule) carries an empty selection, not None.
    return not selection or any(key.path[0] in ("staging", "marts") for key in selection)


def _progress_logger(context: dg.AssetExecutionContext):
    def report(done: int, total: int) -> None:
        if done == total or done % 500 == 0:
            context.log.info(f"parsed {done}/{total} changed file(s)")

    return report


def _log_outcome(context: dg.AssetExecutionContext, outcome: StageOutcome) -> None:
    context.log.info(
        f"{outcome.discovered} file(s): {outcome.unchanged} unchanged, {len(outcome.loaded)} loaded, "
        f"{len(outcome.quarantined)} quarantined, {len(outcome.conflicted)} in conflict, "
        f"{len(outcome.removed)} removed, {len(outcome.skipped)} not read (see load_issues)"
    )
    # A line per issue while they are few; repeated ones counted (every one is in load_issues).
    for severity, log in (("error", context.log.error), ("warning", context.log.warning)):
        for line in digest([IssueRow.of(i) for i in outcome.issues if i.severity.value == severity]):
            log(line)


_PREVIEW_ROWS = 5
# Hashes and load times repeat on every row; the preview shows the data instead.
_PREVIEW_SKIPS = {"source_sha256", "loaded_at", "detected_at"}


def _table_profile(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, object]:
    """Departments, years and the first rows of a landing table, for its page in the Dagster UI."""
    name = f"landing.{table}"  # constant names from LANDING_KEYS
    departments, years = con.execute(
        f"select count(distinct department_name), list_sort(list(distinct fiscal_year)) from {name}"
    ).fetchall()[0]
    columns = [c for c in con.sql(f"select * from {name}").columns if c not in _PREVIEW_SKIPS]
    rows = con.execute(
        f"select {', '.join(columns)} from {name} order by source_path, source_line limit ?",
        [_PREVIEW_ROWS],
    ).fetchall()
    return {
        "departments": departments,
        "fiscal_years": ", ".join(str(year) for year in years or []),
        "preview": dg.MetadataValue.md(markdown_table(columns, rows)),
    }


def _metadata(table: str, row_count: int, outcome: StageOutcome) -> dict[str, object]:
    metadata: dict[str, object] = {"dagster/row_count": row_count}
    if table == "load_issues":
        metadata["issues_this_run"] = dg.MetadataValue.md(
            markdown_table(
                ["severity", "file", "page", "line", "category", "message"],
                [(i.severity.value, i.source_path, i.page or "", i.line or "", i.category.value, i.message)
                 for i in outcome.issues[:20]],
            )
        )
    if table == "department_tables":
        metadata.update(file_counts(outcome))
    return metadata


def file_counts(outcome: StageOutcome) -> dict[str, object]:
    """What became of the files under raw/, and where the step's time went (docs/benchmarks.md)."""
    return {
        "files_discovered": outcome.discovered,
        "files_parsed": outcome.parsed,
        "files_in_conflict": len(outcome.conflicted),
        "files_loaded": len(outcome.loaded),
        "files_unchanged": outcome.unchanged,
        "files_quarantined": len(outcome.quarantined),
        "files_removed": len(outcome.removed),
        "entries_not_read": len([i for i in outcome.skipped if i.severity.value == "error"]),
        **{f"seconds_{stage}": round(seconds, 2) for stage, seconds in outcome.seconds.items()},
    }
