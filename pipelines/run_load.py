"""Running the load job in-process and summarising it from its events and the published file."""

from __future__ import annotations

import tempfile
from contextlib import ExitStack
from decimal import Decimal

import dagster as dg
import duckdb

from pipelines.warehouse import settings


def run_load(*, verbose: bool = True) -> dict:
    from pipelines.defs.definitions import build_definitions

    defs = build_definitions()
    job = defs.resolve_job_def("load_warehouse")
    with ExitStack() as stack:
        instance = stack.enter_context(_instance())
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "INFO" if verbose else "ERROR"}}}},
        )
    summary = _summary_from_events(result)
    summary.update(_warehouse_counts())
    summary["success"] = result.success
    summary["error"] = None if result.success else _first_failure(result)
    return summary


def _instance():
    """A persistent instance when DAGSTER_HOME is set (runs show in the UI), else a throwaway one."""
    import os

    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    return dg.instance_for_test(temp_dir=tempfile.mkdtemp(prefix="budget-dagster-"))


def _summary_from_events(result: dg.ExecuteInProcessResult) -> dict:
    metadata: dict = {}
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        if materialization and materialization.asset_key == dg.AssetKey(["landing", "department_tables"]):
            metadata = {k: v.value for k, v in materialization.metadata.items()}
    failed = [
        f"{e.asset_key.to_user_string()}: {e.check_name}"
        for e in result.get_asset_check_evaluations()
        if not e.passed
    ]
    issues = [
        line for e in result.get_asset_check_evaluations()
        if not e.passed and e.check_name in ("no_quarantined_files", "no_conflicting_files")
        for line in str(e.metadata.get("issues").value if e.metadata.get("issues") else "").splitlines()
    ]
    return {
        "warehouse": str(settings.warehouse_path()),
        "files": metadata.get("files_discovered", 0),
        "parsed_files": metadata.get("files_parsed", 0),
        "unchanged_files": metadata.get("files_unchanged", 0),
        "quarantined_files": metadata.get("files_quarantined", 0),
        "conflicting_files": metadata.get("files_in_conflict", 0),
        "removed_files": metadata.get("files_removed", 0),
        "failed_checks": failed,
        "issues": issues,
    }


def _warehouse_counts() -> dict:
    path = settings.warehouse_path()
    if not path.exists():
        return {"departments": 0, "projects": 0, "indicators": 0, "total_amount": Decimal("0.00")}
    with duckdb.connect(str(path), read_only=True) as con:
        departments, projects, total = con.execute(
            "select count(*), coalesce(sum(project_count), 0), coalesce(sum(total_amount), 0) "
            "from marts.department_comparison"
        ).fetchone()
        indicators = con.execute("select count(*) from landing.indicators").fetchone()[0]
    return {"departments": departments, "projects": projects, "indicators": indicators, "total_amount": total}


def _first_failure(result: dg.ExecuteInProcessResult) -> str:
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data:
            return event.step_failure_data.error.message.strip() if event.step_failure_data.error else "step failed"
    return "the run failed"
