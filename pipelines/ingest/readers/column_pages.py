"""A sheet printed wider than its page, put back together: its column pages side by side again.

LibreOffice (and Excel) print a sheet wider than the paper as a run of pages holding the left
columns, top to bottom, then a run holding the next columns, and so on. Read page by page, the
绩效 table then lacks its right-hand columns (绩效目标, 绩效指标) on the first pages and its
names on the others. This finds such runs in a document's items and joins page i of every run
into one page, each row with the rows printed at the same height on the other pages, before the
document is cut into sections.

A run is recognised only when it cannot be anything else: consecutive pages whose tables change
column count from one run to the next, the same number of pages in each run, the rows of a later
run's page standing at the heights of rows of the first run's page, and nothing else on it but
text the first run's page also prints (the repeated title, page numbers). Two different tables
on consecutive pages differ in their titles or their rows, and are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import groupby

from pipelines.ingest.readers.sections import Item

_PAGE_NUMBER = re.compile(r"^\s*(?:[-—–·]*\s*\d{1,4}\s*[-—–·]*|第\s*\d+\s*页.*|\d+\s*/\s*\d+)\s*$")
_SAME_HEIGHT = 2.0  # points


def stitch_column_pages(items: Sequence[Item]) -> list[Item]:
    pages = [list(group) for _, group in groupby(items, key=lambda item: item.page)]
    out: list[Item] = []
    index = 0
    while index < len(pages):
        runs = _column_runs(pages, index)
        if runs is None:
            out.extend(pages[index])
            index += 1
            continue
        per_run = len(runs[0])
        for offset in range(per_run):
            out.extend(_joined([pages[run[offset]] for run in runs]))
        index += per_run * len(runs)
    return out


def _column_runs(pages: Sequence[list[Item]], start: int) -> list[list[int]] | None:
    """The page indexes of each column run starting at `start`, or None when there is none."""
    widths = []
    for page_items in pages[start:]:
        width = _columns(page_items)
        if page_items[0].page is None or width == 0:
            break
        widths.append(width)
    runs = [len(list(group)) for _, group in groupby(widths)]
    per_run = runs[0] if runs else 0
    count = next((n for n, length in enumerate(runs) if length != per_run), len(runs))
    if count < 2:
        return None
    indexes = [[start + run * per_run + offset for offset in range(per_run)] for run in range(count)]
    for offset in range(per_run):
        left = pages[indexes[0][offset]]
        for run in indexes[1:]:
            right = pages[run[offset]]
            if not _texts(right) <= _texts(left) or not _rows_align(left, right):
                return None
    return indexes


def _rows_align(left: Sequence[Item], right: Sequence[Item]) -> bool:
    """Every row of the later page stands at the height of a row of the first (an empty row
    printed on one page only has no item: half of the rows matching is required, at least)."""
    tops = [item.top for item in left if item.in_table and item.top is not None]
    rows = [item.top for item in right if item.in_table and item.top is not None]
    matched = sum(1 for top in rows if any(abs(top - other) < _SAME_HEIGHT for other in tops))
    return bool(rows) and 2 * matched >= len(rows)


def _joined(pages: Sequence[list[Item]]) -> list[Item]:
    """One page: every height at which any of the pages prints a table row is one row, each
    page's cells padded to its table's column count, left to right."""
    heights: list[float] = []
    for page in pages:
        for item in page:
            if item.in_table and item.top is not None and not any(abs(item.top - h) < _SAME_HEIGHT for h in heights):
                heights.append(item.top)
    heights.sort()
    first = pages[0]
    top_item = next(item for item in first if item.in_table)
    rows = []
    for height in heights:
        cells: list[str] = []
        for page in pages:
            width = _columns(page)
            found = next((i for i in page if i.in_table and i.top is not None and abs(i.top - height) < _SAME_HEIGHT), None)
            part = list(found.cells) if found else []
            cells.extend(part + [""] * (width - len(part)))
        rows.append(Item(tuple(cells), top_item.page, True, top=height, columns=len(cells)))
    rows[0] = Item(rows[0].cells, rows[0].page, True, top_item.top_of_page, top_item.continues, rows[0].top, rows[0].columns)
    texts = [item for item in first if not item.in_table]
    above = [item for item in texts if _before_table(first, item)]
    below = [item for item in texts if not _before_table(first, item)]
    return [*above, *rows, *below]


def _before_table(page: Sequence[Item], item: Item) -> bool:
    return page.index(item) < next(index for index, other in enumerate(page) if other.in_table)


def _columns(items: Sequence[Item]) -> int:
    return max((item.columns or len(item.cells) for item in items if item.in_table), default=0)


def _texts(items: Sequence[Item]) -> set[str]:
    return {item.text.strip() for item in items if not item.in_table and not _PAGE_NUMBER.match(item.text)}
