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
        "--warehouse", type=Path, help=f"DuckDB file (default ${settings.WAREHOUSE_ENV} or warehouse/budget.duckdb)"
    )
    output = load.add_mutually_exclusive_group()
    output.add_argument("--quiet", action="store_true", help="print only problems and the exit status")
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
    if not (quiet or as_json):
        print(f"loading {raw_dir} into {warehouse} …", file=sys.stderr)
    summary = run_load(verbose=not (quiet or as_json))
    summary["elapsed_seconds"] = round(time.monotonic() - started, 1)
    if as_json:
        print(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
    else:
        _print_summary(summary, quiet=quiet)
    if not summary["success"]:
        return EXIT_FAILED
    return EXIT_QUARANTINED if summary["quarantined_files"] or summary["conflicting_files"] else EXIT_OK


def _print_summary(summary: dict, *, quiet: bool) -> None:
    for issue in summary["issues"]:
        print(issue, file=sys.stderr)
    for failure in summary["failed_checks"]:
        print(f"check failed: {failure}", file=sys.stderr)
    if quiet:
        return
    if not summary["success"]:
        print(f"load FAILED: {summary['error']}", file=sys.stderr)
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
        ("elapsed (s)", summary["elapsed_seconds"]),
    ]
    width = max(len(label) for label, _ in rows)
    print(f"warehouse {summary['warehouse']}")
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")


if __name__ == "__main__":
    sys.exit(main())
