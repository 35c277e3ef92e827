"""The common shape every reader produces, whatever the file format."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One table row as published: its 1-based line (or sheet row) and its cells, stripped.

    `line` is row N of the table as a person counts it in the file or sheet; `page` is the
    page the row starts on, for formats that have pages (PDF), else None.
    """

    line: int
    cells: tuple[str, ...]
    page: int | None = None

    def cell(self, index: int) -> str:
        """Missing trailing cells read as empty, as spreadsheets and exports drop them."""
        return self.cells[index] if index < len(self.cells) else ""

    @property
    def is_blank(self) -> bool:
        return not any(self.cells)


@dataclass(frozen=True, slots=True)
class Grid:
    """One table of a file as a grid of cells: a sheet, an HTML table, a table over PDF pages.

    A reader knows bytes and cells, never 绩效; a layout (pipelines/ingest/layouts/) knows 绩效,
    never bytes. `origin` says where in the file the grid is ("sheet 项目1", "pages 3-5"), for
    messages; "" when the file holds one grid.
    """

    rows: tuple[SourceRow, ...]
    origin: str = ""
    # Text printed just above the table, outside it (a web page's heading and 年度 line): where
    # the title and year stand when the table itself has none. Not rows: line numbers stay the table's.
    title_lines: tuple[str, ...] = ()

    @property
    def is_blank(self) -> bool:
        return all(row.is_blank for row in self.rows)

    def mentions(self, text: str) -> bool:
        return any(text in cell for row in self.rows for cell in row.cells)
