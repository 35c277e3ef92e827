"""PDF budget documents through pdfplumber (on pdfminer.six): the 绩效 tables as grids.

pdfplumber finds ruled tables from the lines a producer draws and gives every character its
position, which is what turns a page into cells; pdfminer.six under it is pure Python and reads
what every producer we tried writes. Its text is folded (readers/cjk.py): Chromium's PDFs map
shared glyphs to Kangxi radicals (项⽬), which pypdfium2 (pdfplumber's renderer) happens to read
as 目 — but pypdfium2 has no table finder, and the fold makes any producer's radicals right.

Per page: the ruled tables, and the text lines outside them, in reading order; sections.py cuts
the document at its titles, keeps the 绩效 tables and joins them over pages. Wrapped lines of a
cell are joined without a space. pdfplumber closes a cell only between two drawn lines, so a row
cut by a page break (no bottom border) would vanish: the lines where the table's vertical rules
start and end are added as borders, so that row is read, and text outside every cell is read as
lines, never dropped silently.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

from pipelines.ingest import limits
from pipelines.ingest.errors import IssueCategory, TableError
from pipelines.ingest.readers.cjk import drop_spaces_beside_cjk, fold_cjk
from pipelines.ingest.readers.column_pages import stitch_column_pages
from pipelines.ingest.readers.pdf_skim import pages_to_read
from pipelines.ingest.readers.sections import Item, join_wrapped, target_grids
from pipelines.ingest.readers.text import to_cells
from pipelines.ingest.rows import Grid

# pdfminer warns about every font it half understands ("Could not get FontBBox from font
# descriptor"): hundreds per document, none actionable. Errors still show.
logging.getLogger("pdfminer").setLevel(logging.ERROR)

_GAP = 24.0  # points: a wider gap splits a text line into cells (部门名称：…      单位：万元)


def read_pdf_grids(data: bytes) -> list[Grid]:
    import pdfplumber  # imported here: a load without PDFs does not pay for it
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            limits.check_pages(len(pdf.pages))
            items, scanned = [], []
            wanted = pages_to_read(data, len(pdf.pages))
            for page in pdf.pages if wanted is None else [pdf.pages[number - 1] for number in wanted]:
                items.extend(_page_items(page))
                if not page.chars and page.images:
                    scanned.append(page.page_number)
                page.close()  # frees the page's parsed objects: a 300-page document stays small
            page_count = len(pdf.pages)
    except TableError:
        raise
    except Exception as exc:  # pdfminer raises many types for damaged files, all mean the same
        # pdfplumber wraps pdfminer's exception (PdfminerException(original)).
        inner = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
        if isinstance(inner, PDFPasswordIncorrect):
            raise TableError(
                IssueCategory.UNREADABLE, "the PDF is encrypted (password-protected): publish it without a password"
            ) from exc
        reason = str(inner) or type(inner).__name__
        raise TableError(IssueCategory.UNREADABLE, f"cannot read PDF (damaged or truncated?): {reason}") from exc
    if page_count == 0:
        raise TableError(IssueCategory.UNREADABLE, "the PDF has no pages (damaged or truncated?)")
    try:
        grids = target_grids(stitch_column_pages(items))
    except TableError as error:
        raise _needs_ocr(scanned, page_count) if scanned else error from None
    if scanned and not any(grid.mentions("绩效") for grid in grids):
        raise _needs_ocr(scanned, page_count)
    return grids


def _needs_ocr(scanned: list[int], page_count: int) -> TableError:
    """Image-only pages and no 绩效 table in the text: the table is likely on the images."""
    return TableError(
        IssueCategory.NO_TEXT_LAYER,
        f"{_pages(scanned)} of {page_count} {'holds' if len(scanned) == 1 else 'hold'} only an image, "
        "no text layer (a scan?): the file needs OCR (or the original document) before it can be loaded",
        page=scanned[0],
    )


def _page_items(page) -> list[Item]:
    tables = page.find_tables(_table_settings(page))
    rules = [edge for edge in page.edges if edge["orientation"] == "h" and edge["width"] > 4]
    placed: list[tuple[float, Item]] = []
    for number, table in enumerate(tables):
        cut_above = page.page_number > 1 and number == 0 and _cut_above(table, rules)
        for index, (row, texts) in enumerate(zip(table.rows, table.extract(), strict=True)):
            cells = to_cells(_cell_text(text) for text in texts)
            if cells:
                first = number == 0 and index == 0
                item = Item(cells, page.page_number, in_table=True, top_of_page=first, continues=first and cut_above,
                            top=row.bbox[1], columns=len(row.cells))
                placed.append((row.bbox[1], item))
    outside = page
    for table in tables:
        outside = outside.outside_bbox(table.bbox, strict=False)
    placed.extend(_text_lines(outside))
    placed.sort(key=lambda pair: pair[0])
    return [item for _, item in placed]


def _cut_above(table, rules) -> bool:
    """No rule drawn along the table's top, while rules separate its rows: a row continued from
    the page before (Chromium draws no border where it cuts a row)."""
    x0, top, x1, bottom = table.bbox

    def drawn(y: float) -> bool:
        return any(abs(rule["top"] - y) < 1.5 and rule["x0"] < x1 and rule["x1"] > x0 for rule in rules)

    inner = any(top + 2 < rule["top"] < bottom - 2 and rule["x0"] < x1 and rule["x1"] > x0 for rule in rules)
    return inner and not drawn(top)


def _table_settings(page) -> dict:
    """Borders where the vertical rules begin and end: a row cut by the page break has none."""
    verticals = [edge for edge in page.edges if edge["orientation"] == "v" and edge["height"] > 4]
    extra = sorted({round(min(e["top"] for e in verticals), 1), round(max(e["bottom"] for e in verticals), 1)}) if verticals else []
    return {"explicit_horizontal_lines": extra}


def _cell_text(text: str | None) -> str:
    return join_wrapped([drop_spaces_beside_cjk(line) for line in fold_cjk(text or "").split("\n")])


def _text_lines(page) -> Iterator[tuple[float, Item]]:
    for line in page.extract_text_lines(return_chars=True):
        cells, current, last_x1 = [], "", None
        for char in line["chars"]:
            if last_x1 is not None and char["x0"] - last_x1 > _GAP:
                cells.append(current)
                current = ""
            elif last_x1 is not None and char["x0"] - last_x1 > char["size"] / 2 and not current.endswith(" "):
                current += " "  # a visible gap inside a cell-less line: 部门名称：… 单位：万元
            current += char["text"]
            last_x1 = char["x1"]
        cells.append(current)
        yield line["top"], Item(to_cells(fold_cjk(cell) for cell in cells), page.page_number, in_table=False)


def _pages(numbers: list[int]) -> str:
    return f"page {numbers[0]}" if len(numbers) == 1 else f"pages {', '.join(map(str, numbers))}"
