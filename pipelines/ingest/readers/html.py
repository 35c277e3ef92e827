"""HTML tables, as many web systems export "Excel" files (.xls that are an HTML page inside).

Excel opens such a file and shows its table, so departments publish it as .xls without noticing.
lxml parses the page (it is tolerant of the unclosed tags these exports are full of). Rows are
numbered as Excel shows them: row N is the table's N-th <tr>. A cell spanning several columns or
rows keeps its text in its top-left position and leaves the others empty, as calamine reads a
merged cell in a real workbook, so every reader hands the layout the same grid.
"""

from __future__ import annotations

import re

import lxml.etree
import lxml.html

from pipelines.ingest import limits
from pipelines.ingest.decoding import decode_text
from pipelines.ingest.errors import IssueCategory, TableError
from pipelines.ingest.readers.text import to_cells
from pipelines.ingest.rows import Grid, SourceRow

_MARKER = "绩效"  # in the title and header of every 项目支出绩效目标表
# What an HTML export starts with, after a BOM and white space.
_HTML_START = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<(?:!doctype|html|head|meta|table|body|\?xml)", re.IGNORECASE)
_MAX_COLSPAN = 100  # wider than any target table: a broken attribute, not a layout


def looks_like_html(data: bytes) -> bool:
    return bool(_HTML_START.match(data[:1024]))


def read_html_grids(data: bytes) -> list[Grid]:
    """The tables mentioning 绩效 (else the largest) of an HTML page, in page order."""
    limits.check_text(data, limit=limits.MAX_HTML_BYTES)
    text, _encoding = decode_text(data)
    try:
        document = lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise TableError(IssueCategory.UNREADABLE, f"not a readable HTML page: {exc}") from exc
    # Innermost tables only: a layout table around the real one would repeat its text.
    tables = [t for t in document.iter("table") if not t.findall(".//table")]
    if not tables:
        raise TableError(IssueCategory.UNREADABLE, "HTML file without a <table>: not an exported table")
    marked = [t for t in tables if _MARKER in t.text_content()]
    chosen = marked or [max(tables, key=lambda t: len(t.findall(".//tr")))]
    return [
        Grid(
            tuple(SourceRow(number, to_cells(cells)) for number, cells in enumerate(_grid(table), 1)),
            origin=f"table {index}" if len(chosen) > 1 else "",
            title_lines=_lines_above(table),
        )
        for index, table in enumerate(chosen, 1)
    ]


def _grid(table) -> list[list[str]]:
    """Cell texts by row and column, spans resolved to their top-left position."""
    grid: list[list[str]] = []
    pending: dict[tuple[int, int], str] = {}  # positions covered by a rowspan from above
    rows = list(table.iter("tr"))
    limits.check_rows(len(rows))
    cells_made = 0
    for row_index, row in enumerate(rows):
        cells: list[str] = []
        column = 0
        for cell in row.iterchildren("td", "th"):
            while (row_index, column) in pending:
                cells.append(pending.pop((row_index, column)))
                column += 1
            # Spans are cut to the table, so a hostile rowspan="1000000" costs nothing.
            colspan = min(_span(cell, "colspan"), _MAX_COLSPAN)
            rowspan = min(_span(cell, "rowspan"), len(rows) - row_index)
            cells.append(_cell_text(cell))
            cells.extend([""] * (colspan - 1))
            for below in range(1, rowspan):
                for offset in range(colspan):
                    pending[(row_index + below, column + offset)] = ""
            column += colspan
            cells_made += colspan * rowspan
            if cells_made > limits.MAX_CELLS:  # spans multiply cells: count what they would make
                raise limits.too_large("table", f"more than {limits.MAX_CELLS:,} cells", f"{limits.MAX_CELLS:,} cells")
        while (row_index, column) in pending:
            cells.append(pending.pop((row_index, column)))
            column += 1
        grid.append(cells)
    return grid


_MAX_TITLE_LINES = 8


def _lines_above(table) -> tuple[str, ...]:
    """The texts printed above the table, up to the previous table: its heading on the page."""
    lines: list[str] = []
    node = table
    while node is not None and node.tag not in ("body", "html") and len(lines) < _MAX_TITLE_LINES:
        for sibling in node.itersiblings(preceding=True):
            if not isinstance(sibling.tag, str) or sibling.tag in ("script", "style"):
                continue
            if sibling.tag == "table" or sibling.find(".//table") is not None:
                return tuple(reversed(lines))
            text = " ".join(sibling.text_content().split())
            if text:
                lines.append(text[:200])
            if len(lines) >= _MAX_TITLE_LINES:
                break
        node = node.getparent()
    return tuple(reversed(lines))


def _span(cell, attribute: str) -> int:
    try:
        return max(int(cell.get(attribute, "1")), 1)
    except ValueError:
        return 1


def _cell_text(cell) -> str:
    """Text as the cell shows it: <br> as a line break, runs of white space as one space."""
    for br in cell.iter("br"):
        br.tail = "\n" + (br.tail or "")
    lines = cell.text_content().split("\n")
    return "\n".join(" ".join(line.split()) for line in lines).strip("\n")
