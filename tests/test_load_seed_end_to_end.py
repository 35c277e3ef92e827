"""The seed table through Dagster, pandera, DuckDB and dbt: the marts hold what the table says."""

from decimal import Decimal

from tests.support.seed_expectations import (
    SEED_CATEGORY_COUNTS,
    SEED_DEPARTMENT,
    SEED_INDICATORS,
    SEED_PROJECTS,
    SEED_UNIT,
)


def test_one_department_ten_projects_thirty_seven_indicators(seed_warehouse):
    rows = seed_warehouse.query(
        "select fiscal_year, department_name, total_amount, project_count, indicator_count, "
        "indicators_per_project, rank_by_total_amount, prior_year_total_amount from marts.department_comparison"
    )
    assert rows == [(2024, SEED_DEPARTMENT, Decimal("2177.86"), 10, 37, 3.7, 1, None)]


def test_department_total_equals_the_sum_of_its_projects(seed_warehouse):
    (total,) = seed_warehouse.query("select sum(total_amount) from marts.budget_by_project")[0]
    assert total == Decimal("2177.86")


def test_every_project_in_budget_by_project(seed_warehouse):
    rows = seed_warehouse.query(
        "select project_name, fiscal_year, department_name, unit_name, total_amount, fiscal_appropriation, "
        "special_account_appropriation, other_funds, indicator_count, share_of_department_total, source_line "
        "from marts.budget_by_project order by source_line"
    )
    indicator_counts = {}
    for indicator in SEED_INDICATORS:
        indicator_counts[indicator[1]] = indicator_counts.get(indicator[1], 0) + 1
    expected = [
        (name, 2024, SEED_DEPARTMENT, SEED_UNIT, Decimal(total), Decimal(fiscal), Decimal(special),
         Decimal(other), indicator_counts[name], line)
        for line, name, total, fiscal, special, other, _ in SEED_PROJECTS
    ]
    assert [row[:9] + (row[10],) for row in rows] == expected
    shares = {row[0]: row[9] for row in rows}
    assert abs(shares["2024年信息化运维项目"] - 1359.11 / 2177.86) < 1e-12
    assert abs(sum(shares.values()) - 1) < 1e-12


def test_the_largest_project(seed_warehouse):
    rows = seed_warehouse.query(
        "select total_amount, indicator_count from marts.budget_by_project where project_name = ?",
        ["2024年信息化运维项目"],
    )
    assert rows == [(Decimal("1359.11"), 6)]


def test_money_columns_are_decimal_18_2(seed_warehouse):
    types = dict(
        seed_warehouse.query(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'marts' and table_name = 'budget_by_project'"
        )
    )
    for column in ("total_amount", "fiscal_appropriation", "special_account_appropriation", "other_funds"):
        assert types[column] == "DECIMAL(18,2)"


def test_indicator_counts_per_category_exactly_as_published(seed_warehouse):
    rows = seed_warehouse.query(
        "select level1_code, level1_name, level2_code, level2_name, indicator_count "
        "from marts.indicator_counts_by_category where fiscal_year = 2024 and department_name = ?",
        [SEED_DEPARTMENT],
    )
    assert {row[:4]: row[4] for row in rows} == SEED_CATEGORY_COUNTS


def test_every_indicator_staged_with_provenance(seed_warehouse):
    rows = seed_warehouse.query(
        "select source_line, project_name, indicator_seq, level1_code, level1_name, level2_code, level2_name, "
        "indicator_name, period_target_text, annual_target_text, source_path, length(source_sha256), loaded_at "
        "from landing.indicators order by source_line, indicator_seq"
    )
    assert [row[:10] for row in rows] == SEED_INDICATORS
    assert {row[10] for row in rows} == {"2024/广州市越秀区政务服务数据管理局_2024_项目支出绩效目标表.txt"}
    assert {row[11] for row in rows} == {64}
    assert all(row[12] is not None for row in rows)


def test_no_load_issues_for_the_seed(seed_warehouse):
    assert seed_warehouse.query("select count(*) from marts.load_issues") == [(0,)]


def test_pandera_checks_and_dbt_tests_all_pass_as_asset_checks(seed_warehouse):
    evaluations = seed_warehouse.result.get_asset_check_evaluations()
    names = {(e.asset_key.to_user_string(), e.check_name) for e in evaluations}
    assert ("landing/projects", "row_total_equals_sum_of_sources") in names
    assert ("landing/funding_units", "unit_subtotal_equals_sum_of_projects") in names
    assert ("landing/department_tables", "grand_total_equals_sum_of_units") in names
    assert ("marts/budget_by_project", "unique_budget_by_project_project_id") in names
    dbt_checks = [e for e in evaluations if e.asset_key.path[0] in ("staging", "marts")]
    assert len(dbt_checks) >= 40
    assert [e.check_name for e in evaluations if not e.passed] == []


def test_the_warehouse_is_published_with_no_build_debris(seed_warehouse):
    build_dir = seed_warehouse.database.parent / ".build"
    assert seed_warehouse.database.exists()
    assert not build_dir.exists() or list(build_dir.iterdir()) == []
