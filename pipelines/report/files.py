"""Where a report is written: `<out>/<department>_<year>.html` and the PDF beside it."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from pipelines.report.content import load_report
from pipelines.report.page import render
from pipelines.report.pdf import print_pdf

# Characters a file name cannot hold on common systems; a department name rarely has any.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


@dataclass(frozen=True)
class ReportFiles:
    html: Path
    pdf: Path | None


def write_report(warehouse: Path, department: str, out_dir: Path, *, year: int | None = None, pdf: bool = True) -> ReportFiles:
    report = load_report(warehouse, department, year)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = _UNSAFE.sub("_", f"{report.department_name}_{report.fiscal_year}")
    html = out_dir / f"{stem}.html"
    partial = html.with_name(f".{html.name}.partial")
    partial.write_text(render(report, source=warehouse.name), encoding="utf-8")
    os.replace(partial, html)
    return ReportFiles(html=html, pdf=print_pdf(html, html.with_suffix(".pdf")) if pdf else None)
