"""Real published tables (tests/data/real/) read as the load reads them, against their hand-written
expected files: department, year, every project's amount, every indicator's levels, name and
指标值, and for 自评表 the actual values and scores.

Tables that cannot load yet are listed with the reason; strict xfail turns into a failure the day
they load, so the list stays true.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path, PurePosixPath

import pytest

from pipelines.ingest.errors import IssueCategory, TableError
from pipelines.ingest.layouts import parse_grids
from pipelines.ingest.model import DepartmentTable, SelfEvaluation
from pipelines.ingest.readers import read_grids

REAL = Path(__file__).parent / "data" / "real"

NOT_YET = {
    "sichuan/jingyan-mata-2023": "amounts in 元 (金额单位:元); the contract takes 万元 only",
    "sichuan/zhaohua-wjj-tkjt-2021": "the 年度资金总额 line is blank; the total is the (一)财政拨款小计 of a nine-line block",
    "zhejiang/linhai-lhyh-2024": "a project-library form (指标类型 | 指标名称 | 指标值 | 指标描述) that prints "
                                 "no amount and no 三级 column: refused as unknown_layout",
}


def _tables() -> list[str]:
    return sorted(str(p.relative_to(REAL)).removesuffix(".expected.json") for p in REAL.glob("*/*.expected.json"))


def _params() -> list:
    return [
        pytest.param(name, marks=[pytest.mark.xfail(strict=True, reason=NOT_YET[name])] if name in NOT_YET else [],
                     id=name)
        for name in _tables()
    ]


def _load(name: str) -> DepartmentTable | SelfEvaluation:
    path = REAL / f"{name}.html"
    # The path the load gives: relative to raw/, here a folder without a year (the table says it).
    return parse_grids(read_grids(path), relative_path=PurePosixPath(name + ".html"))


def _expected(name: str) -> dict:
    return json.loads((REAL / f"{name}.expected.json").read_text(encoding="utf-8"))


def _target_text(indicator: dict) -> str | None:
    """The 指标值 as one text: operator and unit columns join the value as the layouts join them."""
    text = indicator.get("target_text")
    if text is None:
        return None
    unit = indicator.get("unit") or ""
    return f"{indicator.get('operator') or ''}{text}{'' if text.endswith(unit) else unit}"


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def test_every_table_is_listed():
    assert len(_tables()) == 15
    assert set(NOT_YET) <= set(_tables())


@pytest.mark.parametrize("name", _params())
def test_real_table_loads_exactly(name: str):
    expected = _expected(name)
    table = _load(name)
    assert table.department_name == expected["department_name"]
    assert table.fiscal_year == expected["fiscal_year"]
    assert [p.name for p in table.projects] == [p["name"] for p in expected["projects"]]
    if "implementing_unit" in expected:
        assert {p.unit_name for p in table.projects} == {expected["implementing_unit"]}
    if expected["form"] == "self_evaluation":
        assert isinstance(table, SelfEvaluation)
        _check_self_evaluation(table, expected)
    else:
        assert isinstance(table, DepartmentTable)
        _check_targets(table, expected)


def _check_targets(table: DepartmentTable, expected: dict) -> None:
    for project, wanted in zip(table.projects, expected["projects"], strict=True):
        assert project.amounts.total == Decimal(wanted["amount_wan_yuan"]), project.name
        indicators = [i for i in table.indicators if i.project_name == project.name]
        got = [(i.level1_name, i.level2_name, i.name, i.annual_target_text) for i in indicators]
        want = [(i["level1"], i["level2"], i["name"], _target_text(i)) for i in wanted["indicators"]]
        assert got == want


def _check_self_evaluation(table: SelfEvaluation, expected: dict) -> None:
    for project, wanted in zip(table.projects, expected["projects"], strict=True):
        budget = project.budget_initial if "年初" in wanted["amount_meaning"] else project.budget_adjusted
        assert budget == Decimal(wanted["amount_wan_yuan"]), project.name
        execution = wanted["execution"]
        assert project.execution_rate_text == execution.get("rate_as_printed")
        assert project.budget_score == _decimal(execution.get("score"))
        assert project.self_score == _decimal(wanted.get("total_score"))
        if "total_weight" in wanted:
            assert project.total_weight == _decimal(wanted["total_weight"])
        results = [r for r in table.results if r.project_name == project.name]
        # An empty 一级 cell on the page (expected None) is filled from the standard tree.
        got = [
            (r.level1_name if i["level1"] is not None else None, r.level2_name, r.name, r.target_text,
             r.actual_text, r.score, r.weight if "weight" in i else None)
            for r, i in zip(results, wanted["indicators"], strict=True)
        ]
        want = [
            (i["level1"], i["level2"], i["name"], _target_text(i), i.get("actual_text"),
             _decimal(i.get("score")), _decimal(i.get("weight")))
            for i in wanted["indicators"]
        ]
        assert got == want


def test_a_form_no_layout_knows_is_refused_naming_its_labels():
    with pytest.raises(TableError) as raised:
        _load("zhejiang/linhai-lhyh-2024")
    assert raised.value.category is IssueCategory.UNKNOWN_LAYOUT
    assert raised.value.line == 11  # the 指标类型 | 指标名称 | 指标值 | 指标描述 row
    for label in ("'指标类型'", "'指标描述'", "'项目绩效目标'"):
        assert label in raised.value.message
