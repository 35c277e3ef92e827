"""Typed targets and the standard indicator tree, from the landing rules to the marts.

The end-to-end tests read the session's one load of the seed (`seed_warehouse` in conftest.py);
the pandera tests break one row of the seed's indicator frame per rule.
"""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal

import duckdb
import pytest

from pipelines.contract.issues import Severity
from pipelines.load.discover import discover_raw_files
from pipelines.load.frames import TARGET_COLUMNS, StagingFrames, build_frames
from pipelines.load.parse import parse_raw_file
from pipelines.load.validate import validate_frames
from pipelines.warehouse.landing import ensure_landing_schema
from schemas import TARGET_RULES, WARNING_CHECKS
from tests.support.loads import load_edited_seed, seed_raw_dir
from tests.support.seed_expectations import SEED_DEPARTMENT, SEED_INDICATORS, SEED_UNIT

# Every distinct target text of the seed, read by hand: operator, value, unit, per, kind.
SEED_READINGS = {
    "100%": ("=", 100.0, "%", None, "quantitative"),
    "≥95%": (">=", 95.0, "%", None, "quantitative"),
    "≥90%": (">=", 90.0, "%", None, "quantitative"),
    "≥98%": (">=", 98.0, "%", None, "quantitative"),
    ">95%": (">", 95.0, "%", None, "quantitative"),
    "≤2次": ("<=", 2.0, "次", None, "quantitative"),
    "不少于1次": (">=", 1.0, "次", None, "quantitative"),
    "不低于90%": (">=", 90.0, "%", None, "quantitative"),
    "每年不超过6次": ("<=", 6.0, "次", "年", "quantitative"),
    "每人超过4件": (">", 4.0, "件", "人", "quantitative"),
    "超过80%": (">", 80.0, "%", None, "quantitative"),
    "≥5": (">=", 5.0, None, None, "quantitative"),
    "正常开展": (None, None, None, None, "qualitative"),
    "有效提高": (None, None, None, None, "qualitative"),
    "是": (None, None, None, None, "qualitative"),
    "及时": (None, None, None, None, "qualitative"),
    "显著加强": (None, None, None, None, "qualitative"),
}
# The seed's local level-2 names and where the standard tree puts them.
SEED_STANDARD_LEVELS = {
    "数量指标": ("产出指标", "数量指标"),
    "质量指标": ("产出指标", "质量指标"),
    "时效指标": ("产出指标", "时效指标"),
    "社会效益": ("效益指标", "社会效益指标"),
    # Filed by the department under 2-效益指标, but satisfaction is its own standard level 1.
    "服务对象满意度": ("满意度指标", "服务对象满意度指标"),
}
SATISFACTION = "no satisfaction indicator"
BENEFIT = "no benefit indicator"
# project: indicators, quantified, output, benefit, satisfaction, satisfaction %, findings
SEED_TARGET_QUALITY = {
    "业务用房物业管理费": (3, 3, True, False, True, 95.0, [BENEFIT]),
    "办公、业务用房租赁费": (4, 3, True, True, True, 95.0, []),
    "其他运行经费": (2, 2, True, True, False, None, [SATISFACTION]),
    "专项工作经费": (2, 2, True, False, True, 95.0, [BENEFIT]),
    "编外人员聘用经费": (2, 1, True, True, False, None, [SATISFACTION]),
    "对口协作经费": (4, 2, True, True, False, None, [SATISFACTION]),
    "水电费": (2, 1, True, False, True, 95.0, ["no quantified output indicator", BENEFIT]),
    "2024年信息化运维项目": (6, 6, True, True, True, 90.0, []),
    "网格化经费": (6, 5, True, True, False, None, [SATISFACTION]),
    "2024年信息化新建项目": (6, 6, True, True, True, 90.0, []),
}
TYPED_FIELDS = ("operator", "value", "unit", "per", "kind", "deadline")


@pytest.mark.slow
def test_every_seed_indicator_has_its_typed_annual_and_period_target(seed_warehouse):
    columns = ", ".join(f"{side}_{field}" for side in ("annual", "period") for field in ("text", *TYPED_FIELDS))
    rows = seed_warehouse.query(
        f"select project_name, indicator_seq, {columns} from marts.indicator_targets"
    )
    actual = {(row[0], row[1]): row[2:] for row in rows}
    assert len(actual) == len(SEED_INDICATORS) == 37
    for _, project, seq, *_, period_text, annual_text in SEED_INDICATORS:
        got = actual[(project, seq)]
        assert got[:7] == (annual_text, *SEED_READINGS[annual_text], None), (project, seq, "annual")
        assert got[7:] == (period_text, *SEED_READINGS[period_text], None), (project, seq, "period")


@pytest.mark.slow
def test_no_seed_target_is_unparsed_or_warned_about(seed_warehouse):
    unparsed = seed_warehouse.query(
        "select count(*) from marts.indicator_targets where 'unparsed' in (annual_kind, period_kind)"
    )
    warnings = seed_warehouse.query("select message from marts.load_issues")
    assert unparsed == [(0,)]
    assert warnings == []


@pytest.mark.slow
def test_every_seed_indicator_has_its_standard_levels_and_keeps_its_local_ones(seed_warehouse):
    rows = seed_warehouse.query(
        "select project_name, indicator_seq, fiscal_year, department_name, unit_name, level1_code, "
        "level1_name, level2_code, level2_name, std_level1, std_level2, indicator_name "
        "from marts.indicator_targets"
    )
    actual = {(row[0], row[1]): row[2:] for row in rows}
    for _, project, seq, code1, name1, code2, name2, indicator, _, _ in SEED_INDICATORS:
        assert actual[(project, seq)] == (
            2024, SEED_DEPARTMENT, SEED_UNIT, code1, name1, code2, name2, *SEED_STANDARD_LEVELS[name2], indicator
        )


@pytest.mark.slow
def test_category_counts_carry_standard_levels_and_measurability(seed_warehouse):
    rows = seed_warehouse.query(
        "select level2_code, level2_name, std_level1, std_level2, indicator_count, quantitative_count, "
        "qualitative_count, unparsed_count from marts.indicator_counts_by_category order by level2_code"
    )
    assert rows == [
        ("11", "数量指标", "产出指标", "数量指标", 5, 5, 0, 0),
        ("12", "质量指标", "产出指标", "质量指标", 12, 12, 0, 0),
        ("13", "时效指标", "产出指标", "时效指标", 6, 5, 1, 0),  # 及时
        ("22", "社会效益", "效益指标", "社会效益指标", 8, 3, 5, 0),
        ("31", "服务对象满意度", "满意度指标", "服务对象满意度指标", 6, 6, 0, 0),
    ]


@pytest.mark.slow
def test_target_quality_judges_every_seed_project(seed_warehouse):
    rows = seed_warehouse.query(
        "select project_name, fiscal_year, department_name, unit_name, indicator_count, quantitative_count, "
        "quantitative_share, has_output_indicator, has_benefit_indicator, has_satisfaction_indicator, "
        "annual_differs_from_period, satisfaction_target_pct, findings from marts.target_quality"
    )
    assert {row[0] for row in rows} == set(SEED_TARGET_QUALITY)
    for project, year, department, unit, count, quantified, share, *flags, differs, pct, findings in rows:
        expected = SEED_TARGET_QUALITY[project]
        assert (year, department, unit) == (2024, SEED_DEPARTMENT, SEED_UNIT)
        assert (count, quantified) == expected[:2], project
        assert share == pytest.approx(expected[1] / expected[0]), project
        assert (*flags, pct, findings) == expected[2:], project
        assert differs is False, project  # the seed's annual and period targets are the same texts


@pytest.mark.slow
def test_department_comparison_gains_target_aggregates_and_keeps_its_columns(seed_warehouse):
    rows = seed_warehouse.query(
        "select total_amount, project_count, indicator_count, quantitative_share, "
        "min_satisfaction_target_pct, avg_satisfaction_target_pct from marts.department_comparison"
    )
    assert len(rows) == 1
    total, projects, indicators, share, lowest, mean = rows[0]
    assert (total, projects, indicators) == (Decimal("2177.86"), 10, 37)
    assert share == pytest.approx(31 / 37)
    assert lowest == 90.0
    assert mean == pytest.approx((95 * 4 + 90 * 2) / 6)  # the six projects with a satisfaction target


@pytest.mark.slow
def test_typed_target_columns_have_the_contract_types(seed_warehouse):
    rows = seed_warehouse.query(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'marts' and table_name = 'indicator_targets' "
        "and (column_name like 'annual_%' or column_name like 'period_%')"
    )
    types = dict(rows)
    for side in ("annual", "period"):
        assert types[f"{side}_value"] == "DOUBLE"
        assert types[f"{side}_deadline"] == "DATE"
        for field in ("text", "operator", "unit", "per", "kind"):
            assert types[f"{side}_{field}"] == "VARCHAR"


# pandera: each rule fails on a row made to break it, as a warning that keeps the file loaded.

@pytest.fixture(scope="module")
def seed_frames(tmp_path_factory) -> StagingFrames:
    raw = seed_raw_dir(tmp_path_factory.mktemp("targets-raw"))
    return build_frames([parse_raw_file(file) for file in discover_raw_files(raw)])


BREAKS = {
    "targets_are_parsed": {"annual_kind": "unparsed", "annual_operator": None, "annual_value": None,
                           "annual_unit": None},
    "target_kind_is_known": {"period_kind": "maybe"},
    "target_operator_is_known": {"annual_operator": "≈"},
    "target_value_is_not_negative": {"period_value": Decimal(-1)},
    "percent_target_is_at_most_100": {"annual_value": Decimal(120), "annual_unit": "%"},
    "deadline_target_has_a_date": {"period_kind": "deadline", "period_operator": "<=", "period_value": None,
                                   "period_unit": None, "period_deadline": None},
    "range_target_has_ordered_bounds": {"annual_operator": "between", "annual_value": Decimal(95),
                                        "annual_value_max": Decimal(90)},
}


def test_every_target_rule_has_a_breaking_row():
    assert set(BREAKS) == set(TARGET_RULES)


@pytest.mark.parametrize("rule", sorted(BREAKS))
def test_a_broken_target_fails_only_its_rule_as_a_warning(seed_frames, rule):
    indicators = seed_frames.indicators.copy()
    for column, value in BREAKS[rule].items():
        indicators[column] = indicators[column].astype(object)
        indicators.at[2, column] = value
    result = validate_frames(dataclasses.replace(seed_frames, indicators=indicators))

    outcomes = {o.check: o for o in result.outcomes if o.table == "indicators"}
    assert outcomes[rule].failing_rows == 1
    assert outcomes[rule].severity is Severity.WARNING and rule in WARNING_CHECKS
    assert [o.check for o in outcomes.values() if not o.passed] == [rule]
    assert result.quarantined_paths == set()
    (issue,) = result.issues
    assert issue.severity is Severity.WARNING
    assert issue.line == indicators.at[2, "source_line"]
    assert TARGET_RULES[rule] in issue.message and "职员及办事人员对办公环境满意度" in issue.message


def test_every_target_rule_is_an_asset_check_on_landing_indicators():
    from pipelines.defs.checks import CHECK_SPECS

    names = {spec.name for spec in CHECK_SPECS if spec.asset_key.path == ["landing", "indicators"]}
    assert set(TARGET_RULES) <= names


def test_the_seed_frame_passes_every_target_rule(seed_frames):
    result = validate_frames(seed_frames)
    assert result.issues == []


def test_a_file_of_only_qualitative_targets_passes_although_its_typed_columns_are_all_null(seed_frames):
    indicators = seed_frames.indicators.copy()
    for column in TARGET_COLUMNS:
        indicators[column] = [None] * len(indicators)
    indicators["annual_kind"] = indicators["period_kind"] = "qualitative"
    result = validate_frames(dataclasses.replace(seed_frames, indicators=indicators))
    assert result.issues == []


# Each seed unit's family and base, from the seed unit_conversions: % stays %, 次 and 件 count.
SEED_UNIT_FAMILIES = {"%": ("percent", "%"), "次": ("count", "次"), "件": ("count", "件"), None: (None, None)}


@pytest.mark.slow
def test_every_seed_target_has_its_unit_family_and_base_value(seed_warehouse):
    rows = seed_warehouse.query(
        "select annual_text, annual_value, annual_unit, annual_value_max, annual_unit_family, annual_value_base, "
        "annual_value_max_base, annual_unit_base, period_text, period_value_max, period_unit_family, "
        "period_value_base, period_unit_base from marts.indicator_targets"
    )
    assert len(rows) == 37
    for annual_text, value, unit, value_max, family, value_base, max_base, unit_base, *period in rows:
        assert (family, unit_base) == SEED_UNIT_FAMILIES[unit], annual_text
        assert value_base == (value if family else None), annual_text  # factor 1 for every seed unit
        assert (value_max, max_base) == (None, None), annual_text  # the seed states no range
        period_text, period_max, period_family, period_base, period_unit_base = period
        assert (period_text, period_max, period_family, period_base, period_unit_base) == (
            annual_text, None, family, value_base, unit_base)  # the seed's period targets are the annual texts


@pytest.mark.slow
def test_range_and_base_columns_have_the_contract_types(seed_warehouse):
    rows = seed_warehouse.query(
        "select table_name, column_name, data_type from information_schema.columns "
        "where (table_schema, table_name) in (('marts', 'indicator_targets'), ('landing', 'indicators'), "
        "('marts', 'target_quality'))"
    )
    types = {(table, column): kind for table, column, kind in rows}
    for side in ("annual", "period"):
        assert types[("indicators", f"{side}_value_max")] == "DOUBLE"
        for column in ("value_max", "value_base", "value_max_base"):
            assert types[("indicator_targets", f"{side}_{column}")] == "DOUBLE"
        for column in ("unit_family", "unit_base"):
            assert types[("indicator_targets", f"{side}_{column}")] == "VARCHAR"
    assert types[("target_quality", "unknown_units")] == "VARCHAR[]"


def test_a_warehouse_from_before_ranges_gains_the_upper_bound_columns(tmp_path):
    with duckdb.connect(str(tmp_path / "old.duckdb")) as con:
        ensure_landing_schema(con)
        con.execute("alter table landing.indicators drop column annual_value_max")
        con.execute("alter table landing.indicators drop column period_value_max")
        ensure_landing_schema(con)  # what the next load runs first
        types = dict(con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'landing' and table_name = 'indicators' and column_name like '%value_max'"
        ).fetchall())
    assert types == {"annual_value_max": "DOUBLE", "period_value_max": "DOUBLE"}


def test_a_satisfaction_target_over_100_percent_warns_and_the_load_still_publishes(tmp_path):
    """pandera only warns on it (a typo, not a broken table): dbt's test of the mart must not fail the load."""
    typed = "系统运行用户满意度；实施周期指标值:≥90%；年度指标值:≥90%"
    load = load_edited_seed(tmp_path, lambda text: text.replace(typed, typed.replace("≥90%", "≥120%"), 1))
    assert load.result.success
    with duckdb.connect(str(load.database), read_only=True) as con:
        assert con.execute("select max(satisfaction_target_pct) from marts.target_quality").fetchone() == (120.0,)
    findings = load.failing_findings()
    assert any("satisfaction_target_pct" in finding for finding in findings), findings


def test_a_range_whose_bounds_are_one_double_warns_and_the_load_still_publishes(tmp_path):
    """The parser keeps a range's bounds exact and in order, as pandera checks them; as DOUBLE two
    bounds 10^-17 apart are equal. The mart's test of their order must warn, not fail the load."""
    typed = "开发和改造系统数；实施周期指标值:≥5；年度指标值:≥5"
    ranged = typed.replace("年度指标值:≥5", "年度指标值:1.00000000000000001-1.00000000000000002个")
    load = load_edited_seed(tmp_path, lambda text: text.replace(typed, ranged, 1))
    assert load.result.success
    with duckdb.connect(str(load.database), read_only=True) as con:
        assert con.execute(
            "select annual_operator, annual_value, annual_value_max from marts.indicator_targets"
            " where indicator_name = '开发和改造系统数'"
        ).fetchall() == [("between", 1.0, 1.0)]
    findings = load.failing_findings()
    assert any("annual_value < annual_value_max" in finding.replace("\n", " ") for finding in findings), findings


def test_many_equal_huge_satisfaction_targets_keep_their_mean_above_their_minimum(tmp_path):
    """A satisfaction target of ≥704605627852002600% (pandera warns: over 100%) in all six projects:
    DuckDB's mean of six such doubles is 2 × 10^2 below their minimum. That the mean is at least
    the minimum is our own arithmetic, so the test's tolerance must scale with the values."""
    satisfaction = re.compile(r"(满意度；实施周期指标值[:：][^；]*；年度指标值[:：])[≥>]\d+%")

    def huge(text: str) -> str:
        text, replaced = satisfaction.subn(r"\g<1>≥704605627852002600%", text)
        assert replaced == 7  # six 满意度指标 and one 社会效益 named 单位员工满意度
        return text

    load = load_edited_seed(tmp_path, huge)
    assert load.result.success
    with duckdb.connect(str(load.database), read_only=True) as con:
        [(minimum, mean)] = con.execute(
            "select min_satisfaction_target_pct, avg_satisfaction_target_pct from marts.department_comparison"
        ).fetchall()
    assert minimum == 704605627852002600.0 and mean < minimum  # what the test must tolerate
    findings = load.failing_findings()
    assert not any("avg_satisfaction_target_pct" in finding for finding in findings), findings
    assert any("satisfaction_target_pct" in finding for finding in findings), findings
