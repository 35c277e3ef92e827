"""`budget-warehouse load`: run the Dagster load job in-process and print what it did.

`budget-warehouse report` writes one department's report (pipelines/report).

When raw/ matches the published warehouse it says so without a run (pipelines/defs/no_change.py).

Exit codes: 0 clean; 3 loaded, but some files were quarantined or in conflict, or some entries under
raw/ could not be read (see marts.load_issues); 1 the load failed; 130 (SIGINT, Ctrl-C) and 143
(SIGTERM) the load was stopped, and nothing published changed (pipelines/interruption.py). A wrong
path, a failed load or a stop is one line on stderr; --debug adds the traceback of a failure.
"""

from __future__ import annotations

import argparse
import atexit
import importlib.util
import json
import os
import signal
import sys
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipelines import interruption
from pipelines.display import printable
from pipelines.engines import DEFAULT_ENGINE, ENGINE_ENV, ENGINES, SPARK, EngineError, engine_from_environment
from pipelines.engines.spark import settings as spark_settings
from pipelines.report import command as report_command
from pipelines.warehouse import settings
from pipelines.warehouse.damage import damaged_warehouse_line

EXIT_OK, EXIT_FAILED, EXIT_QUARANTINED = 0, 1, 3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="budget-warehouse", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser("load", help="load raw/ into the warehouse and rebuild the marts")
    load.add_argument("--raw-dir", type=Path, help=f"input folder (default ${settings.RAW_DIR_ENV} or raw/)")
    load.add_argument(
        "--warehouse",
        type=Path,
        help=f"DuckDB file (default ${settings.WAREHOUSE_ENV} or warehouse/budget.duckdb)",
    )
    output = load.add_mutually_exclusive_group()
    output.add_argument(
        "--quiet", action="store_true", help="no progress and no summary: only problems, on stderr"
    )
    output.add_argument("--json", action="store_true", help="print the summary as JSON on stdout")
    load.add_argument("--debug", action="store_true", help="on failure, print the full traceback")
    load.add_argument(
        "--engine",
        choices=ENGINES,
        help=f"duckdb (one machine) or spark (docs/scale-out.md); default ${ENGINE_ENV} or {DEFAULT_ENGINE}",
    )
    load.add_argument(
        "--spark-master",
        metavar="URL",
        help=f"Spark master for --engine spark (default ${spark_settings.MASTER_ENV} or {spark_settings.DEFAULT_MASTER})",
    )
    report_command.add_parser(commands)
    args = parser.parse_args(argv)
    if args.command == "report":
        return report_command.run(args)
    if args.engine:
        os.environ[ENGINE_ENV] = args.engine
    if args.spark_master:
        os.environ[spark_settings.MASTER_ENV] = args.spark_master
    if (problem := _check_engine(master_given=bool(args.spark_master))) is not None:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_FAILED
    if args.raw_dir:
        os.environ[settings.RAW_DIR_ENV] = os.path.abspath(args.raw_dir)
    if args.warehouse:
        os.environ[settings.WAREHOUSE_ENV] = os.path.abspath(args.warehouse)
    problem = _check_paths(raw_given=bool(args.raw_dir), warehouse_given=bool(args.warehouse))
    if problem is not None:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_FAILED
    try:
        return interruption.run_interruptibly(
            lambda: _load(quiet=args.quiet, as_json=args.json, debug=args.debug), announce=_interrupted
        )
    except Exception as error:  # noqa: BLE001 - the one place a failure becomes a line, not a traceback
        if args.debug:
            traceback.print_exc()
        hint = "" if args.debug else " (--debug shows the traceback)"
        said = str(error) or type(error).__name__
        print(f"error: load failed: {printable(damaged_warehouse_line(said, settings.warehouse_path()) or said)}{hint}",
              file=sys.stderr)
        return EXIT_FAILED


def _interrupted(signum: int, published: bool) -> str:
    name = signal.Signals(signum).name
    if published:
        return f"interrupted by {name} after the publish: the warehouse and its Parquet copies hold this load"
    return f"interrupted by {name}: the load stopped; the published warehouse and its Parquet copies are left as they were"


def _check_engine(*, master_given: bool) -> str | None:
    """A wrong $BUDGET_ENGINE or an unreachable Spark master: one line, before anything starts."""
    from pipelines.engines.spark.session import check_master

    try:
        engine = engine_from_environment()
    except EngineError as error:
        return str(error)
    if engine != SPARK:
        return None
    if not (_installed("pyspark") and _installed("dbt.adapters.spark")):
        return "the Spark engine is not installed: run `make spark` (or `pip install -e .[spark]`), then load again"
    setting = "--spark-master" if master_given else f"Spark master (${spark_settings.MASTER_ENV} or {spark_settings.DEFAULT_MASTER})"
    return check_master(spark_settings.master(), setting=setting)


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ImportError:  # a parent package missing, or an import hook that refuses it
        return False


def _check_paths(*, raw_given: bool, warehouse_given: bool) -> str | None:
    """One line naming the wrong path and the fix, before Dagster and dbt start (pipelines/preflight.py)."""
    from pipelines.preflight import check_raw_dir, check_warehouse

    return check_raw_dir(
        settings.raw_dir(), setting="--raw-dir" if raw_given else f"raw directory (${settings.RAW_DIR_ENV} or raw/)"
    ) or check_warehouse(
        settings.warehouse_path(),
        setting="--warehouse" if warehouse_given else f"warehouse (${settings.WAREHOUSE_ENV} or {settings.DEFAULT_WAREHOUSE})",
    )


def _load(*, quiet: bool, as_json: bool, debug: bool = False) -> int:
    started = time.monotonic()
    raw_dir, warehouse = settings.raw_dir(), settings.warehouse_path()
    if not raw_dir.is_dir():
        print(f"error: raw directory {printable(str(raw_dir))} does not exist", file=sys.stderr)
        return EXIT_FAILED
    if (busy := _another_load(warehouse)) is not None:
        return _refused(busy, as_json=as_json, started=started)
    # Imported here so that `--help` and a refusal answer at once, without loading Dagster and dbt.
    from pipelines.defs.no_change import find_no_change
    from pipelines.load import discover
    from pipelines.run_load import no_change_summary, run_load

    show_progress = not (quiet or as_json)
    if show_progress:
        engine = engine_from_environment()
        into = warehouse if engine != SPARK else f"{warehouse.parent} on Spark ({spark_settings.master()})"
        print(f"loading {printable(str(raw_dir))} into {printable(str(into))} …", file=sys.stderr)
    progress = _progress_printer(started) if show_progress else None
    with _kept_hashes(warehouse), discover.one_listing():
        if progress is not None:
            progress("checking raw/ against the published warehouse")
        found = None if engine_from_environment() == SPARK else find_no_change(raw_dir, warehouse)
        summary = no_change_summary(found, progress=progress) if found else run_load(progress=progress)
    summary["elapsed_seconds"] = round(time.monotonic() - started, 1)
    error_details = summary.pop("error_details", None)
    if debug and error_details:
        print(error_details, file=sys.stderr)
    if as_json:
        print(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
    else:
        _print_summary(summary, quiet=quiet)
    if not summary["success"]:
        return EXIT_FAILED
    unread = summary.get("unread_entries", 0)
    return EXIT_QUARANTINED if summary["quarantined_files"] or summary["conflicting_files"] or unread else EXIT_OK


def _another_load(warehouse: Path) -> str | None:
    """Whether another load holds the load lock, asked before Dagster and dbt start, so that
    the second of two loads says so at once. The run takes the lock again: that stays the rule."""
    from pipelines.warehouse import publish

    try:
        publish.LoadLock(warehouse).release()
    except publish.LoadInProgressError as busy:
        return str(busy)
    return None


def _refused(error: str, *, as_json: bool, started: float) -> int:
    """A load that did not start: the published warehouse is as it was, and its counts say so."""
    if as_json:
        from pipelines.run_load import refused_summary

        summary = refused_summary(error)
        summary["elapsed_seconds"] = round(time.monotonic() - started, 1)
        print(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
    else:
        print(f"load FAILED: {printable(error)}", file=sys.stderr)
    return EXIT_FAILED


@contextmanager
def _kept_hashes(warehouse: Path) -> Iterator[None]:
    """Files whose status is unchanged since the last load are not read again (pipelines/load/hash_cache.py)."""
    from pipelines.load import discover, hash_cache

    cache = hash_cache.cache_path(warehouse)
    kept = hash_cache.load(cache)
    discover.remember_hashes(kept)
    try:
        yield
    finally:
        if warehouse.parent.is_dir():
            added, used = discover.hashes_listed_beyond(kept)
            with interruption.uninterrupted():  # an append cut short would spoil the cache's last record
                hash_cache.update(cache, kept, added, used, discover.remembered_hashes)


def _progress_printer(started: float):
    def show(text: str) -> None:
        print(f"[{time.monotonic() - started:6.1f}s] {printable(text)}", file=sys.stderr, flush=True)

    return show


def _print_summary(summary: dict, *, quiet: bool) -> None:
    for line in summary.get("issue_lines", summary["issues"]):
        print(printable(line), file=sys.stderr)
    for failure in summary["failed_checks"]:
        print(f"check failed: {failure}", file=sys.stderr)
    if not summary["success"]:
        for line in summary["log_tail"]:
            print(f"  dbt| {printable(line)}", file=sys.stderr)
        print(f"load FAILED: {printable(str(summary['error']))}", file=sys.stderr)
    if quiet:
        return
    files = [
        ("files under raw/", summary["files"]),
        ("  parsed this run", summary["parsed_files"]),
        ("  unchanged (not parsed)", summary["unchanged_files"]),
        ("  quarantined", summary["quarantined_files"]),
        ("  in conflict", summary["conflicting_files"]),
        ("  removed since last load", summary["removed_files"]),
        ("entries not read", summary.get("unread_entries", 0)),
    ]
    rows = [
        *(files if summary.get("files_counted", True) else [("files under raw/", "not counted (the load failed first)")]),
        ("departments", summary["departments"]),
        ("projects", summary["projects"]),
        ("indicators", summary["indicators"]),
        ("total (万元)", f"{summary['total_amount']:,}"),
        ("checks failed", len(summary["failed_checks"])),
        *((f"marts.{mart} rows", rows) for mart, rows in summary["mart_rows"].items()),
        ("Parquet copies", printable(str(summary["parquet_dir"] or "-"))),
        ("Dagster runs (the UI's)", printable(summary.get("dagster_home") or "-")),
        ("elapsed (s)", summary["elapsed_seconds"]),
    ]
    width = max(len(label) for label, _ in rows)
    print(f"warehouse {printable(str(summary['warehouse']))}")
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")


def run() -> None:
    """The `budget-warehouse` command: main(), then exit without tearing the interpreter down.

    A load leaves Dagster's, dbt's and pandera's modules and objects behind, and freeing them one by
    one took a second after every load had finished (docs/benchmarks.md, "Fixed costs"). By then
    every file the load writes is closed; the exit handlers still run (logging's flush among them)
    and the output is flushed before the process ends.
    """
    code = main()
    if code in interruption.EXIT_CODES.values():
        os._exit(code)  # the stopped load's thread may still hold what the exit handlers would wait for
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
