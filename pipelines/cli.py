"""`budget-warehouse load`: run the Dagster load job in-process and print what it did.

Exit codes: 0 clean; 3 loaded, but some files were quarantined or in conflict; 1 the load failed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from pipelines.warehouse import settings

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
    args = parser.parse_args(argv)
    if args.raw_dir:
        os.environ[settings.RAW_DIR_ENV] = str(args.raw_dir.resolve())
    if args.warehouse:
        os.environ[settings.WAREHOUSE_ENV] = str(args.warehouse.resolve())
    return _load(quiet=args.quiet, as_json=args.json)


def _load(*, quiet: bool, as_json: bool) -> int:
    # Imported here so that `--help` answers at once, without loading Dagster and dbt.
    from pipelines.run_load import run_load

    started = time.monotonic()
    raw_dir, warehouse = settings.raw_dir(), settings.warehouse_path()
    if not raw_dir.is_dir():
        print(f"error: raw directory {raw_dir} does not exist", file=sys.stderr)
        return EXIT_FAILED
    show_progress = not (quiet or as_json)
    if show_progress:
        print(f"loading {raw_dir} into {warehouse} …", file=sys.stderr)
    summary = run_load(progress=_progress_printer(started) if show_progress else None)
    summary["elapsed_seconds"] = round(time.monotonic() - started, 1)
    if as_json:
        print(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
    else:
        _print_summary(summary, quiet=quiet)
    if not summary["success"]:
        return EXIT_FAILED
    return EXIT_QUARANTINED if summary["quarantined_files"] or summary["conflicting_files"] else EXIT_OK


def _progress_printer(started: float):
    def show(text: str) -> None:
        print(f"[{time.monotonic() - started:6.1f}s] {text}", file=sys.stderr, flush=True)

    return show


def _print_summary(summary: dict, *, quiet: bool) -> None:
    for issue in summary["issues"]:
        print(issue, file=sys.stderr)
    for failure in summary["failed_checks"]:
        print(f"check failed: {failure}", file=sys.stderr)
    if not summary["success"]:
        for line in summary["log_tail"]:
            print(f"  dbt| {line}", file=sys.stderr)
        print(f"load FAILED: {summary['error']}", file=sys.stderr)
    if quiet:
        return
    rows = [
        ("files under raw/", summary["files"]),
        ("  parsed this run", summary["parsed_files"]),
        ("  unchanged (not parsed)", summary["unchanged_files"]),
        ("  quarantined", summary["quarantined_files"]),
        ("  in conflict", summary["conflicting_files"]),
        ("  removed since last load", summary["removed_files"]),
        ("departments", summary["departments"]),
        ("projects", summary["projects"]),
        ("indicators", summary["indicators"]),
        ("total (万元)", f"{summary['total_amount']:,}"),
        ("checks failed", len(summary["failed_checks"])),
        *((f"marts.{mart} rows", rows) for mart, rows in summary["mart_rows"].items()),
        ("Parquet copies", summary["parquet_dir"] or "-"),
        ("Dagster runs (the UI's)", summary.get("dagster_home") or "-"),
        ("elapsed (s)", summary["elapsed_seconds"]),
    ]
    width = max(len(label) for label, _ in rows)
    print(f"warehouse {summary['warehouse']}")
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")


if __name__ == "__main__":
    sys.exit(main())
