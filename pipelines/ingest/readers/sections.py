"""From a document's lines and table rows, in reading order, to the grids of its 绩效 tables.

A budget document (PDF or Word) holds about ten tables, each under a title line such as
部门收支总表 or 项目支出绩效目标表. The document is cut at its title lines into sections; the
sections whose title mentions 绩效 are returned as grids (every section when none does, so that
the layouts can say what the file lacks). Other tables are skipped here, not handed on: their
headers (项目名称, 合计) could look like a target table's to a layout.

Within a section, as a person reads the printed table:
- text above the table (title, 部门名称, 单位) is kept, one row per line;
- text below or between the table's pages (running headers, page numbers, 填表人/审核人 lines,
  notes) is left out; so are table rows that hold only such a line;
- the header the producer repeats at the top of each page is dropped;
- a row cut by a page break (its continuation at the top of the next page has an empty first
  cell: no 序号 or name) is joined cell by cell with the part above;
- rows are numbered 1…N in the order kept: `line` is row N of the table, `page` where it starts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pipelines.ingest.errors import IssueCategory, TableError
from pipelines.ingest.rows import Grid, SourceRow

_MARKER = "绩效"
# A title: a short line ending in 表, maybe with a note in brackets: 项目支出绩效目标表（含转移支付项目）.
_TITLE = re.compile(r"^.{0,40}表(?:[（(][^（）()]{0,30}[）)])?$")
_PAGE_NUMBER = re.compile(r"^(?:[-—–·\s]*\d{1,4}[-—–·\s]*|第\s*\d+\s*页.*|\d+\s*/\s*\d+|page\s*\d+.*)$", re.IGNORECASE)
_NON_DATA = re.compile(r"^(?:填表人|填报人|制表人|审核人|复核人|负责人|单位负责人|财务负责人|联系人|联系电话|填报日期|填表日期|注\s*[：:]|备注\s*[：:]|说明\s*[：:])")
_BESIDE_TITLE = re.compile(r"^(?:(?:金额)?单位|部门名称|单位名称|编制单位)[：:]")
_SPACES = re.compile(r"\s+")
_AMOUNT = re.compile(r"^-?\d{1,3}(?:,?\d{3})*\.\d+$")  # 2,177.86: not a 序号 nor a year
_HEADER_ROWS = 6  # a repeated header is among the first rows of the table's first page


@dataclass(frozen=True, slots=True)
class Item:
    """One line of text or one table row of a document, in reading order.

    `top_of_page` marks a table's first row on a page: on the pages after the table's first,
    where a repeated header or the continuation of a cut row can stand. `continues` says the
    producer drew no border above the row: it is the rest of the row above, cut by the page.
    """

    cells: tuple[str, ...]
    page: int | None
    in_table: bool
    top_of_page: bool = False
    continues: bool = False
    # Where a table row stands on its page (points from the top) and its table's column count:
    # what joins the column pages of a sheet printed wider than the paper (column_pages.py).
    top: float | None = None
    columns: int | None = None

    @property
    def text(self) -> str:
        return "".join(self.cells)


def target_grids(items: Iterable[Item]) -> list[Grid]:
    sections = _sections([item for item in items if any(item.cells)])
    marked = [section for section in sections if section and _MARKER in _compact(section[0].text)]
    ruled = [section for section in marked if any(item.in_table for item in section)]
    if (marked and not ruled) or (sections and not any(item.in_table for section in sections for item in section)):
        # Text set out in columns without drawn borders: no cells to read, and guessing columns
        # from gaps would join or split cells silently.
        first = (marked or sections)[0][0]
        raise TableError(
            IssueCategory.NOT_A_TARGET_TABLE,
            f"no table with drawn cell borders under {first.text[:40]!r}: only ruled tables can be "
            "read from a document; ask for the file it was printed from (.xlsx, .docx)",
            page=first.page,
        )
    marked = ruled
    return [
        grid
        for section in (marked or sections)
        if (grid := _grid(section)).rows
    ]


def _sections(items: Sequence[Item]) -> list[list[Item]]:
    sections: list[list[Item]] = [[]]
    for item in items:
        if _is_title(item) and sections[-1]:
            sections.append([])
        sections[-1].append(item)
    return [section for section in sections if section]


def _is_title(item: Item) -> bool:
    """A line (or a row) holding a table's title, maybe with 单位：万元 or 部门名称 beside it."""
    filled = [_compact(cell) for cell in item.cells if cell]
    return bool(filled) and bool(_TITLE.match(filled[0])) and all(_BESIDE_TITLE.match(cell) for cell in filled[1:])


def _grid(section: Sequence[Item]) -> Grid:
    rows: list[tuple[list[str], int | None]] = []
    header: set[tuple[str, ...]] = set()
    first_table_page: int | None = None
    in_table = at_page_top = False
    for item in section:
        if not item.in_table:
            if not in_table and not _is_page_number(item) and not _is_non_data(item):
                rows.append((list(item.cells), item.page))
            continue
        if not in_table:
            in_table, first_table_page = True, item.page
        if item.page == first_table_page:
            if len(header) < _HEADER_ROWS:
                header.add(_key(item))
        elif item.top_of_page:
            at_page_top = True
        if at_page_top and _key(item) in header:
            continue  # the header the producer repeats on each page
        if _is_non_data(item):
            continue
        if at_page_top and rows and _continues(rows[-1][0], item):
            rows[-1] = (_joined(rows[-1][0], item.cells), rows[-1][1])
        else:
            rows.append((list(item.cells), item.page))
        at_page_top = False
    return Grid(
        tuple(SourceRow(number, tuple(cells), page) for number, (cells, page) in enumerate(rows, 1)),
        origin=_origin(section),
    )


def _continues(above: Sequence[str], item: Item) -> bool:
    """Whether the first row on a page is the rest of the row cut at the foot of the last page.

    The producer says so (no border between the parts), or the row cannot stand alone: it has
    no 序号/name, or only one of the two parts has the amounts (each part has some of them
    when a cut row's amounts are aligned to the bottom or the middle of their cells).
    """
    if not _is_table_row(above) and not item.continues:
        return False
    return item.continues or not item.cells[0] or (_has_amount(above) != _has_amount(item.cells))


def _has_amount(cells: Sequence[str]) -> bool:
    return any(_AMOUNT.match(cell) for cell in cells)


def _joined(above: list[str], below: Sequence[str]) -> list[str]:
    width = max(len(above), len(below))
    above = [*above, *[""] * (width - len(above))]
    return [join_wrapped([a, b]) if a and b else a or b for a, b in zip(above, [*below, *[""] * (width - len(below))], strict=True)]


def join_wrapped(lines: Sequence[str]) -> str:
    """Lines of one wrapped cell as one text: no space between Chinese lines (a space only
    where a Latin word was wrapped at its space)."""
    text = ""
    for line in (line.strip() for line in lines):
        if not line:
            continue
        if text and text[-1].isascii() and text[-1].isalpha() and line[0].isascii() and line[0].isalpha():
            text += " "
        text += line
    return text


def _is_table_row(cells: Sequence[str]) -> bool:
    return sum(1 for cell in cells if cell) > 1


def _is_page_number(item: Item) -> bool:
    return bool(_PAGE_NUMBER.match(item.text.strip()))


def _is_non_data(item: Item) -> bool:
    filled = [cell for cell in item.cells if cell]
    return bool(filled) and all(_NON_DATA.match(_compact(cell)) for cell in filled)


def _key(item: Item) -> tuple[str, ...]:
    return tuple(_compact(cell) for cell in item.cells)


def _compact(text: str) -> str:
    return _SPACES.sub("", text)


def _origin(section: Sequence[Item]) -> str:
    pages = [item.page for item in section if item.page is not None]
    if not pages:
        return ""
    return f"page {pages[0]}" if pages[0] == pages[-1] else f"pages {pages[0]}-{pages[-1]}"
