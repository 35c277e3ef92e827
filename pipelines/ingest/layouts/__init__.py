"""Which form of the target table a grid is, and parsing it with that form's layout.

A layout module knows one published form (its headers, its blocks) and never bytes or formats:
`NAME`, `detect(grid) -> bool` from the content alone, and `parse(grid, relative_path=…)`. A new
form is one module and one entry in LAYOUTS. Grids no layout claims (a cover sheet, the
部门收支总表 of a budget document) are skipped; a file none of whose grids is claimed is not a
target table.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath

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
                return layout.parse(grid, relative_path=relative_path)
    # No layout claims any grid: the horizontal parser says best what the primary grid lacks.
    return horizontal.parse(primary_grid(list(grids)), relative_path=relative_path)
