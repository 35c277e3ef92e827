"""The label vocabulary, the one-row-per-indicator layout, unknown_layout, and the forms real
tables print (paired columns, empty levels, 权重, empty results, a graded 总分, deadlines)."""

from __future__ import annotations

import datetime
import tomllib
from decimal import Decimal
from pathlib import PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.ingest.errors import IssueCategory, TableError
from pipelines.ingest.layouts import parse_grids, per_indicator
from pipelines.ingest.layouts.labels import VOCABULARY_PATH, spellings
from pipelines.ingest.model import DepartmentTable, SelfEvaluation
from pipelines.ingest.rows import Grid, SourceRow
from pipelines.ingest.targets import parse_target

PATH = PurePosixPath("raw/x.html")


def _grid(*rows: tuple[str, ...], title_lines: tuple[str, ...] = ()) -> Grid:
    return Grid(tuple(SourceRow(n, tuple(cells)) for n, cells in enumerate(rows, 1)), title_lines=title_lines)


def _per_project(*, project="项目名称", department="主管部门", department_value="示例市某局",
                 level3="三级指标", value="指标值") -> Grid:
    return _grid(
        ("项目支出绩效目标表（2024年度）",),
        (project, "示例项目"),
        (department, department_value, "实施单位", "示例市某中心"),
        ("项目资金（万元）", "年度资金总额", "12.50"),
        ("", "其中：财政拨款", "12.50"),
        ("年度目标", "完成示例工作"),
        ("绩效指标", "一级指标", "二级指标", level3, value),
        ("", "产出指标", "数量指标", "示例数量(≥**个)", "≥3个"),
        ("", "", "", "示例完成时限", "上半年完成"),
        ("", "满意度指标", "", "服务对象满意度", "≥90%"),
    )


# ---- the vocabulary file ---------------------------------------------------------------------

ISSUE_FAMILIES = {
    ("grid", "level3"): ["三级指标", "指标内容", "三级指标(年度)", "指标名称"],
    ("grid", "annual_value"): ["指标值", "年度指标值", "指标值及单位", "目标值"],
    ("self_evaluation", "actual_value"): ["实际完成值", "完成值", "全年实际值", "实际值"],
    ("grid", "weight"): ["分值", "权重"],
    ("head", "project_name"): ["项目名称", "项目支出名称", "项目名"],
    ("head", "department"): ["主管部门", "预算部门", "项目主管部门", "主管部门及其编码", "单位名称"],
    ("head", "implementing_unit"): ["实施单位", "项目执行单位", "项目实施单位"],
}


def test_the_vocabulary_is_one_toml_file_with_the_issue_families():
    data = tomllib.loads(VOCABULARY_PATH.read_text(encoding="utf-8"))
    for (section, family), expected in ISSUE_FAMILIES.items():
        assert family in data[section]
        for spelling in expected:
            # A bracketed note (三级指标(年度)) matches its family without the note.
            assert spelling.split("(")[0] in spellings(section, family), (family, spelling)


def test_spellings_are_folded_as_cells_are():
    assert "转移支付(项目)名称" in spellings("head", "project_name")  # written （） in tables
    assert all(" " not in s for section in ("head", "grid") for s in spellings(section, "level3" if section == "grid" else "department"))


@pytest.mark.parametrize("label", spellings("head", "department"))
def test_every_department_spelling_is_read(label):
    table = parse_grids([_per_project(department=label)], relative_path=PATH)
    assert table.department_name == "示例市某局"


@pytest.mark.parametrize("label", spellings("grid", "level3"))
def test_every_indicator_name_spelling_is_read(label):
    table = parse_grids([_per_project(level3=label)], relative_path=PATH)
    assert [i.name for i in table.indicators] == ["示例数量(≥**个)", "示例完成时限", "服务对象满意度"]


@pytest.mark.parametrize("label", spellings("head", "project_name"))
def test_every_project_name_spelling_is_read(label):
    table = parse_grids([_per_project(project=label)], relative_path=PATH)
    assert [p.name for p in table.projects] == ["示例项目"]


@pytest.mark.parametrize(
    "printed",
    ["[077]示例市某局", "219-示例市某局", "示例市某局 308001", "示例市某局335301302", "820001-示例市某局", "示例市某局"],
)
def test_a_code_before_or_after_the_department_is_not_part_of_it(printed):
    table = parse_grids([_per_project(department="主管部门及其编码", department_value=printed)], relative_path=PATH)
    assert table.department_name == "示例市某局"


def test_empty_levels_and_placeholders():
    """An empty 二级 takes the 一级's name; a placeholder (≥**个) stays in the name as printed."""
    table = parse_grids([_per_project()], relative_path=PATH)
    assert [(i.level1_name, i.level2_name, i.name, i.annual_target_text) for i in table.indicators] == [
        ("产出指标", "数量指标", "示例数量(≥**个)", "≥3个"),
        ("产出指标", "数量指标", "示例完成时限", "上半年完成"),
        ("满意度指标", "满意度指标", "服务对象满意度", "≥90%"),
    ]
    assert table.projects[0].amounts.total == Decimal("12.50")


def test_an_empty_level1_is_the_standard_trees():
    grid = _grid(
        ("项目支出绩效目标表（2024年度）",), ("项目名称", "示例项目"), ("主管部门", "示例市某局"),
        ("年度资金总额", "5"), ("", "财政拨款", "5"),
        ("一级指标", "二级指标", "三级指标", "指标值"),
        ("", "数量指标", "示例数量", "3个"),
        ("", "服务对象满意度指标", "满意度", "≥90%"),
    )
    table = parse_grids([grid], relative_path=PATH)
    assert [(i.level1_name, i.level2_name) for i in table.indicators] == [
        ("产出指标", "数量指标"), ("满意度指标", "服务对象满意度指标"),
    ]


def test_the_year_can_stand_above_the_table():
    grid = _per_project()
    above = Grid(grid.rows[1:], title_lines=("发布时间:2025-01-05", "项目支出绩效目标表", "(2023年度)"))
    assert parse_grids([above], relative_path=PATH).fiscal_year == 2023


def test_paired_columns_read_the_annual_side():
    grid = _grid(
        ("项目支出绩效目标表",), ("(2020年度)",), ("项目名称", "示例项目"), ("主管部门及编码", "[015001]示例区某局"),
        ("项目资金", "资金总额", "100万元"), ("", "其中:财政拨款", "100万元"),
        ("一级指标", "二级指标(长期)", "三级指标(长期)", "指标值(长期)", "二级指标(年度)", "三级指标(年度)", "指标值(年度)"),
        ("产出指标", "数量指标", "", "", "数量指标", "工程数量", "2"),
        ("产出指标", "质量指标", "验收合格率", "100%", "质量指标", "验收合格率", "≥98%"),
        ("效益指标", "社会效益指标", "长期影响", "持续", "社会效益指标", "办学条件", "改善"),
    )
    table = parse_grids([grid], relative_path=PATH)
    assert table.fiscal_year == 2020 and table.department_name == "示例区某局"
    assert [(i.level2_name, i.name, i.period_target_text, i.annual_target_text) for i in table.indicators] == [
        ("数量指标", "工程数量", None, "2"),
        ("质量指标", "验收合格率", "100%", "≥98%"),
        ("社会效益指标", "办学条件", None, "改善"),  # the 长期 value is another indicator's
    ]


# ---- one row per indicator ---------------------------------------------------------------------

HEADER_2D = ("单位名称", "项目名称", "预算数", "年度目标", "一级指标", "二级指标", "三级指标", "指标性质",
             "指标值", "度量单位", "权重", "指标方向性")


def _two_dimensional(unit="金额单位:万元") -> Grid:
    return _grid(
        ("部门预算项目绩效目标申报表(2023年度)",),
        (unit,),
        HEADER_2D,
        ("820-示例镇部门", "", "1,200.50"),
        ("820001-示例镇人民政府", "村组干部报酬", "330.98", "按时发放", "效益指标", "社会效益指标", "维护稳定",
         "≥", "95", "%", "10", "正向指标"),
        ("", "", "", "", "产出指标", "数量指标", "村组干部人数", "≥", "230", "个", "10", "正向指标"),
        ("", "基层组织活动经费", "869.52", "保障运转", "产出指标", "时效指标", "完成时限", "=", "年底前", "/",
         "20", "正向指标"),
        ("", "", "", "", "满意度指标", "", "群众满意度", "≥", "90", "%", "10", "正向指标"),
    )


def test_one_row_per_indicator_many_projects():
    table = parse_grids([_two_dimensional()], relative_path=PATH)
    assert isinstance(table, DepartmentTable)
    assert table.source_form == "per_indicator"
    assert table.department_name == "示例镇人民政府"
    assert table.fiscal_year == 2023
    assert [(p.name, p.amounts.total, p.performance_goal) for p in table.projects] == [
        ("村组干部报酬", Decimal("330.98"), "按时发放"),
        ("基层组织活动经费", Decimal("869.52"), "保障运转"),
    ]
    assert table.grand_total.total == Decimal("1200.50")
    # The form prints no funding sources: none is claimed (docs/warehouse.md, source_form).
    assert {p.amounts.sum_of_sources for p in table.projects} == {Decimal("0.00")}
    assert [(i.project_name, i.seq, i.level1_name, i.level2_name, i.name, i.annual_target_text)
            for i in table.indicators] == [
        ("村组干部报酬", 1, "效益指标", "社会效益指标", "维护稳定", "≥95%"),
        ("村组干部报酬", 2, "产出指标", "数量指标", "村组干部人数", "≥230个"),
        ("基层组织活动经费", 1, "产出指标", "时效指标", "完成时限", "=年底前"),
        ("基层组织活动经费", 2, "满意度指标", "满意度指标", "群众满意度", "≥90%"),
    ]


def test_one_row_per_indicator_with_the_project_repeated_on_every_row():
    """Some counties repeat the unit, project and amount on each row instead of merging them."""
    grid = _grid(
        ("2024年项目支出绩效目标表",),
        ("部门名称：示例县农业农村局", "", "", "填报单位:(盖章) 单位:万元"),
        HEADER_2D,
        ("示例县农业农村局", "高标准农田建设", "250.00", "建设农田", "产出指标", "数量指标", "建设面积", "≥", "10000", "亩"),
        ("示例县农业农村局", "高标准农田建设", "250.00", "建设农田", "满意度指标", "服务对象满意度指标", "农户满意度",
         "≥", "90", "%"),
        ("示例县农业农村局", "动物防疫", "30.5", "强制免疫", "产出指标", "数量指标", "免疫数量", "≥", "5", "万头"),
    )
    table = parse_grids([grid], relative_path=PATH)
    assert table.department_name == "示例县农业农村局"
    assert [(p.name, p.amounts.total) for p in table.projects] == [
        ("高标准农田建设", Decimal("250.00")), ("动物防疫", Decimal("30.50"))]
    assert table.grand_total.total == Decimal("280.50")
    assert [(i.project_name, i.seq, i.annual_target_text) for i in table.indicators] == [
        ("高标准农田建设", 1, "≥10000亩"), ("高标准农田建设", 2, "≥90%"), ("动物防疫", 1, "≥5万头")]


def test_one_row_per_indicator_in_yuan_is_refused():
    with pytest.raises(TableError, match="only tables in 万元") as raised:
        parse_grids([_two_dimensional("金额单位:元")], relative_path=PATH)
    assert raised.value.line == 2


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from([*HEADER_2D, "", "x", "1.5", "820-部门", "≥", "合计", "(2023年度)"]),
                         max_size=14), max_size=12))
def test_broken_2d_grids_give_rows_or_a_table_error(rows):
    grid = _grid(HEADER_2D, *[tuple(r) for r in rows])
    try:
        per_indicator.parse(grid, relative_path=PurePosixPath("raw/2023/x.html"))
    except TableError:
        pass


# ---- self-evaluations as Sichuan prints them ------------------------------------------------------

def _self_evaluation(total_row: tuple[str, ...]) -> Grid:
    return _grid(
        ("部门预算项目支出绩效自评表(2023年度)",),
        ("项目名称", "51000021R000000019951-工资性支出"),
        ("主管部门", "示例县某局本级", "实施单位 (盖章)", "示例县某局"),
        ("预算执行情况(10分)", "年度预算数(万元)", "年初预算", "调整后预算数", "预算执行数", "预算执行率", "权重", "得分"),
        ("", "总额", "238.93", "251.89", "251.89", "100.00%", "10", ""),
        ("绩效指标(90分)", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "完成值", "权重", "得分"),
        ("", "产出指标(60分)", "数量指标", "发放覆盖率", "=", "100", "%", "", "60", ""),
        ("", "效益指标", "社会效益指标", "足额保障率", "=", "100", "%", "", "30", ""),
        total_row,
    )


def test_self_evaluation_with_weights_and_empty_results():
    table = parse_grids([_self_evaluation(("", "合计", "", "", "", "", "", "", "100", ""))], relative_path=PATH)
    assert isinstance(table, SelfEvaluation)
    project = table.projects[0]
    assert project.name == "工资性支出"
    assert (project.budget_initial, project.budget_adjusted, project.executed) == (
        Decimal("238.93"), Decimal("251.89"), Decimal("251.89"))
    assert project.execution_rate_text == "100.00%"
    assert (project.budget_weight, project.budget_score) == (Decimal(10), None)
    assert (project.total_weight, project.self_score) == (Decimal(100), None)
    assert [(r.level1_name, r.target_text, r.actual_text, r.weight, r.score) for r in table.results] == [
        ("产出指标", "=100%", None, Decimal(60), None),
        ("效益指标", "=100%", None, Decimal(30), None),
    ]


def test_a_total_score_with_a_grade():
    table = parse_grids([_self_evaluation(("总分", "", "", "", "", "", "", "", "100", "94", "优"))], relative_path=PATH)
    assert (table.projects[0].total_weight, table.projects[0].self_score) == (Decimal(100), Decimal(94))
    grid = _self_evaluation(("总分", "100", "94", "优"))
    table = parse_grids([grid], relative_path=PATH)
    assert (table.projects[0].total_weight, table.projects[0].self_score) == (Decimal(100), Decimal(94))


# ---- unknown_layout ---------------------------------------------------------------------------------

def test_a_performance_table_with_unknown_labels_is_unknown_layout():
    grid = _per_project(project="工程名目")
    with pytest.raises(TableError) as raised:
        parse_grids([grid], relative_path=PATH)
    error = raised.value
    assert error.category is IssueCategory.UNKNOWN_LAYOUT
    assert "'工程名目'" in error.message and "vocabulary.toml" in error.message
    assert "'示例项目'" not in error.message  # a value, not a label
    assert error.line == 7


def test_a_table_without_levels_is_still_not_a_target_table():
    grid = _grid(("部门收支总表",), ("收入", "支出"), ("100", "100"))
    with pytest.raises(TableError) as raised:
        parse_grids([grid], relative_path=PATH)
    assert raised.value.category is IssueCategory.NOT_A_TARGET_TABLE


# ---- targets as printed ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "deadline"),
    [
        ("上半年完成", datetime.date(2024, 6, 30)),
        ("下半年完成", datetime.date(2024, 12, 31)),
        ("第三季度末前", datetime.date(2024, 9, 30)),
        ("三季度末", datetime.date(2024, 9, 30)),
        ("年底前", datetime.date(2024, 12, 31)),
        ("12月底前", datetime.date(2024, 12, 31)),
        ("12月底到位", datetime.date(2024, 12, 31)),
        ("2023年上半年完成", datetime.date(2023, 6, 30)),
    ],
)
def test_deadline_phrases_are_deadlines(text, deadline):
    target = parse_target(text, fiscal_year=2024)
    assert (target.kind, target.operator, target.value, target.unit, target.deadline) == (
        "deadline", "<=", None, None, deadline)


def test_a_quarter_without_its_end_is_not_guessed():
    assert parse_target("第四季度前", fiscal_year=2024).kind == "unparsed"


@pytest.mark.parametrize(
    ("text", "operator"),
    [(">=95%", ">="), ("<=475元", "<="), ("≧90%", ">="), ("≦5天", "<="), ("═100%", "="), ("＞90%", ">"),
     ("〉90%", ">"), ("﹦100%", "="), ("大于等于90%", ">=")],
)
def test_operators_as_printed(text, operator):
    target = parse_target(text)
    assert (target.kind, target.operator) == ("quantitative", operator)
    assert target.value in (Decimal(95), Decimal(475), Decimal(90), Decimal(5), Decimal(100))


_CELLS = [
    "", "x", "12.5", "≥90%", "……", "产出指标(50分)", "数量指标", "总分", "优", "(2023年度)", "绩效目标表",
    "三级指标(年度)", "二级指标(年度)", "指标值(年度)", "三级指标(长期)", "指标值(长期)", "一级", "二级指标",
    *spellings("head", "project_name")[:3], *spellings("head", "department")[:3], *spellings("grid", "level3")[:2],
    *spellings("grid", "annual_value")[:2], *spellings("self_evaluation", "actual_value")[:2], "权重", "得分",
    "年度资金总额", "全年预算数", "全年执行数", "预算数", "单位名称", "金额单位:万元",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_CELLS), max_size=10), min_size=1, max_size=14))
def test_random_grids_of_known_labels_give_a_table_or_a_table_error(rows):
    try:
        parse_grids([_grid(*[tuple(r) for r in rows])], relative_path=PurePosixPath("raw/2023/x.html"))
    except TableError:
        pass
