"""The PDF case of `make bench`: budget documents printed by LibreOffice, loaded, seconds per page.

    python -m bench.documents --pdfs 200 [--out bench/out] [--seed 7]

`bench.generate` writes the departments' tables; each becomes an HTML budget document (the
部门收支总表 and 部门支出总表 on their own pages, then the 绩效 table), which LibreOffice
headless prints to PDF in one batch (about 10 pages each at 16 pt). Then, each in its own
process as in bench.run: a cold `budget-warehouse load` of the PDFs, and the read+parse of every
PDF alone, one after the other in one process (the reader's own cost, without workers, DuckDB
or dbt). Seconds per page = wall seconds / pages. The load must be clean.
"""

from __future__ import annotations

import argparse
import html
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import generate

YEAR = 2024
_OTHER_TABLES = (
    ("部门收支总表", [["项目", "预算数", "项目", "预算数"], ["一、财政拨款", "1.00", "一、一般公共服务支出", "1.00"]]),
    ("部门支出总表", [["科目名称", "合计", "基本支出", "项目支出"], ["一般公共服务支出", "1.00", "0.00", "1.00"]]),
)
_STYLE = (
    "body { font-size: 16pt; } table { border-collapse: collapse; width: 100%; }"
    " td { border: 1px solid #000; vertical-align: top; }"
)
# LibreOffice draws the borders of the border attribute; CSS borders it ignores (no ruled table).
_TABLE = "<table border=1 cellspacing=0 cellpadding=2>"
_PARSE_ALL = (
    "import sys, time; from pathlib import Path, PurePosixPath;"
    "from pipelines.ingest.readers import read_grids; from pipelines.ingest.layouts import parse_grids;"
    "files = sorted(Path(sys.argv[1]).rglob('*.pdf')); started = time.perf_counter();"
    "[parse_grids(read_grids(f), relative_path=PurePosixPath('2024') / f.name) for f in files];"
    "print(time.perf_counter() - started)"
)


def document_html(text: str, *, other_pages: int = len(_OTHER_TABLES)) -> str:
    """A generated tab-separated table as an HTML budget document (its lines above the header as
    paragraphs, the table ruled), after `other_pages` pages of other budget tables."""
    esc = html.escape
    lines = [line.split("\t") for line in text.splitlines() if line.strip()]
    header_at = next(i for i, cells in enumerate(lines) if len(cells) > 1)
    parts = [f"<html><head><meta charset='utf-8'><style>{_STYLE}</style></head><body>"]
    for number in range(other_pages):
        title, rows = _OTHER_TABLES[number % len(_OTHER_TABLES)]
        parts.append(f"<p>{esc(title)}</p>{_TABLE}")
        parts.extend("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows * 12)
        parts.append("</table><p style='page-break-after: always'></p>")
    parts.extend(f"<p>{esc(cells[0])}</p>" for cells in lines[:header_at])
    parts.append(_TABLE)
    parts.extend("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>" for cells in lines[header_at:])
    parts.append("</table></body></html>")
    return "\n".join(parts)


def write_pdfs(count: int, seed: int, out: Path, *, whole_documents: bool = False) -> Path:
    """`count` budget PDFs in out/raw-pdf-N/2024/; returns the raw folder. Whole documents have
    18-56 pages of other tables before the 绩效 table (20-60 pages in all), as published."""
    kind = "whole" if whole_documents else "pdf"
    text_dir, html_dir, raw = out / f"text-{count}", out / f"html-{kind}-{count}", out / f"raw-{kind}-{count}"
    for folder in (text_dir, html_dir, raw):
        shutil.rmtree(folder, ignore_errors=True)
    generate.generate(count, seed, text_dir, (YEAR,))
    html_dir.mkdir(parents=True)
    pages = []
    for number, source in enumerate(sorted((text_dir / str(YEAR)).glob("*.txt"))):
        page = html_dir / f"{source.stem}.html"
        other_pages = 18 + (number * 7919 + seed) % 39 if whole_documents else len(_OTHER_TABLES)
        page.write_text(document_html(source.read_text("utf-8"), other_pages=other_pages), encoding="utf-8")
        pages.append(page)
    (raw / str(YEAR)).mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
             "--convert-to", "pdf:writer_web_pdf_Export", "--outdir", str(raw / str(YEAR)), *map(str, pages)],
            check=True, capture_output=True,
        )
    return raw


def page_count(raw: Path) -> int:
    import pypdfium2

    total = 0
    for path in raw.rglob("*.pdf"):
        document = pypdfium2.PdfDocument(str(path))
        total += len(document)
        document.close()
    return total


def bench_documents(count: int, out: Path, seed: int) -> dict:
    from bench.run import _check, _environment, _load, measure

    started = time.perf_counter()
    raw = write_pdfs(count, seed, out)
    generated = time.perf_counter() - started
    pages = page_count(raw)
    warehouse = out / f"warehouse-pdf-{count}" / "budget.duckdb"
    shutil.rmtree(warehouse.parent, ignore_errors=True)
    wall, cpu, peak, _code, stdout = measure(_load(raw, warehouse), env=_environment())
    summary = _check(stdout, "cold load of PDFs", count)
    _wall, _cpu, _, _, parse_out = measure([sys.executable, "-c", _PARSE_ALL, str(raw)], env=_environment())
    parse_seconds = float(parse_out.strip().splitlines()[-1])
    result = {
        "pdfs": count,
        "pages": pages,
        "generate_seconds": round(generated, 1),
        "cold_load_wall_seconds": round(wall, 2),
        "cold_load_cpu_seconds": round(cpu, 2),
        "cold_load_peak_mib": round(peak),
        "cold_load_seconds_per_page": round(wall / pages, 3),
        "parse_only_seconds": round(parse_seconds, 2),
        "parse_only_seconds_per_page": round(parse_seconds / pages, 3),
        "parsed_files": summary["parsed_files"],
    }
    print(f"  {count} PDFs, {pages} pages: load {wall:.1f} s ({wall / pages:.3f} s/page), "
          f"read+parse alone {parse_seconds:.1f} s ({parse_seconds / pages:.3f} s/page)", file=sys.stderr)
    return result


# The reader's cost per page, split: PDFium's text scan of every page (what a skipped page costs)
# and the table finder on the pages kept (what a table page costs on top of its scan).
_SKIM = (
    "import sys, time, json; from pathlib import Path; import pdfplumber;"
    "from pipelines.ingest.readers.pdf import _page_items; from pipelines.ingest.readers.pdf_skim import pages_to_read;"
    "scan = find = 0.0; pages = kept = 0\n"
    "for f in sorted(Path(sys.argv[1]).rglob('*.pdf')):\n"
    "    data = f.read_bytes()\n"
    "    with pdfplumber.open(f) as pdf:\n"
    "        started = time.perf_counter(); wanted = pages_to_read(data, len(pdf.pages)); scan += time.perf_counter() - started\n"
    "        started = time.perf_counter(); [_page_items(pdf.pages[n - 1]) for n in wanted]; find += time.perf_counter() - started\n"
    "        pages += len(pdf.pages); kept += len(wanted)\n"
    "print(json.dumps({'pages': pages, 'kept': kept, 'scan': scan, 'find': find}))"
)


def bench_skim(count: int, out: Path, seed: int) -> dict:
    """Whole budget documents: the cost of a skipped page against the cost of a table page."""
    from bench.run import _environment, measure

    raw = write_pdfs(count, seed, out, whole_documents=True)
    _wall, _cpu, _, _, stdout = measure([sys.executable, "-c", _SKIM, str(raw)], env=_environment())
    found = json.loads(stdout.strip().splitlines()[-1])
    scan_per_page = found["scan"] / found["pages"]
    table_per_page = scan_per_page + found["find"] / found["kept"]
    result = {
        "documents": count,
        "pages": found["pages"],
        "table_pages": found["kept"],
        "skipped_page_seconds": round(scan_per_page, 5),
        "table_page_seconds": round(table_per_page, 5),
        "skipped_to_table_ratio": round(scan_per_page / table_per_page, 3),
        "pages_per_second": round(found["pages"] / (found["scan"] + found["find"]), 1),
    }
    print(f"  {count} whole documents, {found['pages']} pages ({found['kept']} with the table): "
          f"a skipped page {scan_per_page * 1000:.2f} ms, a table page {table_per_page * 1000:.1f} ms "
          f"(ratio {result['skipped_to_table_ratio']}), {result['pages_per_second']} pages/s", file=sys.stderr)
    return result


def markdown(result: dict) -> str:
    return "\n".join([
        "| PDFs | pages | cold load (s) | s/page | CPU (s) | peak RSS (MiB) | read+parse alone (s) | s/page |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        (f"| {result['pdfs']} | {result['pages']} | {result['cold_load_wall_seconds']:.2f} | "
        f"{result['cold_load_seconds_per_page']:.3f} | {result['cold_load_cpu_seconds']:.2f} | "
        f"{result['cold_load_peak_mib']:,} | {result['parse_only_seconds']:.2f} | {result['parse_only_seconds_per_page']:.3f} |"),
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.documents", description=__doc__.splitlines()[0])
    parser.add_argument("--pdfs", type=int, default=200, help="budget PDFs to generate and load (default 200)")
    parser.add_argument("--out", type=Path, default=Path("bench/out"), help="work folder (default bench/out)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skim", type=int, default=0,
                        help="also skim this many whole budget documents of 20-60 pages (default 0)")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    if args.skim:
        skim = bench_skim(args.skim, out, args.seed)
        print(json.dumps(skim, indent=2))
        (out / f"skim-{args.skim}.json").write_text(json.dumps(skim, indent=2) + "\n", encoding="utf-8")
    result = bench_documents(args.pdfs, out, args.seed)
    print(markdown(result))
    (out / f"documents-{args.pdfs}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
