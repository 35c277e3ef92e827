"""Running the load job in-process and summarising it from its events and the published file."""

from __future__ import annotations

import io
import logging
import re
import shutil
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from contextlib import ExitStack, redirect_stdout
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg
import duckdb

from pipelines.defs.progress import PARQUET_PROGRESS, PUBLISH_PROGRESS
from pipelines.display import printable
from pipelines.engines import SPARK, engine_from_environment
from pipelines.ingest.errors import DISCOVERY_CATEGORIES
from pipelines.load.digest import IssueRow, digest
from pipelines.warehouse import parquet_export, settings
from pipelines.warehouse.damage import damaged_warehouse_line

if TYPE_CHECKING:
    from pipelines.defs.no_change import NoChange

Report = Callable[[str], None]

# The landing and dbt steps' own log lines (pipelines/defs/assets/landing.py, dbt.py) mark their progress.
_PARSED = re.compile(r"parsed (\d+)/(\d+) changed file")
# dbt's own result lines, e.g. "7 of 61 OK created sql table model marts.budget_by_project ....".
_DBT_RESULT = re.compile(
    r"^(\d+) of (\d+) (OK created sql \w+ model (\S+)|(?:FAIL|ERROR|WARN)\b.*?)\s*(?:\.{2,}|\[|$)"
)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_STAGES = {
    "ingest__raw_department_files": "recording the new and changed files (one partition each)",
    "landing_tables": "parsing, validating (pandera) and staging changed files",
    "warehouse_dbt_models": "dbt build: staging views, marts and their tests",
}
_DEPARTMENT_TABLES = dg.AssetKey(["landing", "department_tables"])
_LOAD_ISSUES = dg.AssetKey(["landing", "load_issues"])
_LOG_TAIL_LINES = 30
# Errors (quarantined files) are listed by the final summary; warnings are shown here, up to this many.
_MAX_WARNINGS = 10


def run_load(*, progress: Report | None = None) -> dict:
    """Run `load_warehouse`; `progress` gets one short line per stage, batch of files and dbt model.

    Dagster's console logger and dbt's output stay quiet: the progress lines replace them, and
    dbt's output is kept to show when the load fails.
    """
    if progress is not None:
        progress("loading the Dagster definitions and the dbt manifest")
    from pipelines.defs.definitions import build_definitions
    from pipelines.defs.load_requests import describe_run, prepare_in_process_load
    from pipelines.defs.resources import default_warehouse

    warehouse = default_warehouse()
    defs = build_definitions(warehouse)
    job = defs.resolve_job_def("load_warehouse")
    run_id = str(uuid.uuid4())
    reporter = _ProgressReporter(progress)
    # dagster-dbt echoes every dbt log line to stdout, which belongs to --json: it comes here instead.
    dbt_output = _DbtOutput(reporter.dbt_line if progress is not None else None)
    with ExitStack() as stack:
        instance = stack.enter_context(_instance())
        if progress is not None:
            instance.add_event_listener(run_id, reporter)
        plan, target = prepare_in_process_load(warehouse, instance)
        if progress is not None:
            progress(describe_run(plan))
        stack.enter_context(redirect_stdout(dbt_output))
        result = job.execute_in_process(
            instance=instance,
            run_id=run_id,
            **target,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
        )
        seconds = _seconds(instance, run_id, result)
    summary = _summary_from_events(result)
    summary["seconds"] = seconds
    summary.update(_warehouse_counts())
    summary["success"] = result.success
    summary["dagster_home"] = str(settings.dagster_home().resolve())
    summary["error"] = None if result.success else _first_failure(result)
    # dbt's last lines tell why dbt failed; after a dbt that succeeded (the load failed later,
    # publishing or exporting) they end in "Completed successfully", a contradiction beside
    # "load FAILED".
    summary["log_tail"] = [] if result.success else dbt_tail(dbt_output.lines)
    summary["error_details"] = None if result.success else first_failure_details(result)
    return summary


# dbt's last word when nothing failed: "Completed successfully", or "Completed with 2 warnings:".
_DBT_SUCCEEDED = re.compile(r"^Completed (?:successfully|with \d+ warnings?:?)$")


def dbt_tail(lines: Iterable[str]) -> list[str]:
    """dbt's last lines for a failed load: none when dbt itself succeeded."""
    lines = list(lines)
    return [] if any(_DBT_SUCCEEDED.match(line.strip()) for line in lines) else lines


def refused_summary(error: str) -> dict:
    """The summary of a load that stopped before its run (another load holds the lock): no file
    was counted, and the counts are the published warehouse's, which is unchanged."""
    summary = _file_summary({}, failed=[])
    summary.update(_warehouse_counts())
    summary.update(
        success=False, dagster_home=str(settings.dagster_home().resolve()), error=error, log_tail=[],
        seconds={},
    )
    return summary


class _DbtOutput(io.TextIOBase):
    """Stands in for stdout during the run: keeps dbt's lines and hands each one on as it comes."""

    def __init__(self, on_line: Report | None) -> None:
        self.lines: deque[str] = deque(maxlen=_LOG_TAIL_LINES)
        self._on_line = on_line
        self._pending = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._pending += text
        *complete, self._pending = self._pending.split("\n")
        for line in complete:
            line = _ANSI.sub("", line).rstrip()
            self.lines.append(line)
            if self._on_line is not None:
                self._on_line(line)
        return len(text)


class _ProgressReporter:
    """Turns the run's events into progress lines: stage, files parsed of total, dbt nodes done, elapsed."""

    def __init__(self, report: Report | None) -> None:
        self._report = report
        self._warnings = 0

    def dbt_line(self, line: str) -> None:
        if match := _DBT_RESULT.match(line):
            done, total, outcome, model = match.groups()
            self._say(f"dbt {done}/{total}: {f'built {model}' if model else outcome.strip()}")

    def __call__(self, entry) -> None:  # dagster's EventLogEntry
        event = entry.dagster_event
        if event is None:
            self._on_log(entry)
        elif event.event_type == dg.DagsterEventType.STEP_START and event.step_key in _STAGES:
            self._say(_STAGES[event.step_key])
        elif event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
            self._on_materialization(event.step_materialization_data.materialization)
        elif event.event_type == dg.DagsterEventType.STEP_FAILURE:
            self._say(f"step {event.step_key} failed")

    def _on_log(self, entry) -> None:
        message = entry.user_message or ""
        if match := _PARSED.search(message):
            self._say(f"parsed {match[1]} of {match[2]} changed file(s)")
        elif entry.level == logging.WARNING:
            self._warnings += 1
            if self._warnings <= _MAX_WARNINGS:
                first = message.strip().splitlines()[0] if message.strip() else message
                self._say(f"warning: {first.removeprefix('warning: ')}")
            elif self._warnings == _MAX_WARNINGS + 1:
                self._say("more warnings: see marts.load_issues")
        elif message.startswith("raw/ matches the published warehouse"):
            self._say("nothing changed under raw/: the marts are current")
        elif message.startswith((PARQUET_PROGRESS, PUBLISH_PROGRESS)):
            self._say(message)

    def _on_materialization(self, materialization: dg.AssetMaterialization) -> None:
        if materialization.asset_key == _DEPARTMENT_TABLES:
            values = {key: value.value for key, value in materialization.metadata.items()}
            self._say(
                f"staged: {values.get('files_loaded', 0)} loaded, {values.get('files_unchanged', 0)} unchanged, "
                f"{values.get('files_quarantined', 0)} quarantined, {values.get('files_in_conflict', 0)} in conflict"
            )

    def _say(self, text: str) -> None:
        if self._report is not None:
            self._report(text)


def _instance() -> dg.DagsterInstance:
    """The instance the UI reads: DAGSTER_HOME, else the project's .dagster_home (settings.dagster_home).

    Persistent, so that `make dev` and `make serve` show this load's run, row counts and check
    results. Bulk loads stay fast all the same: more than MAX_FILES_PER_PARTITIONED_RUN changed
    files run without per-file events (pipelines/defs/load_requests.py, docs/benchmarks.md).
    """
    home = settings.dagster_home().resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    committed = settings.DEFAULT_DAGSTER_HOME / "dagster.yaml"
    if not config.exists() and committed.exists():
        # A new DAGSTER_HOME gets the project's settings (run queue, retention, telemetry off);
        # without them Dagster would also print its telemetry notice into the summary.
        shutil.copyfile(committed, config)
    if not _default_storage(config):
        return dg.DagsterInstance.from_config(str(home))  # Postgres, other folders: as configured
    from dagster._core.instance.ref import InstanceRef

    # Dagster's own SQLite files, written through one open connection each (pipelines/defs/event_storage.py).
    event_log = {
        "module": "pipelines.defs.event_storage",
        "class": "PersistentSqliteEventLogStorage",
        "config": {"base_dir": str(home / "history" / "runs")},  # where Dagster's default keeps them
    }
    return dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(home), overrides={"event_log_storage": event_log}))


# dagster.yaml settings that choose where runs and events are stored.
_STORAGE_SETTINGS = {"storage", "run_storage", "event_log_storage", "schedule_storage"}


def _default_storage(config: Path) -> bool:
    import yaml

    chosen = (yaml.safe_load(config.read_text(encoding="utf-8")) if config.exists() else None) or {}
    return not _STORAGE_SETTINGS & set(chosen)


def _seconds(instance: dg.DagsterInstance, run_id: str, result: dg.ExecuteInProcessResult) -> dict[str, float]:
    """Where the run's time went: each step, the landing step's parse/validate/stage, and the
    timed parts of the steps (build copy, dbt build, publish, Parquet export)."""
    from pipelines.defs.timing import PREFIX, read_timing

    seconds: dict[str, float] = {}
    for stats in instance.get_run_step_stats(run_id):
        if stats.start_time is not None and stats.end_time is not None:
            seconds[f"step {stats.step_key}"] = round(stats.end_time - stats.start_time, 2)
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        if materialization and materialization.asset_key == _DEPARTMENT_TABLES:
            for key, value in materialization.metadata.items():
                if key.startswith("seconds_"):
                    seconds[key.removeprefix("seconds_")] = value.value
    for entry in instance.all_logs(run_id):
        is_timing = entry.dagster_event is None and (entry.user_message or "").startswith(PREFIX)
        if is_timing and (timing := read_timing(entry.user_message)) is not None:
            seconds[timing[0]] = timing[1]
    return seconds


def no_change_summary(found: NoChange, *, progress: Report | None = None) -> dict:
    """The summary of a load that found nothing to do before any run (pipelines/defs/no_change.py).

    The same keys and counts as a full run's: the checks that would run are the landing step's,
    of which only the file check can fail, on entries under raw/ that cannot be read. The Dagster
    UI gets one observation of landing/department_tables, so the asset's page shows the check.
    """
    from pipelines.contract.issues import Severity
    from pipelines.defs.assets.landing import file_counts

    if progress is not None:
        progress("nothing changed under raw/: the marts are current (no run needed)")
    metadata = {**file_counts(found.outcome), "seconds_no-change check": round(found.seconds, 2)}
    with _instance() as instance:
        instance.report_runless_asset_event(
            dg.AssetObservation(
                asset_key=_DEPARTMENT_TABLES,
                description="raw/ matches the published warehouse: no run was needed",
                metadata=metadata,
            )
        )
    unreadable = any(i.severity is Severity.ERROR for i in found.outcome.issues)
    summary = _file_summary(
        metadata, failed=[f"{_LOAD_ISSUES.to_user_string()}: no_quarantined_files"] if unreadable else []
    )
    summary["seconds"] = {"no-change check": round(found.seconds, 2)}
    summary.update(_warehouse_counts())
    summary.update(
        success=True, dagster_home=str(settings.dagster_home().resolve()), error=None, log_tail=[], error_details=None
    )
    return summary


def _summary_from_events(result: dg.ExecuteInProcessResult) -> dict:
    metadata: dict = {}
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        if materialization and materialization.asset_key == _DEPARTMENT_TABLES:
            metadata = {k: v.value for k, v in materialization.metadata.items()}
    failed = [
        f"{e.asset_key.to_user_string()}: {e.check_name}"
        for e in result.get_asset_check_evaluations()
        if not e.passed
    ]
    issues = [
        line
        for e in result.get_asset_check_evaluations()
        if not e.passed and e.check_name in ("no_quarantined_files", "no_conflicting_files")
        for line in str(e.metadata.get("issues").value if e.metadata.get("issues") else "").splitlines()
    ]
    return _file_summary(metadata, failed=failed, issues=issues)


def _file_summary(metadata: dict, *, failed: list[str], issues: list[str] | None = None) -> dict:
    return {
        "warehouse": str(settings.warehouse_path()),
        "files": metadata.get("files_discovered", 0),
        "parsed_files": metadata.get("files_parsed", 0),
        "unchanged_files": metadata.get("files_unchanged", 0),
        "quarantined_files": metadata.get("files_quarantined", 0),
        "conflicting_files": metadata.get("files_in_conflict", 0),
        "removed_files": metadata.get("files_removed", 0),
        "failed_checks": failed,
        "issues": issues or [],
        # False when the run failed before the landing step counted the files: the counts above
        # are then not "0 files", but unknown.
        "files_counted": bool(metadata),
    }


def _warehouse_counts() -> dict:
    path = settings.warehouse_path()
    try:
        if engine_from_environment() == SPARK:
            return _spark_counts(path)
        return _published_counts(path)
    except (duckdb.IOException, duckdb.CatalogException):
        # No warehouse yet, or one without marts: the first load failed before dbt finished.
        return {
            "departments": 0,
            "projects": 0,
            "indicators": 0,
            "total_amount": Decimal("0.00"),
            "mart_rows": {},
            "parquet_dir": None,
            "unread_entries": 0,
        }


def _published_counts(path: Path) -> dict:
    if not path.exists():
        raise duckdb.IOException(f"{path} does not exist")
    with duckdb.connect(str(path), read_only=True) as con:
        return _counts(con, path)


def _spark_counts(path: Path) -> dict:
    """The same counts, from the Spark engine's Parquet landing and marts (pipelines/engines/spark)."""
    from pipelines.engines.spark import published
    from pipelines.engines.spark.settings import landing_dir

    with published.parquet_connection(landing_dir(path), marts_dir=parquet_export.parquet_dir(path)) as con:
        return _counts(con, path)


def _counts(con: duckdb.DuckDBPyConnection, path: Path) -> dict:
    departments, projects, total = con.execute(
        "select count(*), coalesce(sum(project_count), 0), coalesce(sum(total_amount), 0) "
        "from marts.department_comparison"
    ).fetchall()[0]
    indicators = con.execute("select count(*) from landing.indicators").fetchall()[0][0]
    # What is wrong under raw/ now, not only what this run found: a file quarantined by an
    # earlier load and left unchanged is still missing from the marts.
    quarantined, conflicting = con.execute(
        "select count(*) filter (where status = 'quarantined'), count(*) filter (where status = 'conflict') "
        "from landing.raw_files"
    ).fetchall()[0]
    # Entries under raw/ that could not be read at all (symlink loops, FIFOs, locked folders).
    ((unread,),) = con.execute(
        "select count(distinct source_path) from landing.load_issues "
        "where severity = 'error' and category in (select unnest($c::varchar[]))",
        {"c": sorted(c.value for c in DISCOVERY_CATEGORIES)},
    ).fetchall()
    errors = [
        IssueRow("error", path, category, message, line, page)
        for path, line, category, message, page in con.execute(
            "select source_path, source_line, category, message, source_page from landing.load_issues "
            "where severity = 'error' order by source_path, source_page, source_line"
        ).fetchall()
    ]
    # Mart names come from the catalog, not from input.
    marts = {table: _count(con, f'marts."{table}"') for table in parquet_export.mart_tables(con)}
    return {
        "departments": departments,
        "projects": projects,
        "indicators": indicators,
        "total_amount": total,
        "quarantined_files": quarantined,
        "conflicting_files": conflicting,
        "unread_entries": unread,
        "issues": [row.describe() for row in errors],
        # The terminal's view of them: repeated issues counted, not printed one by one.
        "issue_lines": digest(errors),
        "mart_rows": marts,
        "parquet_dir": str(parquet_export.parquet_dir(path)),
    }


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    ((rows,),) = con.execute(f"select count(*) from {table}").fetchall()
    return rows


def _first_failure(result: dg.ExecuteInProcessResult) -> str:
    """The first failed step and its innermost cause ("another load is running on …", "no space
    left …"), not Dagster's wrapper ("Error occurred while executing op …") nor the Python class
    path that Dagster puts before the message."""
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data:
            error = event.step_failure_data.error
            if error is None:
                return f"step {event.step_key} failed"
            # Dagster wraps what the step raised; the first error of our own (or the OS's) is the
            # clear one: deeper causes (BlockingIOError under "another load is running") say less.
            while error.cause is not None and error.cls_name.startswith("Dagster"):
                error = error.cause
            said = without_class_path(error.message.strip(), error.cls_name)
            damaged = damaged_warehouse_line(said, settings.warehouse_path())
            return printable(damaged or f"{event.step_key}: {said}")
    return "the run failed"


def without_class_path(message: str, cls_name: str | None) -> str:
    """`pipelines.warehouse.publish.LoadInProgressError: another load …` -> `another load …`."""
    if not cls_name:
        return message
    return re.sub(rf"^(?:[A-Za-z_][\w.]*\.)?{re.escape(cls_name)}: ", "", message, count=1)


def first_failure_details(result: dg.ExecuteInProcessResult) -> str:
    """The whole error chain with tracebacks, for --debug."""
    return "\n".join(
        event.step_failure_data.error.to_string()
        for event in result.all_events
        if event.is_step_failure and event.step_failure_data and event.step_failure_data.error
    )
