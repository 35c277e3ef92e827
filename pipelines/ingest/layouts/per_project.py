"""The per-project form (财预〔2021〕101号): one table per project, head block over an indicator grid.

    项目名称 | …
    主管部门 | …            | 实施单位 | …
    项目资金（万元）| 年度资金总额 | 120.00
                    | 其中：财政拨款 | 100.00
                    | 其他资金 | 20.00
    年度绩效目标 | …
    绩效指标 | 一级指标 | 二级指标 | 三级指标 | 指标值

A workbook may hold one table per sheet, or several stacked on a sheet or over pages; all of a
file's tables are one department's (its 主管部门). Indicators carry no local codes: they map to
the standard tree by name. The 指标值 may be split into 指标性质 | 指标值 | 度量单位, which are read
together, and may come as a 年度指标值 / 实施期指标值 pair.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from pathlib import PurePosixPath

from pipelines.ingest.amounts import parse_written_amount
from pipelines.ingest.errors import IssueCategory, TableError
from pipelines.ingest.layouts import project_blocks as blocks
from pipelines.ingest.layouts.labels import column_of, find_label, label_of, spellings
from pipelines.ingest.model import Amounts, DepartmentTable, FundingUnit, Indicator, Project
from pipelines.ingest.rows import Grid, SourceRow
from pipelines.ingest.targets import OPERATOR_WORDS

NAME = "per_project"

TOTAL = spellings("funds", "total")
FISCAL = spellings("funds", "fiscal")
SPECIAL = spellings("funds", "special")
OTHER = spellings("funds", "other")
ANNUAL_GOAL = spellings("goals", "annual")
PERIOD_GOAL = spellings("goals", "period")
ANNUAL_VALUE = spellings("grid", "annual_value")
PERIOD_VALUE = spellings("grid", "period_value")
NATURE = spellings("grid", "nature")
MEASURE_UNIT = spellings("grid", "measure_unit")
_SELF_EVALUATION = (
    *spellings("self_evaluation", "actual_value"), *spellings("self_evaluation", "score"), "全年执行数"
)
_AMOUNT_LABELS = (*blocks.HEAD_LABELS, *TOTAL, *FISCAL, *SPECIAL, *OTHER)
_ANNUAL_COLUMN = spellings("funds", "annual_column")
_PERIOD_COLUMN = spellings("funds", "period_column")


def detect(grid: Grid) -> bool:
    """A 项目名称 label and an indicator header 一级指标 … 三级指标, but no results (自评表)."""
    if not blocks.has_indicator_header(grid):
        return False
    return not any(label_of(cell)[0] in _SELF_EVALUATION for row in grid.rows for cell in row.cells)


def parse(grid: Grid, *, relative_path: PurePosixPath) -> DepartmentTable:
    return parse_many([grid], relative_path=relative_path)


def parse_many(grids: Sequence[Grid], *, relative_path: PurePosixPath) -> DepartmentTable:
    """All projects of a file's grids (sheets, pages) as one department's table."""
    found = blocks.blocks_of(grids)
    if not found:
        raise TableError(IssueCategory.NOT_A_TARGET_TABLE, "the file holds no 项目名称 block")
    title, fiscal_year = blocks.fiscal_year_of([block for _, block in found], relative_path, grids)
    heads, projects, indicators = [], [], []
    for grid, block in found:
        with blocks.located(grid, grids):
            blocks.check_money_unit(block)
            head = blocks.read_head(block)
            heads.append(head)
            projects.append(_project(block, head))
            indicators.extend(_indicators(block, head, fiscal_year))
    department = blocks.one_department(heads)
    units = _units(projects)
    grand_total = _sum(project.amounts for project in projects)
    return DepartmentTable(
        title=title,
        department_name=department,
        fiscal_year=fiscal_year,
        grand_total_line=projects[0].line,
        grand_total=grand_total,
        units=units,
        projects=tuple(projects),
        indicators=tuple(indicators),
        source_form=NAME,
    )


def _project(block: blocks.Block, head: blocks.Head) -> Project:
    known = blocks.HEAD_LABELS
    annual = find_label(block.head, ANNUAL_GOAL, known=known)
    period = find_label(block.head, PERIOD_GOAL, known=known)
    return Project(
        line=head.line,
        unit_name=head.unit_name,
        name=head.project_name,
        amounts=_amounts(block.head, head),
        performance_goal=annual.value if annual else "",
        period_goal=(period.value or None) if period else None,
    )


def _amounts(rows: Sequence[SourceRow], head: blocks.Head) -> Amounts:
    values = {key: _amount(rows, variants, key) for key, variants in
              (("total", TOTAL), ("fiscal", FISCAL), ("special", SPECIAL), ("other", OTHER))}
    if values["total"] is None:
        raise TableError(
            IssueCategory.NOT_A_TARGET_TABLE,
            f"project {head.project_name}: no 年度资金总额 in its 项目资金 block",
            line=head.line,
        )
    zero = Decimal("0.00")
    return Amounts(
        total=values["total"],
        fiscal_appropriation=values["fiscal"] or zero,
        special_account_appropriation=values["special"] or zero,
        other_funds=values["other"] or zero,
    )


def _amount(rows: Sequence[SourceRow], variants: Sequence[str], label: str) -> Decimal | None:
    """The amount beside its label (right of it, after its colon, or below a row of labels);
    under the 年度 column where 实施期 and 年度 are columns."""
    columns = _annual_column(rows)
    if columns is not None:
        header, annual = columns
        for row in rows:
            if row.line > header.line and any(label_of(cell)[0] in variants for cell in row.cells):
                return _money(row.cell(annual), row, variants[0])
    found = find_label(rows, variants, known=_AMOUNT_LABELS)
    return None if found is None else _money(found.value, found.row, variants[0])


def _money(text: str, row: SourceRow, label: str) -> Decimal:
    """An amount as the head block writes it: '120.50', '250万', '854万(…)', '资金总额: 250' over its
    parts (the head block's unit is 万元)."""
    return parse_written_amount(text, line=row.line, column=label)


def _annual_column(rows: Sequence[SourceRow]) -> tuple[SourceRow, int] | None:
    """The 实施期资金总额 | 年度资金总额 header of the 中期 form, with its 年度 column."""
    for row in rows:
        annual, period = column_of(row, _ANNUAL_COLUMN), column_of(row, _PERIOD_COLUMN)
        if annual is not None and period is not None:
            return row, annual
    return None


def _indicators(block: blocks.Block, head: blocks.Head, fiscal_year: int) -> list[Indicator]:
    header = block.header
    assert header is not None
    paired = blocks.paired_value_columns(header, ANNUAL_VALUE)
    annual, period = paired if paired else (column_of(header, ANNUAL_VALUE), column_of(header, PERIOD_VALUE))
    nature, measure = column_of(header, NATURE), column_of(header, MEASURE_UNIT)
    if annual is None and period is None:
        raise TableError(
            IssueCategory.NOT_A_TARGET_TABLE,
            f"project {head.project_name}: the indicator header has no 指标值 column",
            line=header.line,
        )
    rows = blocks.indicator_rows(block, project_name=head.project_name)
    period_name = blocks.period_name_column(header)
    return [
        Indicator(
            line=row.line,
            unit_name=head.unit_name,
            project_name=head.project_name,
            seq=row.seq,
            level1_code=None,
            level1_name=row.level1_name,
            level2_code=None,
            level2_name=row.level2_name,
            name=row.name,
            period_target_text=target_text(row.cells, period, nature, measure)
            if blocks.same_indicator(row, period_name) else None,
            annual_target_text=target_text(row.cells, annual, nature, measure),
        )
        for row in rows
    ]


def target_text(row: SourceRow, value: int | None, nature: int | None, measure: int | None) -> str | None:
    """One target text from 指标性质 | 指标值 | 度量单位: '≥' '95' '%' -> '≥95%'.

    指标性质 joins only when it is an operator (≥, 不低于, …); words such as 定性, 正向 or 反向
    say what kind of target it is, not a bound, and the value then speaks alone.
    """
    if value is None:
        return None
    text = row.cell(value).strip()
    if not text:
        return None
    operator = row.cell(nature).strip() if nature is not None else ""
    if unicodedata.normalize("NFKC", operator) not in OPERATOR_WORDS:
        operator = ""
    unit = row.cell(measure).strip() if measure is not None else ""
    if unit in ("/", "-", "—", "无") or text.endswith(unit):
        unit = ""
    return f"{operator}{text}{unit}"


def _units(projects: Sequence[Project]) -> tuple[FundingUnit, ...]:
    """Each 实施单位 with the sum of its projects: the form states no subtotal of its own."""
    by_unit: dict[str, list[Project]] = defaultdict(list)
    for project in projects:
        by_unit[project.unit_name].append(project)
    return tuple(
        FundingUnit(line=members[0].line, name=unit, amounts=_sum(p.amounts for p in members))
        for unit, members in by_unit.items()
    )


def _sum(amounts) -> Amounts:
    total = fiscal = special = other = Decimal("0.00")
    for a in amounts:
        total += a.total
        fiscal += a.fiscal_appropriation
        special += a.special_account_appropriation
        other += a.other_funds
    return Amounts(total, fiscal, special, other)
