"""Which form of the target table a grid is, and parsing it with that form's layout.

A layout module knows one published form (its headers, its blocks) and never bytes or formats:
`NAME`, `detect(grid) -> bool` from the content alone, and `parse(grid, relative_path=…)`. A new
form is one module and one entry in LAYOUTS; a new spelling of a label is one line of
vocabulary.toml. Grids no layout claims (a cover sheet, the 部门收支总表 of a budget document) are
skipped; a file none of whose grids is claimed is not a target table, or, when it plainly is a
performance table, an `unknown_layout` naming the labels to add to the vocabulary.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import PurePosixPath

from pipelines.ingest.errors import IssueCategory, TableError
from pipelines.ingest.layouts import horizontal, per_indicator, per_project, self_evaluation, unknown_layout
from pipelines.ingest.model import DepartmentTable, SelfEvaluation
from pipelines.ingest.readers import primary_grid
from pipelines.ingest.rows import Grid

# Order matters only where two could claim a grid: a 自评表 holds a 目标表's columns and more, and
# a one-row-per-indicator grid holds the per-project labels in its header row.
LAYOUTS = (horizontal, per_indicator, self_evaluation, per_project)
# Forms whose every grid that they claim (sheets, pages) is part of the file.
_MANY_PER_FILE = (per_indicator, self_evaluation, per_project)

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
            return _with_pages([grid], lambda grid=grid: horizontal.parse(grid, relative_path=relative_path))
        if layout is not None:
            claimed.setdefault(layout.NAME, []).append(grid)
    if len(claimed) > 1:
        raise TableError(
            IssueCategory.NOT_A_TARGET_TABLE,
            f"the file mixes forms ({', '.join(sorted(claimed))}); publish each form in its own file",
        )
    for layout in _MANY_PER_FILE:
        if layout.NAME in claimed:
            many = claimed[layout.NAME]
            return _with_pages(many, lambda layout=layout, many=many: layout.parse_many(many, relative_path=relative_path))
    unknown = unknown_layout.unknown_labels(grids)
    if unknown is not None:
        raise unknown
    # No layout claims any grid: the horizontal parser says best what the primary grid lacks.
    primary = primary_grid(list(grids))
    return _with_pages([primary], lambda: horizontal.parse(primary, relative_path=relative_path))


def _with_pages(grids: Sequence[Grid], parse: Callable[[], DepartmentTable | SelfEvaluation]):
    """Layouts know rows by line; the page of each (PDF) row is added here, to records and errors.

    Lines that stand on different pages in different grids (tables numbered each from 1) get no
    page: a wrong page would send a reader to the wrong place.
    """
    pages = _unambiguous_pages(grids)
    try:
        table = parse()
    except TableError as error:
        if error.page is None and error.line in pages:
            raise error.on_page(pages[error.line]) from error.__cause__
        raise
    if not pages:
        return table

    def paged(records):
        return tuple(dataclasses.replace(record, page=pages.get(record.line)) for record in records)

    if isinstance(table, SelfEvaluation):
        return dataclasses.replace(table, projects=paged(table.projects), results=paged(table.results))
    return dataclasses.replace(
        table,
        units=paged(table.units),
        projects=paged(table.projects),
        indicators=paged(table.indicators),
        grand_total_page=pages.get(table.grand_total_line),
    )


def _unambiguous_pages(grids: Sequence[Grid]) -> dict[int, int]:
    seen: dict[int, set[int]] = {}
    for grid in grids:
        for row in grid.rows:
            if row.page is not None:
                seen.setdefault(row.line, set()).add(row.page)
    return {line: next(iter(found)) for line, found in seen.items() if len(found) == 1}
