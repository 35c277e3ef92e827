"""A sheet wider than the paper, printed by LibreOffice as pages of left columns then pages of
right columns, reads as the one table it is (pipelines/ingest/readers/column_pages.py).

Two prints of the seed as a workbook with wide, wrapped columns, with rows as tall as their text
and twice that: each run of columns takes two pages, then three (top to bottom, then the next
columns), with rows cut at page breaks. Both load exactly: 10 projects, 37 indicators, 2,177.86 万元.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path, PurePosixPath

import pytest

from pipelines.ingest.layouts import parse_grids
from pipelines.ingest.readers import read_grids_from_bytes
from tests.support.documents import libreoffice_convert
from tests.support.tables import render, seed_spec, write_xlsx

WIDTHS = {"A": 30, "B": 12, "C": 12, "D": 14, "E": 12, "F": 45, "G": 90}


def _wide_workbook(path: Path, *, stretch: float) -> Path:
    """Rows as tall as their wrapped 绩效指标 needs, times `stretch`."""
    import openpyxl
    from openpyxl.styles import Alignment, Border, Side

    write_xlsx(path, render(seed_spec()))
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    thin = Side(style="thin")
    for row in sheet.iter_rows(min_row=4):
        for cell in row:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(cell.value, float | int):
                cell.number_format = "#,##0.00"  # as departments print amounts
        if row[0].row > 4:
            lines = max(-(-len(str(cell.value or "")) // 40) for cell in row)
            sheet.row_dimensions[row[0].row].height = max(30.0, 15.0 * lines) * stretch
    for column, width in WIDTHS.items():
        sheet.column_dimensions[column].width = width
    workbook.save(path)
    return path


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("column-pages")
    books = [_wide_workbook(folder / "two_pages_a_run.xlsx", stretch=1.0),
             _wide_workbook(folder / "three_pages_a_run.xlsx", stretch=2.0)]
    return {pdf.stem: pdf for pdf in libreoffice_convert(books, folder)}


@pytest.mark.parametrize("name, pages", [("two_pages_a_run", 6), ("three_pages_a_run", 9)])
def test_a_sheet_printed_by_column_pages_loads_as_one_table(printed, name, pages):
    import pdfplumber

    data = printed[name].read_bytes()
    with pdfplumber.open(printed[name]) as pdf:
        widths = [max((len(t.rows[0].cells) for t in page.find_tables()), default=0) for page in pdf.pages]
    assert len(widths) == pages and len(set(widths)) > 1  # really printed in column runs
    table = parse_grids(read_grids_from_bytes(data, suffix=".pdf"), relative_path=PurePosixPath("2024/wide.pdf"))
    assert table.department_name == "广州市越秀区政务服务数据管理局（本级）"
    assert (len(table.projects), len(table.indicators)) == (10, 37)
    assert sum(p.amounts.total for p in table.projects) == Decimal("2177.86") == table.grand_total.total
    assert table.projects[0].performance_goal.startswith("按时完成缴纳物业管理费支付事宜")
    assert [i.name for i in table.indicators[:2]] == ["年度考核通过率", "物业管理工作按时完成率"]
