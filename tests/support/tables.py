"""Department tables as tests need them: the seed as data, changed and re-rendered, and written
out in every form departments publish (tab text, CSV, .xlsx, .xls; any encoding and line ending).

A table is rendered to `Lines`: one list of cells per physical line, laid out like the seed
(blank lines where the seed has them), so an unchanged seed renders to the seed file's lines.
Subtotals and the 合计 row are computed from the projects, so changed tables still add up
unless a test tampers with a rendered cell on purpose.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from tests.support.paths import SEED_PATH

Lines = list[list[str]]

HEADER = ["项目名称（资金使用单位）", "总计", "财政拨款", "财政专户拨款", "其他资金", "绩效目标", "绩效指标"]
AMOUNT_COLUMNS = (1, 2, 3, 4)  # 总计, 财政拨款, 财政专户拨款, 其他资金
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ProjectSpec:
    name: str
    fiscal: Decimal
    special: Decimal
    other: Decimal
    goal: str
    indicators: str

    @property
    def total(self) -> Decimal:
        return self.fiscal + self.special + self.other


@dataclass(frozen=True)
class UnitSpec:
    name: str
    projects: tuple[ProjectSpec, ...]


@dataclass(frozen=True)
class TableSpec:
    title: str
    department: str
    units: tuple[UnitSpec, ...]
    money_unit: str = "万元"
    extra_preamble: tuple[str, ...] = field(default=())

    @property
    def total(self) -> Decimal:
        return sum((p.total for u in self.units for p in u.projects), ZERO)

    def with_project(self, name: str, **changes: object) -> TableSpec:
        """The same table with one project's fields changed (e.g. fiscal=Decimal("1.00"))."""
        units = tuple(
            dataclasses.replace(
                unit,
                projects=tuple(
                    dataclasses.replace(p, **changes) if p.name == name else p for p in unit.projects
                ),
            )
            for unit in self.units
        )
        return dataclasses.replace(self, units=units)


def seed_spec() -> TableSpec:
    """The seed file as data (its one unit, ten projects and their indicators)."""
    lines = [[cell.strip() for cell in line.split("\t")] for line in SEED_PATH.read_text("utf-8").split("\n")]
    content = [line for line in lines if any(line)]
    header_at = next(i for i, line in enumerate(content) if line[0] == HEADER[0])
    department = content[1][0].split("：", 1)[1]
    unit_name = content[header_at + 2][0]
    projects = tuple(
        ProjectSpec(
            name=line[0],
            fiscal=_decimal(line[2]),
            special=_decimal(line[3]),
            other=_decimal(line[4]),
            goal=line[5],
            indicators=line[6],
        )
        for line in content[header_at + 3 :]
    )
    return TableSpec(title=content[0][0], department=department, units=(UnitSpec(unit_name, projects),))


def two_unit_spec() -> TableSpec:
    """The seed's projects split over two 资金使用单位, the second with 其他资金 as well."""
    seed = seed_spec()
    projects = seed.units[0].projects
    second = tuple(
        dataclasses.replace(p, other=Decimal("5.50")) if i == 0 else p for i, p in enumerate(projects[6:])
    )
    return dataclasses.replace(
        seed,
        units=(UnitSpec(seed.units[0].name, projects[:6]), UnitSpec("广州市越秀区政务服务中心", second)),
    )


def render(spec: TableSpec) -> Lines:
    """The seed's layout: two blank lines, title, 部门名称, 单位, header (line 9), 合计 (line 10)…"""
    lines: Lines = [
        [],
        [],
        [spec.title],
        [],
        [f"部门名称：{spec.department}"],
        [],
        [f"单位：{spec.money_unit}"],
        [],
    ]
    lines.extend([line] for line in spec.extra_preamble)
    lines.append(list(HEADER))
    lines.append(_amount_row("合计", spec.total, *_sources(p for u in spec.units for p in u.projects)))
    for unit in spec.units:
        lines.append(
            _amount_row(unit.name, sum((p.total for p in unit.projects), ZERO), *_sources(unit.projects))
        )
        lines.extend(
            [*_amount_row(p.name, p.total, p.fiscal, p.special, p.other), p.goal, p.indicators]
            for p in unit.projects
        )
    return lines


def line_index(lines: Lines, first_cell: str) -> int:
    """0-based index of the line whose first cell is first_cell (its physical line is index + 1)."""
    return next(i for i, line in enumerate(lines) if line and line[0] == first_cell)


def money(value: Decimal) -> str:
    """As the seed prints amounts: thousands separators, two decimals, empty for zero."""
    return f"{value:,.2f}" if value else ""


# --- writers -----------------------------------------------------------------------------------


def tab_text(lines: Lines, *, newline: str = "\n") -> str:
    return newline.join("\t".join(line) for line in lines) + newline


def write_text(path: Path, lines: Lines, *, encoding: str = "utf-8", newline: str = "\n") -> Path:
    """Tab-separated text, as the seed is published."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(tab_text(lines, newline=newline).encode(encoding))
    return path


def write_csv(path: Path, lines: Lines, *, encoding: str = "utf-8", newline: str = "\r\n") -> Path:
    """Comma-separated, quoted where needed (amounts with ',' and cells with line breaks)."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator=newline).writerows(lines)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(
    path: Path, lines: Lines, *, two_row_header: bool = False, amounts_as_text: bool = False
) -> Path:
    """openpyxl workbook: the title merged over the columns, an empty row under it, the
    preamble and table below; amounts as numbers unless amounts_as_text."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "项目支出绩效目标表"
    for row, line in _sheet_rows(lines, two_row_header=two_row_header):
        if line == HEADER and two_row_header:
            _two_row_header(sheet, row)
            continue
        for column, value in enumerate(_sheet_values(line, amounts_as_text=amounts_as_text), 1):
            if value is not None:
                sheet.cell(row, column, value)
        if row == 1:
            sheet.merge_cells(start_row=1, end_row=1, start_column=1, end_column=len(HEADER))
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def write_xls(path: Path, lines: Lines) -> Path:
    """Legacy .xls through xlwt, amounts as numbers, the title merged."""
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("Sheet1")
    for row, line in _sheet_rows(lines, two_row_header=False):
        values = _sheet_values(line, amounts_as_text=False)
        if row == 1:
            sheet.write_merge(0, 0, 0, len(HEADER) - 1, values[0])
            continue
        for column, value in enumerate(values):
            if value is not None:
                sheet.write(row - 1, column, value)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(str(path))
    return path


def write_html(path: Path, lines: Lines, *, encoding: str = "utf-8", two_row_header: bool = False) -> Path:
    """An HTML page as web systems export it under an .xls name: a meta charset, the title in a
    cell spanning every column, line breaks in cells as <br>, rows left unclosed."""
    from html import escape

    def cell(text: str, attributes: str = "") -> str:
        return f"<td{attributes}>{escape(text).replace(chr(10), '<br>')}</td>"

    charset = {"gbk": "gb2312", "gb18030": "gb18030"}.get(encoding, encoding)
    rows = []
    for index, line in enumerate(line for line in lines if any(line)):
        if index == 0:
            rows.append(f"<tr>{cell(line[0], f' colspan={len(HEADER)}')}")
        elif line == HEADER and two_row_header:
            spans = [cell(HEADER[i], " rowspan=2") for i in (0, 1)]
            rows.append(f"<tr>{''.join(spans)}{cell('资金来源', ' colspan=3')}{cell(HEADER[5], ' rowspan=2')}{cell(HEADER[6], ' rowspan=2')}")
            rows.append(f"<tr>{''.join(cell(h) for h in HEADER[2:5])}")
        else:
            rows.append(f"<tr>{''.join(cell(c) for c in line)}")
    page = (
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}"></head>\n'
        f"<body><table border=1>\n" + "\n".join(rows) + "\n</table></body></html>\n"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(page.encode(encoding))
    return path


def sheet_row_numbers(lines: Lines, *, two_row_header: bool = False) -> dict[int, int]:
    """Which Excel row each non-blank line (by 0-based index in lines) lands on."""
    content = [i for i, line in enumerate(lines) if any(line)]
    rows = _sheet_rows(lines, two_row_header=two_row_header)
    return {index: row for index, (row, _) in zip(content, rows, strict=True)}


def _sheet_rows(lines: Lines, *, two_row_header: bool) -> list[tuple[int, list[str]]]:
    rows, row = [], 1
    for index, line in enumerate(line for line in lines if any(line)):
        rows.append((row, line))
        row += 2 if index == 0 else 1  # an empty row under the title
        if line == HEADER and two_row_header:
            row += 1
    return rows


def _two_row_header(sheet, row: int) -> None:
    """项目名称, 总计, 绩效目标, 绩效指标 merged over two rows; 资金来源 above the three sources."""
    for column in (1, 2, 6, 7):
        sheet.cell(row, column, HEADER[column - 1])
        sheet.merge_cells(start_row=row, end_row=row + 1, start_column=column, end_column=column)
    sheet.cell(row, 3, "资金来源")
    sheet.merge_cells(start_row=row, end_row=row, start_column=3, end_column=5)
    for column in (3, 4, 5):
        sheet.cell(row + 1, column, HEADER[column - 1])


def _sheet_values(line: list[str], *, amounts_as_text: bool) -> list[str | float | None]:
    values: list[str | float | None] = []
    for column, cell in enumerate(line):
        if column in AMOUNT_COLUMNS and cell and not amounts_as_text and _is_amount(cell):
            values.append(float(cell.replace(",", "")))
        else:
            values.append(cell or None)
    return values


def _is_amount(cell: str) -> bool:
    try:
        Decimal(cell.replace(",", ""))
    except ArithmeticError:
        return False
    return True


def _amount_row(name: str, total: Decimal, fiscal: Decimal, special: Decimal, other: Decimal) -> list[str]:
    return [name, money(total), money(fiscal), money(special), money(other)]


def _sources(projects) -> tuple[Decimal, Decimal, Decimal]:
    projects = list(projects)
    return (
        sum((p.fiscal for p in projects), ZERO),
        sum((p.special for p in projects), ZERO),
        sum((p.other for p in projects), ZERO),
    )


def _decimal(cell: str) -> Decimal:
    return Decimal(cell.replace(",", "")) if cell else ZERO
