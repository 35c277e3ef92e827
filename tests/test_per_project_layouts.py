"""The per-project 绩效目标表 and the 绩效自评表, read from workbooks and pages as regions publish them.

Workbooks are written with openpyxl (merged 一级/二级 cells, one project per sheet, several
stacked on a sheet, 指标性质 | 指标值 | 度量单位 in separate cells) and HTML pages with
rowspan/colspan; each is read by the real readers and parsed by parse_grids, as a load does.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path, PurePosixPath

import pandas as pd
import pytest

from pipelines.ingest.errors import IssueCategory, TableError
from pipelines.ingest.layouts import parse_grids
from pipelines.ingest.model import DepartmentTable, SelfEvaluation
from pipelines.ingest.readers import read_grids
from pipelines.ingest.rows import Grid, SourceRow
from pipelines.load.discover import RawFile
from pipelines.load.frames import build_frames
from pipelines.load.parse import ParsedFile
from tests.support.project_forms import (
    Indicator,
    Project,
    evaluation_sheet,
    target_sheet,
    write_html,
    write_xlsx,
)

DEPARTMENT = "示例市教育局（本级）"
TRAINING = Project(
    name="教师培训项目",
    department=DEPARTMENT,
    unit="示例市教育局",
    total="120.50",
    fiscal="100.50",
    other="20.00",
    indicators=(
        Indicator("产出指标", "数量指标", "培训教师人次", "≥500人次"),
        Indicator("产出指标", "数量指标", "培训班期数", "12期"),
        Indicator("产出指标", "质量指标", "培训合格率", "≥95%"),
        Indicator("产出指标", "时效指标", "完成时间", "2024年12月底前"),
        Indicator("效益指标", "社会效益指标", "教学能力", "有效提升"),
        Indicator("满意度指标", "服务对象满意度指标", "参训教师满意度", "≥90%"),
    ),
)
CANTEEN = Project(
    name="学校食堂改造",
    department=DEPARTMENT,
    unit="示例市第一中学",
    total="300.00",
    fiscal="200.00",
    other="40.00",
    special="60.00",
    goal="完成3所学校食堂改造。",
    period_goal="三年内完成全市学校食堂改造。",
    indicators=(
        Indicator("产出指标", "数量指标", "改造食堂数", "3", nature="≥", unit="所", period="10"),
        Indicator("产出指标", "成本指标", "单所改造成本", "100", nature="≤", unit="万元", period="100"),
        Indicator("效益指标", "社会效益指标", "就餐环境", "明显改善", nature="定性", unit="/", period="明显改善"),
        Indicator("满意度指标", "服务对象满意度指标", "师生满意度", "90", nature="≥", unit="%", period="90"),
    ),
)


def _parse(path: Path) -> DepartmentTable | SelfEvaluation:
    return parse_grids(read_grids(path), relative_path=PurePosixPath("2024") / path.name)


def _indicators(table: DepartmentTable, project: str) -> list[tuple]:
    return [
        (i.seq, i.level1_code, i.level1_name, i.level2_code, i.level2_name, i.name, i.annual_target_text,
         i.period_target_text)
        for i in table.indicators
        if i.project_name == project
    ]


def test_one_project_per_sheet_gives_every_amount_and_indicator(tmp_path):
    path = write_xlsx(tmp_path / "目标表.xlsx", {
        "项目1": target_sheet(TRAINING, year=2024),
        "项目2": target_sheet(CANTEEN, year=2024, variant="separate"),
    })
    table = _parse(path)
    assert isinstance(table, DepartmentTable)
    assert (table.department_name, table.fiscal_year, table.source_form) == (DEPARTMENT, 2024, "per_project")
    amounts = {p.name: (p.unit_name, p.amounts.total, p.amounts.fiscal_appropriation,
                        p.amounts.special_account_appropriation, p.amounts.other_funds) for p in table.projects}
    assert amounts == {
        "教师培训项目": ("示例市教育局", Decimal("120.50"), Decimal("100.50"), Decimal("0.00"), Decimal("20.00")),
        "学校食堂改造": ("示例市第一中学", Decimal("300.00"), Decimal("200.00"), Decimal("60.00"), Decimal("40.00")),
    }
    assert table.grand_total.total == Decimal("420.50")
    assert {u.name: u.amounts.total for u in table.units} == {
        "示例市教育局": Decimal("120.50"), "示例市第一中学": Decimal("300.00"),
    }
    assert _indicators(table, "教师培训项目") == [
        (1, None, "产出指标", None, "数量指标", "培训教师人次", "≥500人次", None),
        (2, None, "产出指标", None, "数量指标", "培训班期数", "12期", None),
        (3, None, "产出指标", None, "质量指标", "培训合格率", "≥95%", None),
        (4, None, "产出指标", None, "时效指标", "完成时间", "2024年12月底前", None),
        (5, None, "效益指标", None, "社会效益指标", "教学能力", "有效提升", None),
        (6, None, "满意度指标", None, "服务对象满意度指标", "参训教师满意度", "≥90%", None),
    ]
    canteen = next(p for p in table.projects if p.name == "学校食堂改造")
    assert (canteen.performance_goal, canteen.period_goal) == ("完成3所学校食堂改造。", "三年内完成全市学校食堂改造。")


def test_separate_cells_are_typed_from_operator_value_and_unit_together(tmp_path):
    path = write_xlsx(tmp_path / "目标表.xlsx", {"项目": target_sheet(CANTEEN, year=2024, variant="separate")})
    parsed = ParsedFile(file=_raw_file(path), table=_parse(path))
    frame = build_frames([parsed]).indicators
    typed = list(frame[["indicator_name", "annual_target_text", "annual_operator", "annual_value", "annual_unit",
                        "annual_kind"]].itertuples(index=False, name=None))
    assert [tuple(None if pd.isna(x) else x for x in row) for row in typed] == [
        ("改造食堂数", "≥3所", ">=", 3.0, "所", "quantitative"),
        ("单所改造成本", "≤100万元", "<=", 100.0, "万元", "quantitative"),
        ("就餐环境", "明显改善", None, None, None, "qualitative"),
        ("师生满意度", "≥90%", ">=", 90.0, "%", "quantitative"),
    ]
    assert frame["period_target_text"].isna().all()  # this variant has no 实施期指标值 column


def test_annual_and_period_pairs_are_both_kept(tmp_path):
    path = write_xlsx(tmp_path / "目标表.xlsx", {"项目": target_sheet(CANTEEN, year=2024, variant="pairs")})
    table = _parse(path)
    assert [(i.name, i.annual_target_text, i.period_target_text) for i in table.indicators] == [
        ("改造食堂数", "3", "10"),
        ("单所改造成本", "100", "100"),
        ("就餐环境", "明显改善", "明显改善"),
        ("师生满意度", "90", "90"),
    ]


def test_several_projects_stacked_on_one_sheet_are_split_into_blocks(tmp_path):
    sheet = target_sheet(TRAINING, year=2024)
    sheet.extend(target_sheet(CANTEEN, year=2024, variant="separate"))
    third = Project("校园安全巡查", DEPARTMENT, "示例市教育局", "8.00", "8.00", "0",
                    (Indicator("产出指标", "数量指标", "巡查次数", "≥24次"),))
    sheet.extend(target_sheet(third, year=2024), gap=0)
    table = _parse(write_xlsx(tmp_path / "stacked.xlsx", {"Sheet1": sheet}))
    assert [(p.name, p.amounts.total) for p in table.projects] == [
        ("教师培训项目", Decimal("120.50")), ("学校食堂改造", Decimal("300.00")), ("校园安全巡查", Decimal("8.00")),
    ]
    assert [len(_indicators(table, p.name)) for p in table.projects] == [6, 4, 1]
    assert _indicators(table, "校园安全巡查") == [(1, None, "产出指标", None, "数量指标", "巡查次数", "≥24次", None)]


def test_an_html_page_of_several_tables_is_one_department(tmp_path):
    path = write_html(tmp_path / "目标表.html", [target_sheet(TRAINING, year=2024), target_sheet(CANTEEN, year=2024)])
    table = _parse(path)
    assert [p.name for p in table.projects] == ["教师培训项目", "学校食堂改造"]
    assert table.grand_total.total == Decimal("420.50")
    assert len(table.indicators) == 10


def _grid(*rows: list[str]) -> Grid:
    return Grid(tuple(SourceRow(line, tuple(cells)) for line, cells in enumerate(rows, 1)))


def test_labels_are_found_by_text_with_their_variants():
    """A form no one on the team has seen: labels inline after a colon, other spellings, a code."""
    grid = _grid(
        ["2024年度项目绩效目标申报表"],
        ["项目名：城市道路养护", "", "项目实施单位：示例市道路养护中心"],
        ["主管单位", "[108001]示例市城市管理局"],
        ["资金总额（万元）", "88.8万元"],
        ["其中：财政拨款", "80", "其他资金", "8.8"],
        ["年度目标", "完成道路养护。"],
        ["一级指标", "二级指标", "三级指标", "指标性质", "指标值（目标值）", "计量单位"],
        ["产出指标", "数量指标", "养护道路里程", "≥", "120", "公里"],
        ["", "时效指标", "完成时限", "", "2024年11月30日前", ""],
    )
    table = parse_grids([grid], relative_path=PurePosixPath("x.xlsx"))
    project = table.projects[0]
    assert (table.fiscal_year, table.department_name, project.unit_name, project.name) == (
        2024, "示例市城市管理局", "示例市道路养护中心", "城市道路养护")
    assert (project.amounts.total, project.amounts.fiscal_appropriation, project.amounts.other_funds) == (
        Decimal("88.80"), Decimal("80.00"), Decimal("8.80"))
    assert [(i.level1_name, i.level2_name, i.name, i.annual_target_text) for i in table.indicators] == [
        ("产出指标", "数量指标", "养护道路里程", "≥120公里"),
        ("产出指标", "时效指标", "完成时限", "2024年11月30日前"),
    ]


def test_amounts_under_a_row_of_their_labels_are_read():
    grid = _grid(
        ["2024年度项目支出绩效目标表"],
        ["项目名称", "河道保洁"],
        ["主管部门", "示例市水务局"],
        ["项目资金（万元）", "年度资金总额", "其中：财政拨款", "其他资金"],
        ["", "56.78", "50", "6.78"],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "保洁河道长度", "≥45公里"],
    )
    project = parse_grids([grid], relative_path=PurePosixPath("x.xlsx")).projects[0]
    assert (project.unit_name, project.amounts.total, project.amounts.fiscal_appropriation,
            project.amounts.other_funds) == ("示例市水务局", Decimal("56.78"), Decimal("50.00"), Decimal("6.78"))


def test_the_multi_year_form_reads_the_annual_column_of_money_and_goals():
    """中期 form: 实施期 and 年度 side by side, as columns of the money and the goal rows."""
    grid = _grid(
        ["项目支出绩效目标表（2024年度）"],
        ["项目名称", "智慧校园建设"],
        ["主管部门", "示例市教育局", "实施单位", "示例市教育信息中心"],
        ["项目资金（万元）", "", "实施期资金总额", "年度资金总额"],
        ["", "资金总额", "900", "300"],
        ["", "其中：财政拨款", "800", "250"],
        ["", "其他资金", "100", "50"],
        ["总体目标", "实施期目标", "", "年度目标"],
        ["", "三年建成智慧校园。", "", "完成一期建设。"],
        ["一级指标", "二级指标", "三级指标", "年度指标值", "实施期指标值"],
        ["产出指标", "数量指标", "接入学校数", "≥30所", "≥100所"],
    )
    table = parse_grids([grid], relative_path=PurePosixPath("x.xlsx"))
    project = table.projects[0]
    assert (project.amounts.total, project.amounts.fiscal_appropriation, project.amounts.other_funds) == (
        Decimal("300.00"), Decimal("250.00"), Decimal("50.00"))
    assert (project.performance_goal, project.period_goal) == ("完成一期建设。", "三年建成智慧校园。")
    assert [(i.name, i.annual_target_text, i.period_target_text) for i in table.indicators] == [
        ("接入学校数", "≥30所", "≥100所")]


SELF_EVALUATION = Project(
    name="教师培训项目",
    department=DEPARTMENT,
    unit="示例市教育局",
    total="", fiscal="", other="",
    budget=("120.50", "118.00", "110.00", "10", "93.22%", "9.3"),
    total_weight="100",
    total_score="89.3",
    indicators=(
        Indicator("产出指标", "数量指标", "培训教师人次", "≥500人次", actual="520人次", weight="20", score="20"),
        Indicator("产出指标", "数量指标", "培训班期数", "12期", actual="10期", weight="20", score="15",
                  reason="两期因场地推迟到次年"),
        Indicator("产出指标", "质量指标", "培训合格率", "≥95%", actual="97%", weight="20", score="20"),
        Indicator("效益指标", "社会效益指标", "教学能力", "有效提升", actual="明显提升", weight="15", score="14"),
        Indicator("满意度指标", "服务对象满意度指标", "参训教师满意度", "≥90%", actual="88%", weight="15", score="11"),
    ),
)


def test_self_evaluation_reads_money_scores_and_results(tmp_path):
    path = write_xlsx(tmp_path / "自评表.xlsx", {"自评": evaluation_sheet(SELF_EVALUATION, year=2024)})
    evaluation = _parse(path)
    assert isinstance(evaluation, SelfEvaluation)
    (project,) = evaluation.projects
    assert (evaluation.department_name, evaluation.fiscal_year, project.name, project.unit_name) == (
        DEPARTMENT, 2024, "教师培训项目", "示例市教育局")
    assert (project.budget_initial, project.budget_adjusted, project.executed) == (
        Decimal("120.50"), Decimal("118.00"), Decimal("110.00"))
    assert (project.execution_rate_text, project.budget_weight, project.budget_score) == ("93.22%", Decimal(10), Decimal("9.3"))
    assert (project.total_weight, project.self_score) == (Decimal(100), Decimal("89.3"))
    assert [(r.seq, r.level1_name, r.level2_name, r.name, r.target_text, r.actual_text, r.weight, r.score,
             r.deviation_reason) for r in evaluation.results] == [
        (1, "产出指标", "数量指标", "培训教师人次", "≥500人次", "520人次", Decimal(20), Decimal(20), None),
        (2, "产出指标", "数量指标", "培训班期数", "12期", "10期", Decimal(20), Decimal(15), "两期因场地推迟到次年"),
        (3, "产出指标", "质量指标", "培训合格率", "≥95%", "97%", Decimal(20), Decimal(20), None),
        (4, "效益指标", "社会效益指标", "教学能力", "有效提升", "明显提升", Decimal(15), Decimal(14), None),
        (5, "满意度指标", "服务对象满意度指标", "参训教师满意度", "≥90%", "88%", Decimal(15), Decimal(11), None),
    ]
    frame = build_frames([ParsedFile(file=_raw_file(path), table=evaluation)]).project_evaluations
    row = frame.iloc[0]
    assert row["execution_rate"] == pytest.approx(110 / 118)
    assert (row["indicator_count"], row["indicator_score_total"], row["self_score"]) == (5, 80.0, 89.3)


def test_a_variant_spelling_of_the_actual_column_is_read():
    grid = _grid(
        ["项目支出绩效自评表（2023年度）"],
        ["项目名称", "社区养老服务"],
        ["主管部门", "示例市民政局", "实施单位", "示例市养老服务中心"],
        ["项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
        ["", "年度资金总额", "50", "50", "50", "10", "100%", "10"],
        ["一级指标", "二级指标", "三级指标", "年度指标值", "全年实际值", "分值", "得分", "偏差原因"],
        ["产出指标", "数量指标", "服务老人人次", "≥1000人次", "1200人次", "90", "90", ""],
        ["总分", "", "", "", "", "100", "100", ""],
    )
    evaluation = parse_grids([grid], relative_path=PurePosixPath("x.xlsx"))
    assert [(r.name, r.actual_text, r.score) for r in evaluation.results] == [("服务老人人次", "1200人次", Decimal(90))]
    assert (evaluation.fiscal_year, evaluation.projects[0].self_score) == (2023, Decimal(100))


@pytest.mark.parametrize(
    ("rows", "category", "line", "words"),
    [
        ([["项目名称", "甲"], ["年度资金总额", "1"], ["一级指标", "二级指标", "三级指标", "指标值"],
          ["产出指标", "数量指标", "x", "1"]], IssueCategory.NOT_A_TARGET_TABLE, 1, "主管部门"),
        ([["项目名称", "甲"], ["主管部门", "某局"], ["项目资金（元）", "年度资金总额", "100"],
          ["一级指标", "二级指标", "三级指标", "指标值"]], IssueCategory.NOT_A_TARGET_TABLE, 3, "万元"),
        ([["项目名称", "甲"], ["主管部门", "某局"], ["年度资金总额", "十万"],
          ["一级指标", "二级指标", "三级指标", "指标值"]], IssueCategory.BAD_AMOUNT, 3, "年度资金总额"),
        ([["项目名称", "甲"], ["主管部门", "某局"], ["年度资金总额", "1"],
          ["一级指标", "二级指标", "三级指标", "指标值"], ["产出指标", "数量指标", "x", "1"],
          ["项目名称", "乙"], ["主管部门", "另一局"], ["年度资金总额", "1"],
          ["一级指标", "二级指标", "三级指标", "指标值"], ["产出指标", "数量指标", "y", "1"]],
         IssueCategory.NOT_A_TARGET_TABLE, 1, "different 主管部门"),
    ],
    ids=["no department", "money in yuan", "amount not a number", "two departments"],
)
def test_broken_tables_name_the_line_and_the_problem(rows, category, line, words):
    with pytest.raises(TableError) as raised:
        parse_grids([_grid(["2024年项目支出绩效目标表"], *rows)], relative_path=PurePosixPath("x.xlsx"))
    assert (raised.value.category, raised.value.line) == (category, line + 1)
    assert words in raised.value.message


def test_a_file_mixing_target_tables_and_self_evaluations_is_refused(tmp_path):
    path = write_xlsx(tmp_path / "mixed.xlsx", {
        "目标": target_sheet(TRAINING, year=2024),
        "自评": evaluation_sheet(SELF_EVALUATION, year=2024),
    })
    with pytest.raises(TableError, match="mixes forms"):
        _parse(path)


def _raw_file(path: Path) -> RawFile:
    from pipelines.load.discover import discover_raw_files

    root = path.parent
    (found,) = [f for f in discover_raw_files(root) if f.absolute_path == path]
    return found


def _validated(tmp_path: Path, project: Project):
    from pipelines.load.validate import validate_frames

    path = write_xlsx(tmp_path / "自评表.xlsx", {"自评": evaluation_sheet(project, year=2024)})
    return validate_frames(build_frames([ParsedFile(file=_raw_file(path), table=_parse(path))]))


def test_a_published_execution_rate_that_is_not_executed_over_budget_quarantines_the_file(tmp_path):
    wrong_rate = replace(SELF_EVALUATION, budget=("120.50", "118.00", "110.00", "10", "83.22%", "9.3"))
    result = _validated(tmp_path, wrong_rate)
    assert [(i.category, i.severity.value, i.line) for i in result.issues] == [(IssueCategory.INVALID_VALUE, "error", 3)]
    assert "执行率 0.8322 ≠ 全年执行数 110.00 / 全年预算数 118.00 = 0.9322" in result.issues[0].message
    outcome = {o.check: o.failing_rows for o in result.outcomes if o.table == "project_evaluations"}
    assert outcome["execution_rate_equals_executed_over_budget"] == 1


def test_a_total_score_that_does_not_add_up_is_a_warning_only(tmp_path):
    result = _validated(tmp_path, replace(SELF_EVALUATION, total_score="99"))
    assert [(i.category, i.severity.value) for i in result.issues] == [(IssueCategory.SCORE_TOTAL_MISMATCH, "warning")]
    assert result.quarantined_paths == set()


def test_a_consistent_self_evaluation_passes_every_check(tmp_path):
    result = _validated(tmp_path, SELF_EVALUATION)
    assert result.issues == []
    assert {o.check for o in result.outcomes if o.table == "indicator_results"} == {
        "score_within_weight", "no_duplicate_indicator_in_project", "values_are_valid"}


def test_an_error_on_one_sheet_of_many_names_the_sheet(tmp_path):
    broken = replace(CANTEEN, total="三百")
    path = write_xlsx(tmp_path / "目标表.xlsx", {"项目1": target_sheet(TRAINING, year=2024), "项目2": target_sheet(broken, year=2024)})
    with pytest.raises(TableError) as raised:
        _parse(path)
    assert (raised.value.category, raised.value.line) == (IssueCategory.BAD_AMOUNT, 5)
    assert raised.value.message.startswith("sheet 项目2: 年度资金总额 '三百' is not a number")
