"""Every form a department publishes its table in parses to the same DepartmentTable.

Fixtures are written here from the seed (tab text, CSV with quoted multi-line cells, .xlsx with
a merged title and a two-row header, .xls; UTF-8, UTF-8 with BOM, GBK, GB18030; CRLF; blank
lines and padded cells). Line numbers differ between forms, so content is compared without
them, and each form's line numbers are checked against the file itself: a person opening the
file at that line (or sheet row) finds the row.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path, PurePosixPath

import openpyxl
import pytest

from pipelines.ingest.decoding import LINE_BREAK, decode_text
from pipelines.ingest.layouts.horizontal import parse_table
from pipelines.ingest.model import DepartmentTable
from pipelines.ingest.readers import read_source_rows
from tests.support.paths import SEED_PATH
from tests.support.tables import (
    HEADER,
    Lines,
    render,
    seed_spec,
    two_unit_spec,
    write_csv,
    write_html,
    write_text,
    write_xls,
    write_xlsx,
)

SEED_LINES = render(seed_spec())


def _padded(lines: Lines) -> Lines:
    """Cells padded with spaces, full-width spaces and no-break spaces; 合计 spelled 合　计."""
    padded = [[f" \u3000{cell}\xa0 " if cell else cell for cell in line] for line in lines]
    total = next(line for line in padded if line and "合计" in line[0])
    total[0] = "合\u3000计"
    return padded


def _with_blank_lines(lines: Lines) -> Lines:
    """Blank and whitespace-only lines inside the preamble and between the rows."""
    out: Lines = []
    for index, line in enumerate(lines):
        out.append(line)
        if index in (2, 9, 14):
            out.extend([[], [" ", "\u3000", ""]])
    return out + [[], ["\t"]]


def _multiline_cells(lines: Lines) -> Lines:
    """One indicator per line inside the cell, as Alt+Enter in Excel exports them to CSV."""
    return [
        [cell.replace("。", "。\n").rstrip("\n") if column == 6 else cell for column, cell in enumerate(line)]
        for line in lines
    ]


Writer = Callable[[Path], Path]
FORMS: dict[str, Writer] = {
    "txt utf-8": lambda d: write_text(d / "t.txt", SEED_LINES),
    "txt utf-8 bom": lambda d: write_text(d / "t.txt", SEED_LINES, encoding="utf-8-sig"),
    "txt gbk crlf": lambda d: write_text(d / "t.txt", SEED_LINES, encoding="gbk", newline="\r\n"),
    "tsv gb18030": lambda d: write_text(d / "t.tsv", SEED_LINES, encoding="gb18030"),
    "txt padded gb18030": lambda d: write_text(d / "t.txt", _padded(SEED_LINES), encoding="gb18030"),
    "txt blank lines crlf": lambda d: write_text(d / "t.txt", _with_blank_lines(SEED_LINES), newline="\r\n"),
    "csv utf-8 bom crlf": lambda d: write_csv(d / "t.csv", SEED_LINES, encoding="utf-8-sig"),
    "csv gbk multi-line cells": lambda d: write_csv(
        d / "t.csv", _multiline_cells(SEED_LINES), encoding="gbk"
    ),
    "csv gb18030 lf padded": lambda d: write_csv(
        d / "t.csv", _with_blank_lines(_padded(SEED_LINES)), encoding="gb18030", newline="\n"
    ),
    "xlsx amounts as numbers": lambda d: write_xlsx(d / "t.xlsx", SEED_LINES),
    "xlsx two-row header": lambda d: write_xlsx(d / "t.xlsx", SEED_LINES, two_row_header=True),
    "xlsx two-row header amounts as text": lambda d: write_xlsx(
        d / "t.xlsx", SEED_LINES, two_row_header=True, amounts_as_text=True
    ),
    "xlsx padded text": lambda d: write_xlsx(d / "t.xlsx", _padded(SEED_LINES), amounts_as_text=True),
    "xls": lambda d: write_xls(d / "t.xls", SEED_LINES),
    "xls that is an HTML page, gbk": lambda d: write_html(d / "t.xls", SEED_LINES, encoding="gbk"),
    "html two-row header, multi-line cells": lambda d: write_html(
        d / "t.html", _multiline_cells(SEED_LINES), two_row_header=True
    ),
}


def _parse(path: Path) -> DepartmentTable:
    return parse_table(read_source_rows(path), relative_path=PurePosixPath("2024") / path.name)


def _without_lines(table: DepartmentTable) -> DepartmentTable:
    def unlined(items):
        return tuple(dataclasses.replace(item, line=0) for item in items)

    return dataclasses.replace(
        table,
        grand_total_line=0,
        units=unlined(table.units),
        projects=unlined(table.projects),
        indicators=unlined(table.indicators),
    )


@pytest.fixture(scope="module")
def seed_table() -> DepartmentTable:
    return _parse(SEED_PATH)


def test_the_seed_parses_to_its_known_content(seed_table: DepartmentTable) -> None:
    assert seed_table.department_name == "广州市越秀区政务服务数据管理局（本级）"
    assert (seed_table.fiscal_year, seed_table.grand_total.total) == (2024, Decimal("2177.86"))
    assert [(u.name, u.line, u.amounts.total) for u in seed_table.units] == [
        ("广州市越秀区政务服务数据管理局", 11, Decimal("2177.86"))
    ]
    assert (len(seed_table.projects), len(seed_table.indicators)) == (10, 37)
    ops = next(p for p in seed_table.projects if p.name == "2024年信息化运维项目")
    assert (ops.line, ops.amounts.total) == (19, Decimal("1359.11"))
    assert sum(1 for i in seed_table.indicators if i.project_name == ops.name) == 6


def test_rendered_seed_is_the_seed(seed_table: DepartmentTable, tmp_path: Path) -> None:
    """The fixture writer reproduces the seed exactly, line numbers included."""
    assert _parse(write_text(tmp_path / "t.txt", SEED_LINES)) == seed_table


@pytest.mark.parametrize("form", FORMS)
def test_every_form_parses_to_the_same_table(form: str, seed_table: DepartmentTable, tmp_path: Path) -> None:
    table = _parse(FORMS[form](tmp_path))
    assert _without_lines(table) == _without_lines(seed_table)


@pytest.mark.parametrize("form", FORMS)
def test_line_numbers_point_at_the_rows_in_the_file(form: str, tmp_path: Path) -> None:
    path = FORMS[form](tmp_path)
    table = _parse(path)
    first_cell = _first_cell_reader(path)
    assert _compact(first_cell(table.grand_total_line)) == "合计"
    for unit in table.units:
        assert _compact(first_cell(unit.line)) == unit.name
    for project in table.projects:
        assert _compact(first_cell(project.line)) == project.name
    projects = {p.name: p.line for p in table.projects}
    assert all(indicator.line == projects[indicator.project_name] for indicator in table.indicators)


def test_two_funding_units_each_with_their_subtotal_and_projects(tmp_path: Path) -> None:
    spec = two_unit_spec()
    for path in (
        write_text(tmp_path / "t.txt", render(spec), encoding="gbk"),
        write_xlsx(tmp_path / "t.xlsx", render(spec), two_row_header=True),
    ):
        table = _parse(path)
        assert [(u.name, u.amounts.total, u.amounts.other_funds) for u in table.units] == [
            ("广州市越秀区政务服务数据管理局", Decimal("229.93"), Decimal("0.00")),
            ("广州市越秀区政务服务中心", Decimal("1953.43"), Decimal("5.50")),
        ]
        for unit in table.units:
            projects = [p for p in table.projects if p.unit_name == unit.name]
            assert unit.amounts.total == sum(p.amounts.total for p in projects)
            assert all(unit.line < p.line for p in projects)
        assert [len([p for p in table.projects if p.unit_name == u.name]) for u in table.units] == [6, 4]
        assert table.grand_total.total == sum(u.amounts.total for u in table.units) == Decimal("2183.36")
        assert {i.unit_name for i in table.indicators} == {u.name for u in table.units}


# --- layouts seen in other departments' tables ---------------------------------------------


def test_total_on_the_second_header_row(seed_table: DepartmentTable, tmp_path: Path) -> None:
    lines = [list(line) for line in SEED_LINES]
    at = lines.index(HEADER)
    lines[at : at + 1] = [
        ["项目名称（资金使用单位）", "资金来源", "", "", "", "绩效目标", "绩效指标"],
        ["", "总计", "财政拨款", "财政专户拨款", "其他资金"],
    ]
    assert _without_lines(_parse(write_text(tmp_path / "t.txt", lines))) == _without_lines(seed_table)


def test_a_line_above_the_title_does_not_hide_the_year(tmp_path: Path) -> None:
    lines = [list(line) for line in SEED_LINES]
    lines[0] = ["附件3"]
    lines[2] = ["广州市越秀区2024年项目支出绩效目标表"]
    path = write_text(tmp_path / "t.txt", lines)  # no year folder: the title must give it
    table = parse_table(read_source_rows(path), relative_path=PurePosixPath(path.name))
    assert (table.title, table.fiscal_year) == ("广州市越秀区2024年项目支出绩效目标表", 2024)


def test_serial_number_column_holding_the_total_label(seed_table: DepartmentTable, tmp_path: Path) -> None:
    lines = []
    for line in SEED_LINES:
        if line == HEADER:
            lines.append(["序号", *line])
        elif line and line[0] == "合计":
            lines.append(["合计", "", *line[1:]])  # 合计 merged over 序号 and the name column
        elif len(line) > 1:
            lines.append([str(len(lines)), *line])
        else:
            lines.append(line)
    assert _without_lines(_parse(write_xlsx(tmp_path / "t.xlsx", lines))) == _without_lines(seed_table)


def test_department_line_directly_above_the_header_is_not_the_header(tmp_path: Path) -> None:
    lines = [line for line in SEED_LINES if not (line and line[0].startswith("单位："))]
    lines = [
        ["单位名称：广州市越秀区政务服务数据管理局（本级）"]
        if line and line[0].startswith("部门名称")
        else line
        for line in lines
    ]
    lines = [line for line in lines if line]  # 单位名称 now sits on the row right above the header
    table = _parse(write_text(tmp_path / "t.txt", lines))
    assert table.department_name == "广州市越秀区政务服务数据管理局（本级）"
    assert len(table.projects) == 10


# --- helpers ---------------------------------------------------------------------------------


def _first_cell_reader(path: Path) -> Callable[[int], str]:
    """The first non-empty cell of a line as the file itself holds it, read without our readers."""
    if path.read_bytes().lstrip().startswith(b"<"):
        import lxml.html

        rows = list(lxml.html.document_fromstring(path.read_bytes()).iter("tr"))
        return lambda row: next(t for c in rows[row - 1] if (t := c.text_content().strip()))
    if path.suffix == ".xlsx":
        sheet = openpyxl.load_workbook(path).active
        return lambda row: next(str(c.value) for c in sheet[row] if c.value not in (None, ""))
    if path.suffix == ".xls":
        import xlrd

        sheet = xlrd.open_workbook(str(path)).sheet_by_index(0)
        return lambda row: next(str(v) for v in sheet.row_values(row - 1) if v not in (None, ""))
    text, _ = decode_text(path.read_bytes())
    physical = LINE_BREAK.split(text)
    separator = "," if path.suffix == ".csv" else "\t"
    return lambda line: next(
        cell.strip(' "') for cell in physical[line - 1].split(separator) if cell.strip(' "')
    )


def _compact(text: str) -> str:
    return "".join(text.split())
