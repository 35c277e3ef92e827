"""Word documents (.docx) through python-docx: the 绩效 tables of a budget document as grids.

python-docx is the maintained reader of the .docx XML (no Word or LibreOffice needed). The
body is read in order, paragraphs as one-cell lines and tables as rows, and sections.py keeps
the tables under a 绩效 title, as for PDF. Merged cells are resolved like a workbook merge:
a cell spanning columns (gridSpan) or rows (vMerge) keeps its text in its top-left position and
the others read as empty. Paragraphs inside a cell are kept as line breaks (a Word author typed
them); Word has no pages to tell, so `page` is None and `line` is row N of the table.

A table inside another table's cell is read where it stands: authors frame a page's title and
its ruled table in an outer table (a layout box), and the outer row is then read as the cell's
content in order (its paragraphs as lines, its tables as rows) instead of as one row of text.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from pipelines.ingest import limits
from pipelines.ingest.errors import IssueCategory, TableError
from pipelines.ingest.readers.cjk import fold_cjk
from pipelines.ingest.readers.sections import Item, target_grids
from pipelines.ingest.readers.text import to_cells
from pipelines.ingest.rows import Grid

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_docx_grids(data: bytes) -> list[Grid]:
    import docx  # python-docx; imported here so that a load without Word files does not pay for it

    limits.check_archive(data)  # a .docx is a zip: its parts are measured before lxml unpacks them
    try:
        document = docx.Document(io.BytesIO(data))
        items = list(_body_items(document.element.body))
    except Exception as exc:  # zipfile, lxml and python-docx raise many types for broken files
        reason = str(exc) or type(exc).__name__
        raise TableError(
            IssueCategory.UNREADABLE, f"cannot read Word document (damaged, truncated or encrypted?): {reason}"
        ) from exc
    return target_grids(items)


def refuse_binary_word(data: bytes) -> list[Grid]:
    raise TableError(
        IssueCategory.UNREADABLE,
        "old binary Word (.doc) and WPS (.wps) files cannot be read: open the file in Word or WPS "
        "and save it as .docx (Word document) or PDF",
    )


# Tables in tables in tables…: deeper than this, a cell is read as its text (a hostile file could
# nest thousands deep).
_MAX_NESTING = 8


def _body_items(body, depth: int = 0) -> Iterator[Item]:
    for child in body.iterchildren():
        if child.tag == f"{_W}p":
            text = _paragraph_text(child)
            if text:
                yield Item((text,), None, in_table=False)
        elif child.tag == f"{_W}tbl":
            yield from _table_items(child, depth)


def _table_items(table, depth: int) -> Iterator[Item]:
    for row in table.iterchildren(f"{_W}tr"):
        if depth < _MAX_NESTING and row.find(f"{_W}tc/{_W}tbl") is not None:
            for cell in row.iterchildren(f"{_W}tc"):
                yield from _body_items(cell, depth + 1)
            continue
        if (cells := _row_cells(row)) is not None:
            yield Item(cells, None, in_table=True)


def _row_cells(row) -> tuple[str, ...] | None:
    cells: list[str] = []
    for cell in row.iterchildren(f"{_W}tc"):
        properties = cell.find(f"{_W}tcPr")
        span = _grid_span(properties)
        continued = _continues_vertical_merge(properties)
        cells.append("" if continued else _cell_text(cell))
        cells.extend([""] * (span - 1))
    return to_cells(cells) or None


def _grid_span(properties) -> int:
    span = properties.find(f"{_W}gridSpan") if properties is not None else None
    try:
        return max(1, min(int(span.get(f"{_W}val")), 100)) if span is not None else 1
    except (TypeError, ValueError):
        return 1


def _continues_vertical_merge(properties) -> bool:
    """<w:vMerge/> without val (or val="continue") continues the cell above; "restart" begins one."""
    merge = properties.find(f"{_W}vMerge") if properties is not None else None
    return merge is not None and merge.get(f"{_W}val", "continue") == "continue"


def _cell_text(cell) -> str:
    return "\n".join(
        text for paragraph in cell.iterchildren(f"{_W}p") if (text := _paragraph_text(paragraph))
    )


def _paragraph_text(paragraph) -> str:
    parts = []
    for node in paragraph.iter(f"{_W}t", f"{_W}tab", f"{_W}br"):
        if node.tag == f"{_W}t":
            parts.append(node.text or "")
        else:
            parts.append(" " if node.tag == f"{_W}tab" else "\n")
    return fold_cjk("".join(parts)).strip()
