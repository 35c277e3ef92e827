"""`budget-warehouse report`: arguments, and one line on stderr for anything wrong."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipelines.display import printable
from pipelines.warehouse import settings


def add_parser(commands) -> None:
    report = commands.add_parser(
        "report", help="one department's budget and targets as an offline HTML page and a PDF"
    )
    report.add_argument("--department", required=True, metavar="NAME",
                        help="the department's name as printed in marts.department_comparison, or its department_id")
    report.add_argument("--year", type=int, help="fiscal year (default: the department's latest)")
    report.add_argument("--warehouse", type=Path,
                        help=f"DuckDB file (default ${settings.WAREHOUSE_ENV} or {settings.DEFAULT_WAREHOUSE})")
    report.add_argument("--out", type=Path, default=Path("reports"), help="output folder (default reports/)")
    report.add_argument("--no-pdf", action="store_true", help="only the HTML page (no Chromium needed)")


def run(args: argparse.Namespace) -> int:
    import duckdb

    from pipelines.report.content import ReportError
    from pipelines.report.files import write_report
    from pipelines.report.pdf import ChromiumMissingError

    warehouse = (args.warehouse or settings.warehouse_path()).resolve()
    if not warehouse.is_file():
        print(f"error: no warehouse at {printable(str(warehouse))}: run `make load` first", file=sys.stderr)
        return 1
    try:
        files = write_report(warehouse, args.department, args.out, year=args.year, pdf=not args.no_pdf)
    except (ReportError, ChromiumMissingError, duckdb.Error, OSError) as error:
        print(f"error: {printable(str(error))}", file=sys.stderr)
        return 1
    print(files.html)
    if files.pdf is not None:
        print(files.pdf)
    return 0
