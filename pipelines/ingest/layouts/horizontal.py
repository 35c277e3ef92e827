"""The horizontal form (Guangzhou's): one row per project, all indicators packed in one cell.

From a table's rows to a DepartmentTable: title, 部门名称, header, 合计, units and projects.
Works on SourceRow whatever the file format, so a new format needs only a new reader.
Columns are found by their header text, not their position, and a header split over two rows
(资金来源 above 财政拨款/财政专户拨款/其他资金) is joined.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from pipelines.ingest.amounts import parse_amount
from pipelines.ingest.errors import IssueCategory, TableError
from pipelines.ingest.fiscal_year import resolve_fiscal_year
from pipelines.ingest.indicators import split_indicators
from pipelines.ingest.layouts.labels import fold, spellings
from pipelines.ingest.model import Amounts, DepartmentTable, FundingUnit, Indicator, Project
from pipelines.ingest.rows import Grid, SourceRow

# Header texts per column, from vocabulary.toml; the first is the published name.
COLUMNS: dict[str, tuple[str, ...]] = {
    column: spellings("horizontal", column)
    for column in ("name", "total", "fiscal_appropriation", "special_account_appropriation", "other_funds",
                   "performance_goal", "indicators")
}
_AMOUNT_COLUMNS = ("total", "fiscal_appropriation", "special_account_appropriation", "other_funds")
_AMOUNT_LABELS = dict(zip(_AMOUNT_COLUMNS, ("总计", "财政拨款", "财政专户拨款", "其他资金"), strict=True))
# Some producers print "部门名称：… 单位：万元" on one line (one cell): the unit is not the name's.
_DEPARTMENT = re.compile(r"^(?:部门|单位)名称\s*[：:]\s*(.*?)(?:\s*(?:金额)?单位\s*[：:][^：:]*)?$")
_MONEY_UNIT = re.compile(r"(?:^|(?<=\s)|(?<=[）)]))(?:金额)?单位\s*[：:]\s*([^：:]*)$")
_GRAND_TOTAL_NAMES = frozenset({"合计", "总计"})  # compared with spaces removed
_FOOTNOTE = re.compile(r"^(?:注|备注|说明|填表说明|数据来源)\s*[：:、0-9]")
_SPACES = re.compile(r"\s+")
_LABELLED = re.compile(r"[：:]")
_TITLE = re.compile(r"绩效目标|目标表")


@dataclass(frozen=True, slots=True)
class _Header:
    first_index: int  # index in the non-blank rows of the header's first row
    last_index: int  # … and of its last (the same unless the header spans two rows)
    columns: dict[str, int]


NAME = "horizontal"


def detect(grid: Grid) -> bool:
    """A header row naming 项目名称 and 总计 (on it or the row below) near the top."""
    content = [row for row in grid.rows if not row.is_blank]
    return any(_is_header_candidate(content, index) for index in range(min(len(content), 40)))


def parse(grid: Grid, *, relative_path: PurePosixPath) -> DepartmentTable:
    return parse_table(grid.rows, relative_path=relative_path)


def parse_table(rows: Sequence[SourceRow], *, relative_path: PurePosixPath) -> DepartmentTable:
    """Raise TableError (without the path; the caller adds it) when the rows are not a target table."""
    content = [row for row in rows if not row.is_blank]
    if not content:
        raise TableError(IssueCategory.NOT_A_TARGET_TABLE, "the file holds no rows")
    header = _find_header(content)
    preamble = content[: header.first_index]
    title_row = _title_row(preamble)
    title = _joined(title_row) if title_row else ""
    department = _department_name(preamble)
    _check_money_unit(preamble)
    fiscal_year = resolve_fiscal_year(relative_path, title, title_line=title_row.line if title_row else None)
    body = [row for row in content[header.last_index + 1 :] if not _is_footnote(row)]
    return _parse_body(body, header.columns, title, department, fiscal_year, content[header.last_index])


def _find_header(content: Sequence[SourceRow]) -> _Header:
    for index, row in enumerate(content[:40]):
        if not _is_header_candidate(content, index):
            continue
        names = [fold(cell) for cell in row.cells]
        below = [fold(cell) for cell in content[index + 1].cells] if index + 1 < len(content) else []
        columns: dict[str, int] = {}
        two_rows = False
        for column in COLUMNS:
            found = _column_index(names, column)
            if found is None and below:
                found = _column_index(below, column)
                two_rows = two_rows or found is not None
            if found is not None:
                columns[column] = found
        missing = [
            COLUMNS[c][0] for c in ("name", "total", "performance_goal", "indicators") if c not in columns
        ]
        if missing:
            raise TableError(
                IssueCategory.NOT_A_TARGET_TABLE,
                f"header row lacks the column(s) {', '.join(missing)}",
                line=row.line,
            )
        return _Header(first_index=index, last_index=index + 1 if two_rows else index, columns=columns)
    raise TableError(
        IssueCategory.NOT_A_TARGET_TABLE,
        "no header row with 项目名称（资金使用单位） and 总计 in the first 40 rows: "
        "this does not look like a 项目支出绩效目标表",
        line=content[0].line,
    )


def _is_header_candidate(content: Sequence[SourceRow], index: int) -> bool:
    names = [fold(cell) for cell in content[index].cells]
    below = [fold(cell) for cell in content[index + 1].cells] if index + 1 < len(content) else []
    # 总计 may sit on the header's second row, under the same 资金来源 band as the sources.
    has_total = _column_index(names, "total") is not None or _column_index(below, "total") is not None
    return _column_index(names, "name") is not None and has_total


def _column_index(names: Sequence[str], column: str) -> int | None:
    for variant in COLUMNS[column]:
        for index, name in enumerate(names):
            if _LABELLED.search(name):
                continue  # '单位名称：…' above the header is the department, not a column
            if name.startswith(variant) or (column == "name" and variant in name):
                if column == "total" and index == 0:
                    continue
                return index
    return None


def _title_row(preamble: Sequence[SourceRow]) -> SourceRow | None:
    """The row naming the table, else the first row: a line such as '附件3' may stand above it."""
    return next((row for row in preamble if _TITLE.search(_joined(row))), preamble[0] if preamble else None)


def _department_name(preamble: Sequence[SourceRow]) -> str:
    for row in preamble:
        cells = [cell for cell in row.cells if cell]
        for position, cell in enumerate(cells):
            match = _DEPARTMENT.match(cell)
            if match:
                name = match.group(1).strip() or (cells[position + 1] if position + 1 < len(cells) else "")
                if name:
                    return name
                raise TableError(IssueCategory.NOT_A_TARGET_TABLE, "部门名称 is empty", line=row.line)
    first_line = preamble[0].line if preamble else None
    raise TableError(
        IssueCategory.NOT_A_TARGET_TABLE,
        "no '部门名称：…' line above the header: the department is unknown",
        line=first_line,
    )


def _check_money_unit(preamble: Sequence[SourceRow]) -> None:
    for row in preamble:
        for cell in row.cells:
            match = _MONEY_UNIT.search(cell)
            if match and _compact(match.group(1)) not in ("万元", ""):
                raise TableError(
                    IssueCategory.NOT_A_TARGET_TABLE,
                    f"amounts are in {match.group(1)!r}; only tables in 万元 are accepted",
                    line=row.line,
                )


def _parse_body(
    body: Sequence[SourceRow],
    columns: dict[str, int],
    title: str,
    department: str,
    fiscal_year: int,
    header_row: SourceRow,
) -> DepartmentTable:
    if not body or not _is_grand_total(body[0], columns):
        line = body[0].line if body else header_row.line
        raise TableError(
            IssueCategory.NOT_A_TARGET_TABLE,
            "the row after the header must be the 合计 (grand total) row",
            line=line,
        )
    grand_total = _amounts(body[0], columns)
    units: list[FundingUnit] = []
    projects: list[Project] = []
    indicators: list[Indicator] = []
    current_unit: str | None = None
    for row in body[1:]:
        name = _name(row, columns)
        goal = row.cell(columns["performance_goal"])
        indicator_cell = row.cell(columns["indicators"])
        if not goal and not indicator_cell:
            units.append(FundingUnit(line=row.line, name=name, amounts=_amounts(row, columns)))
            current_unit = name
            continue
        if current_unit is None:
            # Single-unit tables may list projects straight under 合计: the department is the unit.
            current_unit = _implicit_unit_name(department)
            units.append(FundingUnit(line=body[0].line, name=current_unit, amounts=grand_total))
        projects.append(
            Project(
                line=row.line,
                unit_name=current_unit,
                name=name,
                amounts=_amounts(row, columns),
                performance_goal=goal,
            )
        )
        indicators.extend(
            split_indicators(indicator_cell, line=row.line, unit_name=current_unit, project_name=name)
        )
    if not projects:
        raise TableError(IssueCategory.NOT_A_TARGET_TABLE, "the table lists no projects", line=body[0].line)
    return DepartmentTable(
        title=title,
        department_name=department,
        fiscal_year=fiscal_year,
        grand_total_line=body[0].line,
        grand_total=grand_total,
        units=tuple(units),
        projects=tuple(projects),
        indicators=tuple(indicators),
    )


def _amounts(row: SourceRow, columns: dict[str, int]) -> Amounts:
    values = {
        column: parse_amount(row.cell(columns[column]), line=row.line, column=_AMOUNT_LABELS[column])
        if column in columns
        else parse_amount("", line=row.line, column=_AMOUNT_LABELS[column])
        for column in _AMOUNT_COLUMNS
    }
    return Amounts(
        total=values["total"],
        fiscal_appropriation=values["fiscal_appropriation"],
        special_account_appropriation=values["special_account_appropriation"],
        other_funds=values["other_funds"],
    )


def _name(row: SourceRow, columns: dict[str, int]) -> str:
    name = _SPACES.sub(" ", row.cell(columns["name"])).strip()
    if not name:
        raise TableError(IssueCategory.NOT_A_TARGET_TABLE, "a row has amounts but no 项目名称", line=row.line)
    return name


def _implicit_unit_name(department: str) -> str:
    return re.sub(r"[（(]本级[）)]$", "", department).strip() or department


def _is_grand_total(row: SourceRow, columns: dict[str, int]) -> bool:
    """合计 in the name column, or left of it where a 序号 column takes the label."""
    return any(_compact(row.cell(index)) in _GRAND_TOTAL_NAMES for index in range(columns["name"] + 1))


def _is_footnote(row: SourceRow) -> bool:
    return bool(_FOOTNOTE.match(row.cell(0))) and not any(row.cells[1:])


def _joined(row: SourceRow) -> str:
    return "".join(cell for cell in row.cells if cell)


def _compact(text: str) -> str:
    return _SPACES.sub("", text)
