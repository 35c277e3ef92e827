"""The warehouse follows raw/ from load to load: corrections replace, removals leave, conflicts wait.

Two loads through the CLI share one temporary raw/ folder:
1. the seed for 2024 and an adjusted copy for 2023 (multi-year), and three other departments;
2. one department's file replaced by a corrected version, one removed, one replaced by a broken
   version, and a second file claiming the seed's year and department.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.support import project_forms, reliability
from tests.support.cli import LoadRun, load_cli, query
from tests.support.paths import SEED_PATH
from tests.support.tables import line_index, render, seed_spec, write_csv, write_text, write_xls, write_xlsx

pytestmark = pytest.mark.slow

SEED = seed_spec()
OPS = "2024年信息化运维项目"  # 1,359.11 in the seed
SEED_2023 = SEED.with_project(OPS, fiscal=Decimal("1159.11"))
REMOVED = dataclasses.replace(SEED, department="广州市越秀区示例局")
CORRECTED = dataclasses.replace(SEED, department="广州市越秀区更正局")
MISTYPED = CORRECTED.with_project("网格化经费", fiscal=Decimal("300.00"))  # 30.00 typed as 300.00
LATER_BROKEN = dataclasses.replace(SEED, department="广州市越秀区示例二局")
SECOND_CLAIM = SEED.with_project(OPS, fiscal=Decimal("999.99"))

DEPARTMENT_SQL = (
    "select fiscal_year, department_name, total_amount, prior_year_total_amount, change_pct "
    "from marts.department_comparison order by department_name, fiscal_year"
)


@dataclass(frozen=True)
class Reconcile:
    first: LoadRun
    second: LoadRun
    warehouse: Path
    departments_after_first: list[tuple]
    removed_rows_after_first: dict[str, int]  # per mart: rows of the file removed before the second load


@pytest.fixture(scope="session")
def reconcile(tmp_path_factory: pytest.TempPathFactory) -> Reconcile:
    root = tmp_path_factory.mktemp("reconcile")
    raw, warehouse = root / "raw", root / "warehouse" / "budget.duckdb"
    (raw / "2024").mkdir(parents=True)
    (raw / "2024" / "seed.txt").write_bytes(SEED_PATH.read_bytes())
    write_csv(raw / "2023" / "seed_2023.csv", render(SEED_2023), encoding="utf-8-sig")
    write_xlsx(raw / "2024" / "removed_later.xlsx", render(REMOVED))
    # Its 自评表 too, so that the self-evaluation marts hold the department's rows before removal.
    evaluation = project_forms.evaluation_sheet(project_forms.consistent_self_evaluation(REMOVED.department), year=2024)
    project_forms.write_xlsx(raw / "2024" / "removed_later_自评表.xlsx", {"自评": evaluation})
    write_text(raw / "2024" / "corrected.txt", render(MISTYPED), encoding="gbk", newline="\r\n")
    write_text(raw / "2024" / "later_broken.txt", render(LATER_BROKEN))
    first = load_cli(raw, warehouse)
    departments = query(warehouse, DEPARTMENT_SQL) if first.exit_code == 0 else []
    removed_rows = {table: _removed_rows(warehouse, table) for table in reliability.MART_TABLES} if departments else {}

    write_text(raw / "2024" / "corrected.txt", render(CORRECTED), encoding="gbk", newline="\r\n")
    (raw / "2024" / "removed_later.xlsx").unlink()
    (raw / "2024" / "removed_later_自评表.xlsx").unlink()
    broken = render(LATER_BROKEN)
    broken[line_index(broken, "水电费")][2] = "三十三"
    write_text(raw / "2024" / "later_broken.txt", broken)
    write_xls(raw / "2024" / "second_claim.xls", render(SECOND_CLAIM))
    second = load_cli(raw, warehouse)
    return Reconcile(first, second, warehouse, departments, removed_rows)


def test_first_load_is_clean_and_exits_0(reconcile: Reconcile) -> None:
    assert reconcile.first.exit_code == 0, reconcile.first.explain()
    assert reconcile.first.summary["files"] == 6  # five target tables and one 自评表
    assert reconcile.first.summary["failed_checks"] == []


def test_prior_year_total_and_change_for_the_same_department(reconcile: Reconcile) -> None:
    rows = {(year, name): row for year, name, *row in reconcile.departments_after_first}
    assert rows[(2023, SEED.department)] == [Decimal("1977.86"), None, None]
    total, prior, change = rows[(2024, SEED.department)]
    assert (total, prior) == (Decimal("2177.86"), Decimal("1977.86"))
    assert change == pytest.approx(200 / 1977.86)
    assert rows[(2024, CORRECTED.department)] == [Decimal("2447.86"), None, None]  # no 2023 table


def test_second_load_with_a_conflict_and_a_broken_file_exits_3(reconcile: Reconcile) -> None:
    run = reconcile.second
    assert run.exit_code == 3, run.explain()
    assert run.summary["success"]
    assert (run.summary["files"], run.summary["parsed_files"], run.summary["removed_files"]) == (5, 3, 2)
    assert (run.summary["quarantined_files"], run.summary["conflicting_files"]) == (1, 2)


def test_corrected_file_replaces_its_earlier_version(reconcile: Reconcile) -> None:
    rows = query(
        reconcile.warehouse,
        "select project_name, total_amount from marts.budget_by_project "
        "where department_name = $d and project_name = '网格化经费'",
        {"d": CORRECTED.department},
    )
    assert rows == [("网格化经费", Decimal("30.00"))]
    departments = {
        (year, name): total for year, name, total, *_ in query(reconcile.warehouse, DEPARTMENT_SQL)
    }
    assert departments[(2024, CORRECTED.department)] == Decimal("2177.86")


def _removed_rows(warehouse: Path, table: str) -> int:
    """Rows of a mart from the file removed later: by its department or, failing that, its path."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        columns = {name for name, _ in reliability.mart_columns(con, table)}
    key = "department_name" if "department_name" in columns else "source_path"
    assert key in columns, f"marts.{table} has neither department_name nor source_path: say how removals show"
    value = REMOVED.department if key == "department_name" else "2024/removed_later.xlsx"
    counted = f'select count(*) from marts."{table}" where "{key}" = $value'  # names from the catalog
    ((rows,),) = query(warehouse, counted, {"value": value})
    return rows


@pytest.mark.parametrize("table", reliability.MART_TABLES)
def test_removed_file_leaves_every_mart(reconcile: Reconcile, table: str) -> None:
    """Every mart in the dbt manifest; load_issues has no rows of a clean file before or after."""
    if table != "load_issues":
        assert reconcile.removed_rows_after_first[table] > 0, f"marts.{table} had the file's rows after the first load"
    assert _removed_rows(reconcile.warehouse, table) == 0
    paths = query(reconcile.warehouse, "select source_path from landing.raw_files order by 1")
    assert ("2024/removed_later.xlsx",) not in paths
    assert ("2024/removed_later_自评表.xlsx",) not in paths


def test_conflicting_claims_are_both_reported_and_the_earlier_version_stays(reconcile: Reconcile) -> None:
    conflicts = query(
        reconcile.warehouse,
        "select source_path, severity, fiscal_year, department_name, message from marts.load_issues "
        "where category = 'conflict' order by source_path",
    )
    assert [row[:4] for row in conflicts] == [
        ("2024/second_claim.xls", "error", 2024, SEED.department),
        ("2024/seed.txt", "error", 2024, SEED.department),
    ]
    assert "2024/seed.txt" in conflicts[0][4] and "2024/second_claim.xls" in conflicts[1][4]
    ops = query(
        reconcile.warehouse,
        "select source_path, total_amount from marts.budget_by_project "
        "where fiscal_year = 2024 and department_name = $d and project_name = $p",
        {"d": SEED.department, "p": OPS},
    )
    assert ops == [("2024/seed.txt", Decimal("1359.11"))]


def test_broken_replacement_keeps_the_last_good_version(reconcile: Reconcile) -> None:
    issues = query(
        reconcile.warehouse,
        "select category, source_line from marts.load_issues where source_path = '2024/later_broken.txt'",
    )
    assert issues == [("bad_amount", line_index(render(LATER_BROKEN), "水电费") + 1)]
    totals = query(
        reconcile.warehouse,
        "select total_amount, project_count from marts.department_comparison where department_name = $d",
        {"d": LATER_BROKEN.department},
    )
    assert totals == [(Decimal("2177.86"), 10)]


def test_multi_year_comparison_survives_the_second_load(reconcile: Reconcile) -> None:
    rows = {(year, name): row for year, name, *row in query(reconcile.warehouse, DEPARTMENT_SQL)}
    assert rows[(2024, SEED.department)][:2] == [Decimal("2177.86"), Decimal("1977.86")]
    assert set(rows) == {
        (2023, SEED.department),
        (2024, SEED.department),
        (2024, CORRECTED.department),
        (2024, LATER_BROKEN.department),
    }
