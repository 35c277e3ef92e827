"""The 项目支出绩效自评表: per project, the money budgeted and spent, and each indicator's result.

    项目名称 | …
    主管部门 | …     | 实施单位 | …
    项目资金（万元）|              | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分
                    | 年度资金总额 | 100        | 100        | 95         | 10   | 95%    | 9.5
    绩效指标 | 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施
    总分     |          |          |          |            |            | 100  | 92.5 |

Like the target form, one file may hold many projects (one per sheet, or stacked).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from pathlib import PurePosixPath

from pipelines.ingest.amounts import parse_amount
from pipelines.ingest.errors import IssueCategory, TableError
from pipelines.ingest.layouts import project_blocks as blocks
from pipelines.ingest.layouts.labels import column_of, fold, label_of, spellings
from pipelines.ingest.layouts.per_project import target_text
from pipelines.ingest.model import IndicatorResult, ProjectEvaluation, SelfEvaluation
from pipelines.ingest.rows import Grid, SourceRow

NAME = "self_evaluation"

BUDGET_INITIAL = spellings("self_evaluation", "budget_initial")
BUDGET_ADJUSTED = spellings("self_evaluation", "budget_adjusted")
EXECUTED = spellings("self_evaluation", "executed")
WEIGHT = spellings("grid", "weight")
RATE = spellings("self_evaluation", "execution_rate")
SCORE = spellings("self_evaluation", "score")
FUNDS_TOTAL = spellings("self_evaluation", "funds_total")
TARGET = spellings("grid", "annual_value")
ACTUAL = spellings("self_evaluation", "actual_value")
DEVIATION = spellings("self_evaluation", "deviation")
NATURE = spellings("grid", "nature")
MEASURE_UNIT = spellings("grid", "measure_unit")
TOTAL_SCORE = spellings("self_evaluation", "total_score")
# A grade printed beside the 总分 (优, 良好, 自评等级:优): not a number, and not the 得分.
_GRADE = re.compile(r"^(?:(?:自评)?(?:等级|评价等级|评级)[:]?)?(?:优秀?|良好?|中等?|差|合格|不合格|及格|不及格)$")


def detect(grid: Grid) -> bool:
    """A per-project block whose indicator header has a result column (实际完成值 …) or 得分."""
    if not blocks.has_indicator_header(grid):
        return False
    return any(label_of(cell)[0] in (*ACTUAL, *SCORE) for row in grid.rows for cell in row.cells)


def parse(grid: Grid, *, relative_path: PurePosixPath) -> SelfEvaluation:
    return parse_many([grid], relative_path=relative_path)


def parse_many(grids: Sequence[Grid], *, relative_path: PurePosixPath) -> SelfEvaluation:
    found = blocks.blocks_of(grids)
    if not found:
        raise TableError(IssueCategory.NOT_A_TARGET_TABLE, "the file holds no 项目名称 block")
    title, fiscal_year = blocks.fiscal_year_of([block for _, block in found], relative_path, grids)
    heads, projects, results = [], [], []
    for grid, block in found:
        with blocks.located(grid, grids):
            blocks.check_money_unit(block)
            head = blocks.read_head(block)
            heads.append(head)
            results.extend(_results(block, head))
            projects.append(_evaluation(block, head))
    return SelfEvaluation(
        title=title,
        department_name=blocks.one_department(heads),
        fiscal_year=fiscal_year,
        projects=tuple(projects),
        results=tuple(results),
    )


def _evaluation(block: blocks.Block, head: blocks.Head) -> ProjectEvaluation:
    funds = _funds_row(block.head)
    total = _total_row(block)
    number = blocks.optional_decimal

    def cell(row: SourceRow | None, columns: dict[str, int | None], key: str, label: str) -> Decimal | None:
        column = columns.get(key)
        if row is None or column is None:
            return None
        return number(row.cell(column), line=row.line, label=label)

    def money(row: SourceRow | None, columns: dict[str, int | None], key: str, label: str) -> Decimal | None:
        """万元 to the fen, as the target form's amounts; an empty cell is unknown, not 0."""
        column = columns.get(key)
        if row is None or column is None or blocks.optional_decimal(row.cell(column), line=row.line, label=label) is None:
            return None
        return parse_amount(row.cell(column), line=row.line, column=label)

    funds_row, funds_columns = funds if funds else (None, {})
    header = block.header
    assert header is not None
    grid_columns = {"weight": column_of(header, WEIGHT), "score": column_of(header, SCORE)}
    total_weight, self_score = _total_values(total, grid_columns)
    return ProjectEvaluation(
        line=head.line,
        unit_name=head.unit_name,
        name=head.project_name,
        budget_initial=money(funds_row, funds_columns, "initial", "年初预算数"),
        budget_adjusted=money(funds_row, funds_columns, "adjusted", "全年预算数"),
        executed=money(funds_row, funds_columns, "executed", "全年执行数"),
        execution_rate_text=(funds_row.cell(funds_columns["rate"]).strip() or None)
        if funds_row is not None and funds_columns.get("rate") is not None else None,
        budget_weight=cell(funds_row, funds_columns, "weight", "分值"),
        budget_score=cell(funds_row, funds_columns, "score", "得分"),
        total_weight=total_weight,
        self_score=self_score,
    )


def _funds_row(rows: Sequence[SourceRow]) -> tuple[SourceRow, dict[str, int | None]] | None:
    """The 年度资金总额 row under the 年初预算数 | 全年预算数 | 全年执行数 header."""
    for index, row in enumerate(rows):
        columns = {
            "initial": column_of(row, BUDGET_INITIAL),
            "adjusted": column_of(row, BUDGET_ADJUSTED),
            "executed": column_of(row, EXECUTED),
            "weight": column_of(row, WEIGHT),
            "rate": column_of(row, RATE),
            "score": column_of(row, SCORE),
        }
        if columns["adjusted"] is None or columns["executed"] is None:
            continue
        below = rows[index + 1 :]
        funds = next((r for r in below if any(label_of(c)[0] in FUNDS_TOTAL for c in r.cells)), None)
        return (funds or (below[0] if below else row)), columns
    return None


def _total_row(block: blocks.Block) -> SourceRow | None:
    return next((row for row in block.body if any(label_of(c)[0] in TOTAL_SCORE for c in row.cells)), None)


def _total_values(
    row: SourceRow | None, columns: dict[str, int | None]
) -> tuple[Decimal | None, Decimal | None]:
    """总分's 分值 and 得分 under their columns, else the row's numbers in order."""
    if row is None:
        return None, None
    number = blocks.optional_decimal
    weight_column, score_column = columns["weight"], columns["score"]
    under = [column for column in (weight_column, score_column) if column is not None]
    if under and any(row.cell(column).strip() for column in under):
        # Read under their columns: a 总分 whose 得分 is left empty (not yet evaluated) is None.
        def at(column: int | None, label: str) -> Decimal | None:
            return None if column is None else number(row.cell(column), line=row.line, label=label)

        return at(weight_column, "总分 分值"), at(score_column, "总分 得分")
    values = [
        c for c in row.cells if c.strip() and label_of(c)[0] not in TOTAL_SCORE and not _GRADE.match(fold(c))
    ]
    if len(values) >= 2:
        return (number(values[-2], line=row.line, label="总分 分值"),
                number(values[-1], line=row.line, label="总分 得分"))
    if len(values) == 1:
        return None, number(values[0], line=row.line, label="总分 得分")
    return None, None


def _results(block: blocks.Block, head: blocks.Head) -> list[IndicatorResult]:
    header = block.header
    assert header is not None
    columns = {
        "target": column_of(header, TARGET),
        "actual": column_of(header, ACTUAL),
        "weight": column_of(header, WEIGHT),
        "score": column_of(header, SCORE),
        "deviation": column_of(header, DEVIATION),
    }
    if columns["actual"] is None:
        raise TableError(
            IssueCategory.NOT_A_TARGET_TABLE,
            f"project {head.project_name}: the indicator header has no 实际完成值 column",
            line=header.line,
        )
    nature, measure = column_of(header, NATURE), column_of(header, MEASURE_UNIT)
    number = blocks.optional_decimal
    results = []
    for row in blocks.indicator_rows(block, project_name=head.project_name, stop=TOTAL_SCORE):
        cells = row.cells
        results.append(
            IndicatorResult(
                line=row.line,
                unit_name=head.unit_name,
                project_name=head.project_name,
                seq=row.seq,
                level1_name=row.level1_name,
                level2_name=row.level2_name,
                name=row.name,
                target_text=target_text(cells, columns["target"], nature, measure),
                actual_text=target_text(cells, columns["actual"], None, measure),
                weight=number(cells.cell(columns["weight"]), line=row.line, label="分值")
                if columns["weight"] is not None else None,
                score=number(cells.cell(columns["score"]), line=row.line, label="得分")
                if columns["score"] is not None else None,
                deviation_reason=(cells.cell(columns["deviation"]).strip() or None)
                if columns["deviation"] is not None else None,
            )
        )
    return results
