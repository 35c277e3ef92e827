"""Which form of the target table a grid is, and parsing it with that form's layout.

A layout module knows one published form (its headers, its blocks) and never bytes or formats:
`NAME`, `detect(grid) -> bool` from the content alone, and `parse(grid, relative_path=…)`. A new
form is one module and one entry in LAYOUTS. Grids no layout claims (a cover sheet, the
部门收支总表 of a budget document) are skipped; a file none of whose grids is claimed is not a
target table.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import PurePosixPath

from pipelines.ingest.errors import TableError
from pipelines.ingest.layouts import horizontal
from pipelines.ingest.model import DepartmentTable
from pipelines.ingest.readers import primary_grid
from pipelines.ingest.rows import Grid

LAYOUTS = (horizontal,)

__all__ = ["LAYOUTS", "parse_grids"]


def parse_grids(grids: Sequence[Grid], *, relative_path: PurePosixPath) -> DepartmentTable:
    """Raise TableError (without the path; the caller adds it) when no grid is a target table."""
    for grid in grids:
        for layout in LAYOUTS:
            if layout.detect(grid):
                return _with_pages(grid, layout.parse, relative_path)
    # No layout claims any grid: the horizontal parser says best what the primary grid lacks.
    return _with_pages(primary_grid(list(grids)), horizontal.parse, relative_path)


def _with_pages(grid: Grid, parse: Callable[..., DepartmentTable], relative_path: PurePosixPath) -> DepartmentTable:
    """Layouts know rows by line; the page of each (PDF) row is added here, to records and errors."""
    pages = {row.line: row.page for row in grid.rows if row.page is not None}
    try:
        table = parse(grid, relative_path=relative_path)
    except TableError as error:
        if error.page is None and error.line in pages:
            raise error.on_page(pages[error.line]) from error.__cause__
        raise
    if not pages:
        return table

    def paged(records):
        return tuple(dataclasses.replace(record, page=pages.get(record.line)) for record in records)

    return dataclasses.replace(
        table,
        units=paged(table.units),
        projects=paged(table.projects),
        indicators=paged(table.indicators),
        grand_total_page=pages.get(table.grand_total_line),
    )
