"""A performance table no layout claims: say which of its labels the vocabulary lacks.

A grid that mentions 绩效 and has a row of 一级 … 二级 level columns (or a column of 一级 names:
产出指标, 效益指标 …) is plainly a performance table. When no layout claims it, its labels are
spelled in a way vocabulary.toml does not know yet; the error lists them so that a user can add
each to its family there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipelines.ingest.errors import IssueCategory, TableError
from pipelines.ingest.layouts.labels import fold, known_labels, label_of
from pipelines.ingest.rows import Grid, SourceRow

_LEVEL1 = re.compile(r"^一级")
_LEVEL2 = re.compile(r"^二级")
_NOTE = re.compile(r"\([^()]*\)$")
# What a label looks like: short, no digits, not a sentence.
_LABEL = re.compile(r"^[^\d。;,]{2,16}$")
_MAX_LISTED = 20
_STANDARD_LEVEL1 = frozenset({"产出指标", "效益指标", "满意度指标", "成本指标"})


def unknown_labels(grids: Sequence[Grid]) -> TableError | None:
    """The unknown_layout error for the first grid that is plainly a performance table, else None."""
    for grid in grids:
        if not grid.mentions("绩效"):
            continue
        rows = [row for row in grid.rows if not row.is_blank]
        header = _level_header(rows)
        if header is None:
            continue
        unknown = _unknown(rows[: header + 1])
        listed = ", ".join(repr(label) for label in unknown[:_MAX_LISTED]) or "none (the layout is new)"
        more = f" and {len(unknown) - _MAX_LISTED} more" if len(unknown) > _MAX_LISTED else ""
        where = f"{grid.origin}: " if grid.origin else ""
        return TableError(
            IssueCategory.UNKNOWN_LAYOUT,
            f"{where}a performance table (绩效, 一级/二级 levels) whose labels are not all known: "
            f"unrecognised {listed}{more}; add each to its family in "
            "pipelines/ingest/layouts/vocabulary.toml",
            line=rows[header].line,
        )
    return None


def _level_header(rows: Sequence[SourceRow]) -> int | None:
    """The row of 一级 … 二级 column labels; else, where a column lists 一级 names (产出指标,
    效益指标 …) under labels of its own spelling (指标类型), the row above the first of them."""
    labelled = next((index for index, row in enumerate(rows) if _has_levels(row)), None)
    if labelled is not None:
        return labelled
    first: dict[int, int] = {}
    names: dict[int, set[str]] = {}
    for index, row in enumerate(rows):
        for column, cell in enumerate(row.cells):
            name = fold(cell)
            if name in _STANDARD_LEVEL1:
                first.setdefault(column, index)
                names.setdefault(column, set()).add(name)
    columns = [column for column, found in names.items() if len(found) >= 2 and first[column] > 0]
    return min(first[column] for column in columns) - 1 if columns else None


def _has_levels(row: SourceRow) -> bool:
    labels = [fold(cell) for cell in row.cells]
    return any(_LEVEL1.match(label) for label in labels) and any(_LEVEL2.match(label) for label in labels)


def _unknown(rows: Sequence[SourceRow]) -> list[str]:
    """Label-like cells of the head block and level header that no family spells.

    A head row reads label, value, label, value: only its first, third, … filled cells are
    labels. Every cell of the level header is one.
    """
    known = known_labels()
    found: dict[str, None] = {}
    for number, row in enumerate(rows, 1):
        filled = [cell for cell in row.cells if cell.strip()]
        cells = filled if number == len(rows) else filled[::2]
        for cell in cells:
            label = label_of(cell)[0]
            if not _LABEL.match(label) or label in known or _NOTE.sub("", label) in known:
                continue
            found[label] = None
    return list(found)
