"""The one-row-per-indicator form (Sichuan's 部门预算项目绩效目标申报表): a 2-D grid of many projects.

    单位名称 | 项目名称 | 预算数 | 年度目标 | 一级指标 | 二级指标 | 三级指标 | 指标性质 | 指标值 | 度量单位 | 权重 | 指标方向性
    820-某镇部门 |     | 8,827.62                                       <- the department's total
    820001-某镇人民政府 | 项目甲 | 330.98 | … | 效益指标 | 社会效益指标 | … | ≥ | 95 | % | 10 | 正向指标
                        |        |        |   | 产出指标 | 时效指标     | … | ≥ | 1  | 年 | 20 | 正向指标

The unit, project, amount and goal cells are merged over the project's rows; readers give a merged
cell's text in its first row only, so they are carried down until the next project starts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from pathlib import PurePosixPath

from pipelines.ingest.amounts import parse_written_amount
from pipelines.ingest.errors import IssueCategory, TableError
from pipelines.ingest.fiscal_year import resolve_fiscal_year
from pipelines.ingest.layouts import project_blocks as blocks
from pipelines.ingest.layouts.labels import column_of, find_label, fold, spellings
from pipelines.ingest.layouts.per_project import target_text
from pipelines.ingest.model import Amounts, DepartmentTable, FundingUnit, Indicator, Project
from pipelines.ingest.rows import Grid, SourceRow

NAME = "per_indicator"

UNIT_NAME = spellings("per_indicator", "unit_name")
BUDGET = spellings("per_indicator", "budget")
GOAL = spellings("per_indicator", "annual_goal")
VALUE = spellings("grid", "annual_value")
NATURE = spellings("grid", "nature")
MEASURE_UNIT = spellings("grid", "measure_unit")
# 单位:万元 or 金额单位:元, not 填报单位:(盖章) nor 单位名称:….
_MONEY_UNIT = re.compile(r"(?:^|(?<=[\s)]))(?:金额)?单位\s*:\s*([^:]*)$")
_HEADER_SEARCH = 40


def detect(grid: Grid) -> bool:
    """One header row naming the project, the budget and the 一级 … 三级 columns together."""
    return _header_index(_content(grid)) is not None


def parse(grid: Grid, *, relative_path: PurePosixPath) -> DepartmentTable:
    return parse_many([grid], relative_path=relative_path)


def parse_many(grids: Sequence[Grid], *, relative_path: PurePosixPath) -> DepartmentTable:
    """All projects of a file's grids (pages, sheets) as one department's table."""
    parts = []
    for grid in grids:
        with blocks.located(grid, grids):
            parts.append(_parse_grid(grid, grids, relative_path))
    departments = {part[0] for part in parts}
    if len(departments) > 1:
        raise TableError(
            IssueCategory.NOT_A_TARGET_TABLE,
            f"the file's tables name different departments: {', '.join(sorted(departments))}; "
            "publish one department per file",
        )
    title, fiscal_year = parts[0][1], parts[0][2]
    projects = tuple(p for part in parts for p in part[3])
    indicators = tuple(i for part in parts for i in part[4])
    units = _units(projects)
    return DepartmentTable(
        title=title,
        department_name=parts[0][0],
        fiscal_year=fiscal_year,
        grand_total_line=projects[0].line,
        grand_total=_sum(p.amounts for p in projects),
        units=units,
        projects=projects,
        indicators=indicators,
        source_form=NAME,
    )


def _content(grid: Grid) -> list[SourceRow]:
    return [row for row in grid.rows if not row.is_blank]


def _header_index(content: Sequence[SourceRow]) -> int | None:
    for index, row in enumerate(content[:_HEADER_SEARCH]):
        if all(column_of(row, variants) is not None
               for variants in (blocks.PROJECT_NAME, BUDGET, blocks.LEVEL1, blocks.LEVEL3)):
            return index
    return None


def _parse_grid(grid: Grid, grids: Sequence[Grid], relative_path: PurePosixPath):
    content = _content(grid)
    index = _header_index(content)
    if index is None:
        raise TableError(IssueCategory.NOT_A_TARGET_TABLE, "no 项目名称 | 预算数 | 一级指标 | 三级指标 header")
    header, preamble, body = content[index], content[:index], content[index + 1 :]
    _check_money_unit(preamble)
    title_row = next((row for row in preamble if blocks._is_title(row)), None)
    title = "".join(title_row.cells) if title_row else blocks.page_title(grids)
    fiscal_year = resolve_fiscal_year(relative_path, title, title_line=title_row.line if title_row else None)
    columns = {
        "unit": column_of(header, UNIT_NAME),
        "project": column_of(header, blocks.PROJECT_NAME),
        "budget": column_of(header, BUDGET),
        "goal": column_of(header, GOAL),
        "value": column_of(header, VALUE),
        "nature": column_of(header, NATURE),
        "measure": column_of(header, MEASURE_UNIT),
    }
    if columns["value"] is None:
        raise TableError(IssueCategory.NOT_A_TARGET_TABLE, "the header has no 指标值 column", line=header.line)
    projects: list[Project] = []
    indicators: list[Indicator] = []
    totals: list[str] = []
    for rows in _project_runs(body, columns):
        first = rows[0]
        name = blocks.project_name(first.cell(columns["project"]))
        unit = blocks.clean_department(_cell(first, columns["unit"])) or _carried_unit(projects)
        if not unit:
            raise TableError(IssueCategory.NOT_A_TARGET_TABLE, f"project {name}: no 单位名称", line=first.line)
        amount = parse_written_amount(_cell(first, columns["budget"]), line=first.line, column="预算数")
        # One amount and no sources: the sources are not published, so none is claimed (0, as
        # the per-project form's missing lines), and the row's total-vs-sources check says so.
        amounts = Amounts(total=amount)
        projects.append(Project(line=first.line, unit_name=unit, name=name, amounts=amounts,
                                performance_goal=_cell(first, columns["goal"])))
        block = blocks.Block(title=None, head=(), header=header, body=tuple(rows))
        for row in blocks.indicator_rows(block, project_name=name):
            indicators.append(
                Indicator(
                    line=row.line, unit_name=unit, project_name=name, seq=row.seq, level1_code=None,
                    level1_name=row.level1_name, level2_code=None, level2_name=row.level2_name, name=row.name,
                    period_target_text=None,
                    annual_target_text=target_text(
                        row.cells, columns["value"], columns["nature"], columns["measure"]
                    ),
                )
            )
    for row in body:
        if _is_total_row(row, columns):
            totals.append(blocks.clean_department(_cell(row, columns["unit"])))
    if not projects:
        raise TableError(IssueCategory.NOT_A_TARGET_TABLE, "the table lists no projects", line=header.line)
    units = list(dict.fromkeys(p.unit_name for p in projects))
    printed = find_label(preamble, blocks.DEPARTMENT)
    if printed is not None and printed.value:
        department = blocks.clean_department(printed.value)
    else:
        department = units[0] if len(units) == 1 else (totals[0] if totals else units[0])
    return department, title, fiscal_year, projects, indicators


def _project_runs(body: Sequence[SourceRow], columns: dict[str, int | None]):
    """The rows of each project: from a row naming it to the row before the next.

    A project cell is merged over its rows (text in the first only) or repeated on every row;
    a repeated name (with the same unit) continues the project rather than starting another.
    """
    rows: list[SourceRow] = []
    current: tuple[str, str] | None = None
    for row in body:
        name, unit = _cell(row, columns["project"]), _cell(row, columns["unit"])
        if _is_total_row(row, columns):
            if rows:
                yield rows
            rows, current = [], None
            continue
        if name and (current is None or name != current[0] or (unit and unit != current[1])):
            if rows:
                yield rows
            rows, current = [row], (name, unit or (current[1] if current else ""))
        elif rows:
            rows.append(row)
    if rows:
        yield rows


def _is_total_row(row: SourceRow, columns: dict[str, int | None]) -> bool:
    """A unit and an amount without a project: the department's (or a unit's) total."""
    return bool(_cell(row, columns["unit"]) and _cell(row, columns["budget"]) and not _cell(row, columns["project"]))


def _carried_unit(projects: Sequence[Project]) -> str:
    """A unit cell merged over several projects: the unit of the project above."""
    return projects[-1].unit_name if projects else ""


def _cell(row: SourceRow, column: int | None) -> str:
    return "" if column is None else row.cell(column).strip()


def _check_money_unit(preamble: Sequence[SourceRow]) -> None:
    for row in preamble:
        for cell in row.cells:
            match = _MONEY_UNIT.search(unicodedata.normalize("NFKC", cell).strip())
            if match and fold(match.group(1)) not in ("万元", ""):
                raise TableError(
                    IssueCategory.NOT_A_TARGET_TABLE,
                    f"amounts are in {match.group(1)!r}; only tables in 万元 are accepted",
                    line=row.line,
                )


def _units(projects: Sequence[Project]) -> tuple[FundingUnit, ...]:
    by_unit: dict[str, list[Project]] = {}
    for project in projects:
        by_unit.setdefault(project.unit_name, []).append(project)
    return tuple(
        FundingUnit(line=members[0].line, name=unit, amounts=_sum(p.amounts for p in members))
        for unit, members in by_unit.items()
    )


def _sum(amounts) -> Amounts:
    return Amounts(total=sum((a.total for a in amounts), Decimal("0.00")))
