"""All three forms in one raw/ folder, loaded by `budget-warehouse load` as a user runs it.

raw/ holds the seed (horizontal), per-project target workbooks for 2023 and 2024, a
self-evaluation page for 2024 of the same department (printed with （本级） one year and without
it the next), a department renamed in 2025 (seed department_aliases), and a self-evaluation
whose score exceeds its weight. One CLI load per module (about 20 s).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from tests.support.cli import LoadRun, load_cli, query
from tests.support.paths import REPO_ROOT, SEED_PATH
from tests.support.project_forms import (
    Indicator,
    Project,
    evaluation_sheet,
    target_sheet,
    write_html,
    write_xlsx,
)
from tests.test_per_project_layouts import CANTEEN, SELF_EVALUATION, TRAINING

EDUCATION = "示例市教育局"
CANTEEN_EVALUATION = Project(
    name="学校食堂改造",
    department="示例市教育局（本级）",
    unit="示例市第一中学",
    total="", fiscal="", other="",
    budget=("300.00", "300.00", "285.00", "10", "95.00%", "9.5"),
    total_weight="100",
    total_score="95",  # the components add up to 79.5: a warning, not an error
    indicators=(
        # No 年度指标值 printed: the promise comes from the 2024 target table.
        Indicator("产出指标", "数量指标", "改造食堂数", "", actual="3所", weight="30", score="30"),
        Indicator("产出指标", "成本指标", "单所改造成本", "", actual="105万元", weight="20", score="10",
                  reason="建材涨价"),
        # The weight beside the category name, as some self-evaluations print it.
        Indicator("效益指标（20分）", "社会效益指标（20分）", "就餐环境", "", actual="明显改善", weight="20", score="20"),
        Indicator("满意度指标", "服务对象满意度指标", "师生满意度", "", actual="92%", weight="20", score="10"),
    ),
)
# achieved as a person checks it: the actual against the promise, by its operator.
HAND_EVALUATION = {
    ("教师培训项目", "培训教师人次"): True,  # 520 ≥ 500
    ("教师培训项目", "培训班期数"): False,  # 10 ≠ 12
    ("教师培训项目", "培训合格率"): True,  # 97 ≥ 95
    ("教师培训项目", "教学能力"): None,  # qualitative
    ("教师培训项目", "参训教师满意度"): False,  # 88 < 90
    ("学校食堂改造", "改造食堂数"): True,  # 3 ≥ 3 (target table: ≥3所)
    ("学校食堂改造", "单所改造成本"): False,  # 105 > 100 (≤100万元)
    ("学校食堂改造", "就餐环境"): None,  # qualitative
    ("学校食堂改造", "师生满意度"): True,  # 92 ≥ 90
}


def _renamed(name: str, total: str) -> Project:
    return Project("文化惠民演出", name, name, total, total, "0", (Indicator("产出指标", "数量指标", "演出场次", "≥20场"),))


@pytest.fixture(scope="module")
def mixed_load(tmp_path_factory) -> tuple[LoadRun, Path]:
    root = tmp_path_factory.mktemp("mixed-forms")
    raw = root / "raw"
    (raw / "2024").mkdir(parents=True)
    shutil.copyfile(SEED_PATH, raw / "2024" / SEED_PATH.name)
    earlier = replace(TRAINING, department="示例市教育局（本级）", total="100.00", fiscal="100.00", other="0")
    write_xlsx(raw / "2023" / "教育局_2023_绩效目标表.xlsx", {"项目1": target_sheet(earlier, year=2023)})
    stacked = target_sheet(replace(TRAINING, department=EDUCATION), year=2024)
    stacked.extend(target_sheet(replace(CANTEEN, department=EDUCATION), year=2024, variant="separate"))
    write_xlsx(raw / "2024" / "教育局_2024_绩效目标表.xlsx", {"目标表": stacked})
    write_html(raw / "2024" / "教育局_2024_项目支出绩效自评表.html",
               [evaluation_sheet(SELF_EVALUATION, year=2024), evaluation_sheet(CANTEEN_EVALUATION, year=2024)])
    write_xlsx(raw / "2024" / "文广旅体局_2024.xlsx", {"项目": target_sheet(_renamed("示例市文化广电旅游体育局", "50.00"), year=2024)})
    write_xlsx(raw / "2025" / "文旅局_2025.xlsx", {"项目": target_sheet(_renamed("示例市文化和旅游局", "60.00"), year=2025)})
    overscored = replace(SELF_EVALUATION, department="示例市民政局", indicators=(
        Indicator("产出指标", "数量指标", "x", "≥1次", actual="1次", weight="10", score="12"),))
    write_xlsx(raw / "2024" / "民政局_2024_自评表.xlsx", {"自评": evaluation_sheet(overscored, year=2024)})
    warehouse = root / "warehouse" / "budget.duckdb"
    return load_cli(raw, warehouse), warehouse


def test_only_the_overscored_self_evaluation_is_quarantined(mixed_load):
    run, warehouse = mixed_load
    assert run.exit_code == 3, run.explain()
    errors = query(warehouse, "select source_path, category, source_line, message from marts.load_issues "
                              "where severity = 'error'")
    assert [(path, category, line) for path, category, line, _ in errors] == [
        ("2024/民政局_2024_自评表.xlsx", "invalid_value", 11)
    ]
    assert "得分 12.0 is not within 0 and its 分值 10.0" in errors[0][3]


def test_a_self_evaluation_and_a_target_table_of_one_department_and_year_do_not_conflict(mixed_load):
    _, warehouse = mixed_load
    assert query(warehouse, "select count(*) from marts.load_issues where category = 'conflict'") == [(0,)]
    statuses = dict(query(warehouse, "select source_path, status from landing.raw_files"))
    assert statuses["2024/教育局_2024_项目支出绩效自评表.html"] == statuses["2024/教育局_2024_绩效目标表.xlsx"] == "loaded"


def test_every_form_lands_in_budget_by_project_with_its_source_form(mixed_load):
    _, warehouse = mixed_load
    rows = query(warehouse, "select fiscal_year, department_name, source_form, count(*), sum(total_amount), "
                            "sum(fiscal_appropriation), sum(special_account_appropriation), sum(other_funds), "
                            "sum(indicator_count) from marts.budget_by_project group by all order by 1, 2")
    assert rows == [
        (2023, "示例市教育局（本级）", "per_project", 1, Decimal("100.00"), Decimal("100.00"), Decimal("0.00"), Decimal("0.00"), 6),
        # The seed's columns as printed: every project is 财政拨款 alone, the other two columns empty.
        (2024, "广州市越秀区政务服务数据管理局（本级）", "horizontal", 10, Decimal("2177.86"), Decimal("2177.86"), Decimal("0.00"), Decimal("0.00"), 37),
        (2024, "示例市教育局", "per_project", 2, Decimal("420.50"), Decimal("300.50"), Decimal("60.00"), Decimal("60.00"), 10),
        (2024, "示例市文化广电旅游体育局", "per_project", 1, Decimal("50.00"), Decimal("50.00"), Decimal("0.00"), Decimal("0.00"), 1),
        (2025, "示例市文化和旅游局", "per_project", 1, Decimal("60.00"), Decimal("60.00"), Decimal("0.00"), Decimal("0.00"), 1),
    ]


def test_per_project_indicators_map_to_the_standard_tree_without_codes(mixed_load):
    _, warehouse = mixed_load
    rows = query(warehouse, "select indicator_name, level1_code, level2_code, std_level1, std_level2, annual_operator, "
                            "annual_value, annual_unit from marts.indicator_targets where fiscal_year = 2024 "
                            "and department_name = ? and project_name = '学校食堂改造' order by indicator_seq", [EDUCATION])
    assert rows == [
        ("改造食堂数", None, None, "产出指标", "数量指标", ">=", 3.0, "所"),
        ("单所改造成本", None, None, "产出指标", "成本指标", "<=", 100.0, "万元"),
        ("就餐环境", None, None, "效益指标", "社会效益指标", None, None, None),
        ("师生满意度", None, None, "满意度指标", "服务对象满意度指标", ">=", 90.0, "%"),
    ]


def test_achieved_flags_equal_a_hand_evaluation(mixed_load):
    _, warehouse = mixed_load
    rows = query(warehouse, "select project_name, indicator_name, achieved, target_indicator_id is not null "
                            "from marts.target_achievement order by project_name, indicator_seq")
    assert {(p, i): a for p, i, a, _ in rows} == HAND_EVALUATION
    assert all(linked for *_, linked in rows), "every result links to the 2024 target table"


def test_the_promise_stands_next_to_the_result(mixed_load):
    _, warehouse = mixed_load
    rows = query(warehouse, "select indicator_name, target_text, target_operator, target_value, target_unit, "
                            "actual_text, actual_value, actual_unit, weight, score, deviation_reason, std_level1 "
                            "from marts.target_achievement where project_name = '学校食堂改造' order by indicator_seq")
    assert [row[-1] for row in rows] == ["产出指标", "产出指标", "效益指标", "满意度指标"]
    assert rows[1] == ("单所改造成本", "≤100万元", "<=", 100.0, "万元", "105万元", 105.0, "万元", 20.0, 10.0, "建材涨价", "产出指标")


def test_project_evaluation_holds_money_rates_and_score_consistency(mixed_load):
    _, warehouse = mixed_load
    rows = query(warehouse, "select project_name, budget_initial, budget_adjusted, executed, round(execution_rate, 4), "
                            "self_score, indicator_count, achieved_count, missed_count, score_consistent "
                            "from marts.project_evaluation order by project_name")
    assert rows == [
        ("学校食堂改造", Decimal("300.00"), Decimal("300.00"), Decimal("285.00"), 0.95, 95.0, 4, 2, 1, False),
        ("教师培训项目", Decimal("120.50"), Decimal("118.00"), Decimal("110.00"), 0.9322, 89.3, 5, 2, 2, True),
    ]
    warnings = query(warehouse, "select source_line, message from marts.load_issues where category = 'score_total_mismatch' "
                                "and source_path = '2024/教育局_2024_项目支出绩效自评表.html'")
    expected = "project 学校食堂改造: 总分 95.0 ≠ the indicators' 得分 70 + the funds' 得分 9.5 = 79.5"
    assert warnings == [(CANTEEN_EVALUATION_LINE, expected)]


CANTEEN_EVALUATION_LINE = 3  # its 项目名称 row: row 3 of the page's second table


def test_a_name_with_and_without_its_own_level_keeps_year_over_year(mixed_load):
    _, warehouse = mixed_load
    rows = query(warehouse, "select fiscal_year, department_name, is_own_level, total_amount, prior_year_total_amount, "
                            "round(avg_execution_rate, 4), round(avg_self_score, 2) from marts.department_comparison "
                            "where department_name like '示例市教育局%' order by fiscal_year")
    assert rows == [
        (2023, "示例市教育局（本级）", True, Decimal("100.00"), None, None, None),
        (2024, "示例市教育局", False, Decimal("420.50"), Decimal("100.00"), round((110 / 118 + 0.95) / 2, 4), 92.15),
    ]
    ids = query(warehouse, "select count(distinct department_id) from marts.budget_by_project where department_name like '示例市教育局%'")
    assert ids == [(1,)]


def test_a_renamed_department_keeps_year_over_year_through_the_alias_seed(mixed_load):
    _, warehouse = mixed_load
    rows = query(warehouse, "select fiscal_year, department_name, total_amount, prior_year_total_amount "
                            "from marts.department_comparison where department_name like '示例市文%' order by fiscal_year")
    assert rows == [
        (2024, "示例市文化广电旅游体育局", Decimal("50.00"), None),
        (2025, "示例市文化和旅游局", Decimal("60.00"), Decimal("50.00")),
    ]


def _question(number: int) -> str:
    text = (REPO_ROOT / "docs" / "queries.md").read_text(encoding="utf-8")
    match = re.search(rf"^### {number}\. [^\n]*\n.*?```sql\n(.*?)```", text, re.MULTILINE | re.DOTALL)
    assert match, number
    return match.group(1)


def test_the_documented_self_evaluation_queries_give_the_hand_counted_answers(mixed_load):
    _, warehouse = mixed_load
    assert query(warehouse, _question(13)) == [
        (2024, "示例市教育局（本级）", "教师培训项目", 2, 2, 1),
        (2024, "示例市教育局（本级）", "学校食堂改造", 1, 2, 1),
    ]
    assert query(warehouse, _question(14)) == [
        (2024, "示例市教育局（本级）", 2, Decimal("418.00"), Decimal("395.00"), 94.5),
    ]
    assert query(warehouse, _question(15)) == [(2024, "示例市教育局（本级）", 92.2, 3, 4)]
