"""Budget documents as departments publish them, made by real producers from the project's tables.

- Word: python-docx writes the .docx (title and 部门名称 paragraphs, the table with a two-row
  header merged by gridSpan and vMerge, optionally the 部门收支总表 and 部门支出总表 before it,
  a footer with the page number, 填表人/注 lines after the table).
- PDF by LibreOffice: `soffice --headless --convert-to pdf` of such .docx (Debian's
  libreoffice-writer-nogui; `make test` installs it). An .xlsx printed by Calc was tried and left
  out: Calc keeps openpyxl's default row heights, so wrapped cells print clipped — the PDF itself
  lacks the text, which no reader can bring back.
- PDF by Chromium: `--print-to-pdf` of an HTML page holding the table (Debian's chromium).

Nothing here writes PDF bytes by hand. Each function returns the path it wrote. Documents are
made once per test session (tests/test_documents.py) into tmp_path_factory.
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.support.tables import HEADER, TableSpec, money

_CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-pdf-header-footer",
)
# Two budget tables that come before the 绩效 table in every 部门预算 document.
OTHER_TABLES = (
    ("部门收支总表", ["项目", "预算数", "项目", "预算数"],
     [["一、财政拨款", "2,177.86", "一、一般公共服务支出", "2,177.86"], ["合计", "2,177.86", "合计", "2,177.86"]]),
    ("部门支出总表", ["科目名称", "合计", "基本支出", "项目支出"],
     [["一般公共服务支出", "2,177.86", "0.00", "2,177.86"], ["合计", "2,177.86", "0.00", "2,177.86"]]),
)
# LibreOffice's PDF export options as JSON: encrypt, with a password needed to open the file.
_PASSWORD = (
    '{"EncryptFile":{"type":"boolean","value":"true"},'
    '"DocumentOpenPassword":{"type":"string","value":"secret"}}'
)
SIGN_OFF = "填表人：张三　　审核人：李四　　联系电话：020-12345678"
NOTE = "注：本表金额单位为万元。"


def table_rows(spec: TableSpec) -> list[list[str]]:
    """The body of the target table: 合计, then each unit's subtotal and its projects."""
    projects = [p for u in spec.units for p in u.projects]
    rows = [["合计", money(spec.total), *_sources(projects), "", ""]]
    for unit in spec.units:
        rows.append([unit.name, money(sum((p.total for p in unit.projects), start=spec.total * 0)),
                     *_sources(unit.projects), "", ""])
        rows.extend([p.name, money(p.total), money(p.fiscal), money(p.special), money(p.other), p.goal, p.indicators]
                    for p in unit.projects)
    return rows


def write_docx(
    path: Path,
    spec: TableSpec,
    *,
    other_tables: bool = False,
    repeat_header: bool = True,
    two_row_header: bool = True,
    sign_off: bool = True,
    target_table: bool = True,
    framed: bool = False,
) -> Path:
    """`framed`: the title lines and the ruled table inside the one cell of an outer table, as
    authors box a page's content."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    _page_number_footer(section.footer.paragraphs[0], OxmlElement, qn)
    if other_tables:
        for title, header, rows in OTHER_TABLES:
            document.add_paragraph(title)
            table = document.add_table(rows=0, cols=len(header), style="Table Grid")
            for cells in [header, *rows]:
                for cell, text in zip(table.add_row().cells, cells, strict=True):
                    cell.text = text
            document.add_page_break()
    if not target_table:
        return _save(document, path)
    box = document.add_table(rows=1, cols=1).cell(0, 0) if framed else document
    box.add_paragraph(spec.title)
    box.add_paragraph(f"部门名称：{spec.department}")
    box.add_paragraph(f"单位：{spec.money_unit}")
    table = box.add_table(rows=0, cols=len(HEADER))
    table.style = "Table Grid"
    header_rows = _docx_header(table, two_row_header=two_row_header)
    if repeat_header:
        for row in header_rows:
            row._tr.get_or_add_trPr().append(_on(OxmlElement, qn, "w:tblHeader"))
    for cells in table_rows(spec):
        for cell, text in zip(table.add_row().cells, cells, strict=True):
            cell.text = text
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(9)
    if sign_off:
        document.add_paragraph(SIGN_OFF)
        document.add_paragraph(NOTE)
    return _save(document, path)


def _save(document, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)
    return path


def write_picture_docx(path: Path, picture: Path) -> Path:
    """A Word document holding only a picture of a page: what a scanner's PDF looks like."""
    import docx
    from docx.shared import Cm

    document = docx.Document()
    document.add_picture(str(picture), width=Cm(16))
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)
    return path


def page_picture(pdf: Path, png: Path, *, page: int = 0) -> Path:
    """A page of a PDF rendered to an image by pypdfium2 (pdfplumber's renderer)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(pdf))
    try:
        document[page].render(scale=1.5).to_pil().save(png)
    finally:
        document.close()
    return png


def write_html(
    path: Path,
    spec: TableSpec,
    *,
    repeat_header: bool = True,
    page_css: str = "A4",
    name_width: str = "4em",
    other_tables: bool = False,
) -> Path:
    """A page as a web system prints the table: title and 部门名称 … 单位 on one line above it,
    the header in <thead> (Chromium repeats it on each page) or as a plain first row."""
    esc = html.escape
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><style>",
        f"@page {{ size: {page_css}; margin: 12mm; }}",
        "body { font-family: 'Noto Sans CJK SC', sans-serif; font-size: 10pt; }",
        "table { border-collapse: collapse; width: 100%; margin-bottom: 1em; }",
        "td, th { border: 1px solid #000; padding: 2px; vertical-align: top; font-weight: normal; }",
        f"td:first-child, th:first-child {{ width: {name_width}; }}",
        ".break { page-break-after: always; }",
        "</style></head><body>",
    ]
    if other_tables:
        for title, header, rows in OTHER_TABLES:
            parts.append(f"<h3>{esc(title)}</h3><table>")
            parts.extend("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in [header, *rows])
            parts.append("</table><div class='break'></div>")
    parts.append(f"<h3 style='text-align:center'>{esc(spec.title)}</h3>")
    parts.append(f"<p>部门名称：{esc(spec.department)}&emsp;&emsp;单位：{esc(spec.money_unit)}</p><table>")
    header = "<tr>" + "".join(f"<th>{esc(h)}</th>" for h in HEADER) + "</tr>"
    parts.append(f"<thead>{header}</thead><tbody>" if repeat_header else f"<tbody>{header}")
    parts.extend("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in table_rows(spec))
    parts.append(f"</tbody></table><p>{esc(SIGN_OFF)}</p><p>{esc(NOTE)}</p></body></html>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def libreoffice_convert(sources: list[Path], out_dir: Path, *, to: str = "pdf") -> list[Path]:
    """Convert files with LibreOffice headless in one call (its start-up dominates), with a
    throwaway user profile so that runs never share state."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise RuntimeError("LibreOffice is not installed: run `make test` (it installs libreoffice-*-nogui)")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
             "--convert-to", to, "--outdir", str(out_dir), *map(str, sources)],
            check=True, capture_output=True, timeout=600,
        )
    outputs = [out_dir / f"{source.stem}.{to.split(':')[0]}" for source in sources]
    missing = [str(p) for p in outputs if not p.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice did not write {missing}")
    return outputs


def chromium_print(page: Path, pdf: Path) -> Path:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise RuntimeError("Chromium is not installed: run `make test` (its browser target installs it)")
    pdf.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        subprocess.run(
            [chromium, *_CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf}", page.as_uri()],
            check=True, capture_output=True, timeout=300, env={**os.environ, "HOME": profile},
        )
    if not pdf.exists():
        raise RuntimeError(f"Chromium did not write {pdf}")
    return pdf


def _docx_header(table, *, two_row_header: bool):
    """项目名称, 总计, 绩效目标, 绩效指标 merged over two rows (vMerge); 资金来源 over the
    three sources (gridSpan)."""
    if not two_row_header:
        row = table.add_row()
        for cell, text in zip(row.cells, HEADER, strict=True):
            cell.text = text
        return [row]
    top, bottom = table.add_row(), table.add_row()
    for column in (0, 1, 5, 6):
        top.cells[column].merge(bottom.cells[column]).text = HEADER[column]
    top.cells[2].merge(top.cells[4]).text = "资金来源"
    for column in (2, 3, 4):
        bottom.cells[column].text = HEADER[column]
    return [top, bottom]


def _page_number_footer(paragraph, OxmlElement, qn) -> None:
    """'- N -' in the footer, a PAGE field as Word writes it."""
    paragraph.add_run("- ")
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.text = text
        run._r.append(element)
    paragraph.add_run(" -")


def _on(OxmlElement, qn, tag: str):
    element = OxmlElement(tag)
    element.set(qn("w:val"), "true")
    return element


def _sources(projects) -> list[str]:
    projects = list(projects)
    zero = sum((p.fiscal * 0 for p in projects), start=projects[0].fiscal * 0) if projects else 0
    return [
        money(sum((p.fiscal for p in projects), start=zero)),
        money(sum((p.special for p in projects), start=zero)),
        money(sum((p.other for p in projects), start=zero)),
    ]


TRUNCATED_PROJECT = "水电费"  # its 绩效指标 cell is cut short in the bad budget document
TRUNCATED_INDICATORS = "1、1-产出指标：13-时效指标：电费支付及时性；实施周期指标值:及时；年度指标值"


def make_documents(root: Path) -> dict[str, Path]:
    """Every document the tests read, by case name (two LibreOffice and two Chromium runs)."""
    from tests.support.tables import seed_spec, two_unit_spec

    seed, two = seed_spec(), two_unit_spec()
    src, out = root / "src", root / "out"
    docs = {
        "seed.docx": write_docx(src / "seed.docx", seed),
        "seed_flat_header.docx": write_docx(src / "seed_flat_header.docx", seed, repeat_header=False, two_row_header=False),
        "budget.docx": write_docx(src / "budget.docx", two, other_tables=True),
        "bad_indicator.docx": write_docx(
            src / "bad_indicator.docx", seed.with_project(TRUNCATED_PROJECT, indicators=TRUNCATED_INDICATORS),
            other_tables=True,
        ),
        "other_tables_only.docx": write_docx(src / "other_tables_only.docx", seed, other_tables=True, target_table=False),
    }
    converted = libreoffice_convert(list(docs.values()), out)
    docs.update({f"{path.stem}.pdf": path for path in converted})
    docs["seed_chromium.pdf"] = chromium_print(write_html(src / "seed_chromium.html", seed), out / "seed_chromium.pdf")
    docs["seed_chromium_a5.pdf"] = chromium_print(
        write_html(src / "seed_chromium_a5.html", seed, repeat_header=False, page_css="A5", name_width="2.5em"),
        out / "seed_chromium_a5.pdf",
    )
    # LibreOffice ignores CSS borders: the table prints without rules, as text in columns.
    (docs["unruled.pdf"],) = libreoffice_convert(
        [write_html(src / "unruled.html", seed)], out, to="pdf:writer_web_pdf_Export"
    )
    picture = page_picture(docs["seed.pdf"], src / "page.png")
    scanned_docx = write_picture_docx(src / "scanned.docx", picture)
    (docs["scanned.pdf"],) = libreoffice_convert([scanned_docx], out)
    (docs["seed.doc"],) = libreoffice_convert([docs["seed.docx"]], out, to="doc")
    encrypted = src / "encrypted.docx"
    shutil.copyfile(docs["seed.docx"], encrypted)
    (docs["encrypted.pdf"],) = libreoffice_convert([encrypted], out, to=f"pdf:writer_pdf_Export:{_PASSWORD}")
    for name in ("seed.pdf", "seed.docx"):
        data = docs[name].read_bytes()
        truncated = out / f"truncated_{name}"
        truncated.write_bytes(data[: len(data) * 3 // 5])
        docs[f"truncated_{name}"] = truncated
    return docs
