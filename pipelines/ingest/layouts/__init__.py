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

from pipelines.ingest.errors import IssueCategory, TableError
from pipelines.ingest.layouts import horizontal, per_project, self_evaluation
from pipelines.ingest.model import DepartmentTable, SelfEvaluation
from pipelines.ingest.readers import primary_grid
from pipelines.ingest.rows import Grid

# Order matters only where two could claim a grid: a 自评表 holds a 目标表's columns and more.
LAYOUTS = (horizontal, self_evaluation, per_project)
# Forms of one table per project: every grid of a file that they claim is part of the file.
_MANY_PER_FILE = (self_evaluation, per_project)

__all__ = ["LAYOUTS", "parse_grids"]


def parse_grids(grids: Sequence[Grid], *, relative_path: PurePosixPath) -> DepartmentTable | SelfEvaluation:
    """Raise TableError (without the path; the caller adds it) when no grid is a target table.

    A horizontal table is one grid (the first claimed). Per-project tables and self-evaluations
    are one project per table, so all the grids they claim (sheets, pages) are combined.
    """
    claimed: dict[str, list[Grid]] = {}
    for grid in grids:
        layout = next((layout for layout in LAYOUTS if layout.detect(grid)), None)
        if layout is horizontal and not claimed:
            return horizontal.parse(grid, relative_path=relative_path)
        if layout is not None:
            claimed.setdefault(layout.NAME, []).append(grid)
    if len(claimed) > 1:
        raise TableError(
            IssueCategory.NOT_A_TARGET_TABLE,
            f"the file mixes forms ({', '.join(sorted(claimed))}); publish each form in its own file",
        )
    for layout in _MANY_PER_FILE:
        if layout.NAME in claimed:
            return layout.parse_many(claimed[layout.NAME], relative_path=relative_path)
    # No layout claims any grid: the horizontal parser says best what the primary grid lacks.
    return horizontal.parse(primary_grid(list(grids)), relative_path=relative_path)
