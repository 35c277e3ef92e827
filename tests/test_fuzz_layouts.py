"""Random grids against every layout: each gives a table or a TableError, never another exception.

The grids start from the three forms we read (the seed's horizontal table, a per-project 目标表
and a 自评表) and are then broken the ways real publications are: label cells moved to random
places, merged cells repeated or left empty, head blocks emptied or cut short, rows cut short,
rows dropped and added. A layout that raises anything else would be a bug met on one department's
file; the load contains it (tests/test_parser_barrier.py), and this test finds it first.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.ingest.errors import TableError
from pipelines.ingest.layouts import parse_grids, per_project, project_blocks, self_evaluation
from pipelines.ingest.model import DepartmentTable, SelfEvaluation
from pipelines.ingest.readers import read_source_rows_from_bytes
from pipelines.ingest.rows import Grid, SourceRow
from tests.support.paths import SEED_PATH
from tests.support.project_forms import (
    Indicator,
    Project,
    consistent_self_evaluation,
    evaluation_sheet,
    target_sheet,
)

EXAMPLES = settings(max_examples=int(__import__("os").environ.get("LAYOUT_EXAMPLES", "200")), suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
RELATIVE_PATH = PurePosixPath("2024/fuzz.xlsx")


def _sheet_rows(sheet) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple("" if cell is None else str(cell) for cell in row) for row in sheet.rows)


_PROJECT = Project(
    name="2024年数据平台运维项目", department="某区数据局", unit="某区数据局", total="120.50", fiscal="100.50",
    other="20.00",
    indicators=(
        Indicator("产出指标", "数量指标", "维护系统数量", "≥10个"),
        Indicator("效益指标", "社会效益指标", "服务效率提升", "≥95%"),
        Indicator("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%"),
    ),
)
# A 2-D table as counties publish it: one row per indicator, the project's cells repeated.
TWO_D = (
    ("2024年项目支出绩效目标表",),
    ("部门名称：某县农业农村局", "", "", "", "", "", "", "", "", "", "单位：万元"),
    ("单位名称", "项目名称", "预算数", "年度目标", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位",
     "权重", "指标方向性"),
    ("某县农业农村局", "高标准农田建设", "250.00", "建设高标准农田1万亩", "产出指标", "数量指标", "建设面积", "≥", "10000",
     "亩", "20", "正向"),
    ("某县农业农村局", "高标准农田建设", "250.00", "建设高标准农田1万亩", "满意度指标", "服务对象满意度指标",
     "农户满意度", "≥", "90", "%", "10", "正向"),
    ("某县农业农村局", "动物防疫", "30.5", "强制免疫", "产出指标", "数量指标", "免疫数量", "≥", "5", "万头", "20", "正向"),
)
BASES = (
    tuple(row.cells for row in read_source_rows_from_bytes(SEED_PATH.read_bytes(), suffix=".txt")),
    _sheet_rows(target_sheet(_PROJECT, year=2024)),
    _sheet_rows(target_sheet(_PROJECT, year=2024, variant="pairs")),
    _sheet_rows(evaluation_sheet(consistent_self_evaluation("某区数据局"), year=2024)),
    TWO_D,
)
# Every label the layouts look for, and the text real tables put around them.
LABELS = sorted({
    *per_project.TOTAL, *per_project.FISCAL, *per_project.SPECIAL, *per_project.OTHER, *per_project.ANNUAL_GOAL,
    *per_project.PERIOD_GOAL, *per_project.ANNUAL_VALUE, *per_project.PERIOD_VALUE, *per_project.NATURE,
    *per_project.MEASURE_UNIT, *project_blocks.PROJECT_NAME, *project_blocks.DEPARTMENT, *project_blocks.UNIT,
    *project_blocks.LEVEL1, *project_blocks.LEVEL2, *project_blocks.LEVEL3, *project_blocks.HEAD_LABELS,
    *self_evaluation.BUDGET_INITIAL, *self_evaluation.BUDGET_ADJUSTED, *self_evaluation.EXECUTED,
    *self_evaluation.WEIGHT, *self_evaluation.RATE,
    "项目名称（资金使用单位）", "总计", "合计", "绩效目标", "绩效指标", "部门名称：某局", "单位：万元", "单位：元",
    "项目支出绩效目标表", "项目支出绩效自评表", "2024年", "总分", "实际完成值", "得分", "年度指标值", "",
    "1、1-产出指标：11-数量指标：系统数量；实施周期指标值:≥1个；年度指标值:≥1个。", "1,234.56", "—", "100%",
})
CELLS = st.one_of(st.sampled_from(LABELS), st.text(alphabet="0123456789.,：:、；-%≥≤万元项目指标年度", max_size=12))


@st.composite
def broken_grids(draw) -> Grid:
    rows = [list(row) for row in draw(st.sampled_from(BASES))]
    for _ in range(draw(st.integers(0, 12))):
        if not rows:
            rows.append([])
        at = draw(st.integers(0, len(rows) - 1))
        row = rows[at]
        action = draw(st.sampled_from(("label", "merge", "blank_merge", "cut_row", "drop", "add", "head", "blank")))
        if action == "label":
            column = draw(st.integers(0, max(len(row), 1) + 2))
            row.extend([""] * (column + 1 - len(row)))
            row[column] = draw(CELLS)
        elif action in ("merge", "blank_merge") and row:
            column = draw(st.integers(0, len(row) - 1))
            span = draw(st.integers(1, 4))
            fill = row[column] if action == "merge" else ""
            for below in rows[at + 1:at + 1 + span]:
                below.extend([""] * (column + 1 - len(below)))
                below[column] = fill
        elif action == "cut_row":
            del row[draw(st.integers(0, len(row))):]
        elif action == "drop":
            del rows[at]
        elif action == "add":
            rows.insert(at, draw(st.lists(CELLS, max_size=10)))
        elif action == "head":
            del rows[:draw(st.integers(0, min(len(rows), 12)))]
        else:
            rows[at] = [""] * len(row)
    return Grid(tuple(SourceRow(line=i + 1, cells=tuple(cells)) for i, cells in enumerate(rows)))


@EXAMPLES
@given(st.lists(broken_grids(), min_size=1, max_size=3))
def test_every_broken_grid_gives_a_table_or_a_table_error(grids):
    try:
        table = parse_grids(grids, relative_path=RELATIVE_PATH)
    except TableError as error:
        assert error.message
        return
    assert isinstance(table, DepartmentTable | SelfEvaluation)


def test_the_unbroken_bases_parse():
    """The strategy starts from grids that parse, so that breaking them reaches the layouts' depths."""
    parsed = [parse_grids([Grid(tuple(SourceRow(i + 1, row) for i, row in enumerate(base)))],
                          relative_path=RELATIVE_PATH) for base in BASES[:4]]
    assert [len(table.projects) for table in parsed] == [10, 1, 1, 1]
    assert isinstance(parsed[3], SelfEvaluation)
