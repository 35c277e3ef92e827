"""Workbooks (.xlsx and legacy .xls) through python-calamine.

calamine reads both formats through one API, tells them apart by content (a .xls that
is really an .xlsx still opens) and is fast. Rows are numbered as Excel numbers them,
empty rows included, so "line 12" is the row a person sees as 12. A merged cell's value
sits in its top-left cell only; the other cells of the merge read as empty.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Sequence
from decimal import Decimal

from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from pipelines.ingest import limits
from pipelines.ingest.errors import IssueCategory, TableError
from pipelines.ingest.readers.text import to_cells
from pipelines.ingest.rows import Grid, SourceRow

_EXCEL_DIGITS = 15  # Excel keeps and shows at most 15 significant digits


def read_workbook_grids(data: bytes) -> list[Grid]:
    """Every visible sheet with data, in workbook order: a workbook of per-project forms holds
    one table per sheet, and the layouts decide which sheets are target tables."""
    # Before calamine sees the bytes: it unpacks every part and allocates a sheet's whole
    # rectangle, so a zip bomb or one far-away cell would exhaust (and abort) the process.
    limits.check_archive(data)
    sheets = [
        Grid(tuple(rows), origin=f"sheet {name}")
        for name, rows in _visible_sheets(data)
        if not _is_blank(rows)
    ]
    if not sheets:
        raise TableError(
            IssueCategory.UNREADABLE, "workbook has no visible sheet with data"
        )
    return sheets


def cell_text(value: object) -> str:
    """A cell value as the text Excel shows, never in scientific notation."""
    match value:
        case None:
            return ""
        case str():
            return value
        case bool() | int():
            return str(value)
        case float():
            return _number_text(value)
        case dt.datetime() | dt.date() | dt.time():
            return value.isoformat()
        case _:
            return str(value)


def _visible_sheets(data: bytes) -> list[tuple[str, list[SourceRow]]]:
    # calamine raises CalamineError subclasses for corrupt, encrypted or unknown files,
    # but malformed parts can surface as other exceptions; each means "cannot read".
    try:
        with CalamineWorkbook.from_filelike(io.BytesIO(data)) as workbook:
            names = [
                sheet.name
                for sheet in workbook.sheets_metadata
                if sheet.typ == SheetTypeEnum.WorkSheet
                and sheet.visible == SheetVisibleEnum.Visible
            ]
            grids = [_sheet_cells(workbook, name) for name in names]
    except TableError:
        raise
    except Exception as exc:
        reason = str(exc) or type(exc).__name__
        raise TableError(
            IssueCategory.UNREADABLE, f"cannot read workbook: {reason}"
        ) from exc
    return [(name, _rows(grid)) for name, grid in zip(names, grids, strict=True)]


def _sheet_cells(workbook: CalamineWorkbook, name: str) -> list[list[object]]:
    sheet = workbook.get_sheet_by_name(name)
    limits.check_grid(sheet.height, sheet.width)  # before a Python object per cell is made
    return sheet.to_python(skip_empty_area=False)


def _rows(grid: Sequence[Sequence[object]]) -> list[SourceRow]:
    # skip_empty_area=False keeps the empty rows above the data: index 0 is Excel row 1.
    return [
        SourceRow(number, to_cells(cell_text(value) for value in values))
        for number, values in enumerate(grid, 1)
    ]


def _is_blank(rows: list[SourceRow]) -> bool:
    return all(row.is_blank for row in rows)


def _number_text(value: float) -> str:
    """2177.86 → "2177.86", 30.0 → "30", a formula's 151.70000000000002 → "151.7"."""
    if not math.isfinite(value):
        return str(value)
    if value.is_integer() and abs(value) < 10**_EXCEL_DIGITS:
        return str(int(value))
    return format(Decimal(format(value, f".{_EXCEL_DIGITS}g")), "f")
