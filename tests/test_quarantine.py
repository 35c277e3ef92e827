"""One load with a broken file of every kind beside good ones: nothing good is lost.

Each broken file is quarantined with its category and the line to look at; the good files
publish completely; arithmetic that does not add up loads but is recorded as warnings and
fails WARN asset checks. All tests share one load (a load takes ~15 s).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import dagster as dg
import pytest

from tests.support.cli import LoadRun, load_cli, query
from tests.support.paths import SEED_PATH
from tests.support.tables import (
    Lines,
    TableSpec,
    UnitSpec,
    line_index,
    render,
    seed_spec,
    tab_text,
    two_unit_spec,
    write_csv,
    write_text,
    write_xlsx,
)

pytestmark = pytest.mark.slow

SEED = seed_spec()
TWO_UNITS = dataclasses.replace(two_unit_spec(), department="广州市越秀区政务服务数据管理局（汇总）")
ARITHMETIC = dataclasses.replace(two_unit_spec(), department="广州市越秀区算术示例局")
GOOD = {
    "2024/seed.txt": SEED,
    "2024/two_units.xlsx": TWO_UNITS,
    "2024/arithmetic.csv": ARITHMETIC,
}


@dataclass(frozen=True)
class Broken:
    category: str
    line: int | None  # the line the issue must name
    words: str  # words the message must contain


def _renamed(department: str) -> TableSpec:
    return dataclasses.replace(SEED, department=department)


def _bad_amount() -> Lines:
    lines = render(_renamed("广州市越秀区坏金额局"))
    lines[line_index(lines, "业务用房物业管理费")][1] = "1O8.38"  # a letter O, not a zero
    return lines


def _amount(department: str, cell: str) -> Lines:
    """The seed with 业务用房物业管理费's 总计 and 财政拨款 (line 12) both set to `cell`."""
    lines = render(_renamed(department))
    row = lines[line_index(lines, "业务用房物业管理费")]
    row[1] = row[2] = cell
    return lines


def _truncated_indicator() -> Lines:
    lines = render(_renamed("广州市越秀区截断指标局"))
    row = lines[line_index(lines, "2024年信息化运维项目")]
    row[6] = row[6][: row[6].index("6、") + 12]  # cut inside the last item, as a too-short cell is
    return lines


def _duplicate_project() -> Lines:
    spec = _renamed("广州市越秀区重复项目局")
    projects = spec.units[0].projects
    doubled = UnitSpec(spec.units[0].name, (*projects, projects[6]))  # 水电费 listed twice; sums still add up
    return render(dataclasses.replace(spec, units=(doubled,)))


def _write_broken(raw: Path) -> dict[str, Broken]:
    write_text(
        raw / "2024" / "meeting_notes.txt", [["会议纪要"], ["时间：2024年3月1日"], ["内容：讨论预算编制"]]
    )
    write_text(
        raw / "no_year.txt", render(_renamed("广州市越秀区无年份局"))
    )  # raw/ root, title without a year
    write_text(raw / "2024" / "bad_amount.txt", _bad_amount(), encoding="gb18030")
    # Ten such cells would not fit DECIMAL(18,2) summed: refused here, they never hide another
    # file's arithmetic warnings (arithmetic.csv's, which are asserted below).
    write_text(raw / "2024" / "huge_amount.txt", _amount("广州市越秀区巨额局", "9999999999999999.99"))
    write_text(raw / "2024" / "bad_grouping.txt", _amount("广州市越秀区错位分隔局", "12,34"))
    write_csv(raw / "2024" / "truncated.csv", _truncated_indicator())
    write_text(raw / "2024" / "duplicate.txt", _duplicate_project())
    damaged = tab_text(render(_renamed("广州市越秀区坏字节局"))).encode("utf-8")
    cut = damaged.index("其他运行经费".encode()) + 3  # after the first character of line 14
    (raw / "2024" / "damaged.txt").write_bytes(damaged[:cut] + b"\xff" + damaged[cut:])
    return {
        "2024/meeting_notes.txt": Broken("not_a_target_table", 1, "header"),
        "no_year.txt": Broken("unknown_fiscal_year", 3, "year"),
        "2024/bad_amount.txt": Broken("bad_amount", 12, "'1O8.38' is not a number"),
        "2024/huge_amount.txt": Broken("bad_amount", 12, "总计 '9999999999999999.99' is too large"),
        "2024/bad_grouping.txt": Broken("bad_amount", 12, "总计 '12,34' has its thousands separators in the wrong place"),
        "2024/truncated.csv": Broken("truncated_indicator", 19, "item 6"),
        "2024/duplicate.txt": Broken("duplicate_project", 22, "水电费"),
        "2024/damaged.txt": Broken("unreadable", 14, "0xff"),
    }


def _arithmetic_lines() -> tuple[Lines, dict[str, int]]:
    """Three mismatches beyond 0.01 (each recorded once) and one of exactly 0.01 (tolerated)."""
    lines = render(ARITHMETIC)
    project = line_index(lines, "业务用房物业管理费")
    lines[project][1] = "118.38"  # 总计 ≠ 财政拨款 108.38, so unit 1's subtotal ≠ its projects too
    total = line_index(lines, "合计")
    for column in (1, 2):  # 合计 adds up across, but is 0.05 more than the units' subtotals
        lines[total][column] = f"{Decimal(lines[total][column].replace(',', '')) + Decimal('0.05'):,.2f}"
    unit2 = line_index(lines, ARITHMETIC.units[1].name)
    for column in (1, 2):  # one fen off its projects: published rounding, not a mistake
        lines[unit2][column] = f"{Decimal(lines[unit2][column].replace(',', '')) + Decimal('0.01'):,.2f}"
    return lines, {
        "row_total_mismatch": project + 1,
        "unit_subtotal_mismatch": line_index(lines, ARITHMETIC.units[0].name) + 1,
        "grand_total_mismatch": total + 1,
    }


@dataclass(frozen=True)
class QuarantineLoad:
    run: LoadRun
    warehouse: Path
    dagster_home: Path
    broken: dict[str, Broken]
    warnings: dict[str, int]


@pytest.fixture(scope="session")
def quarantine_load(tmp_path_factory: pytest.TempPathFactory) -> QuarantineLoad:
    root = tmp_path_factory.mktemp("quarantine")
    raw = root / "raw"
    (raw / "2024").mkdir(parents=True)
    (raw / "2024" / "seed.txt").write_bytes(SEED_PATH.read_bytes())
    write_xlsx(raw / "2024" / "two_units.xlsx", render(TWO_UNITS), two_row_header=True)
    arithmetic, warnings = _arithmetic_lines()
    write_csv(raw / "2024" / "arithmetic.csv", arithmetic, encoding="gbk")
    broken = _write_broken(raw)
    warehouse = root / "warehouse" / "budget.duckdb"
    home = root / "dagster_home"
    return QuarantineLoad(load_cli(raw, warehouse, dagster_home=home), warehouse, home, broken, warnings)


def _issues(load: QuarantineLoad) -> list[tuple]:
    return query(
        load.warehouse,
        "select source_path, source_sha256, category, severity, source_line, message, fiscal_year, "
        "department_name from marts.load_issues order by source_path, source_line",
    )


def test_load_with_quarantined_files_exits_3(quarantine_load: QuarantineLoad) -> None:
    run = quarantine_load.run
    assert run.exit_code == 3, run.explain()
    assert run.summary is not None and run.summary["success"], run.explain()
    assert run.summary["quarantined_files"] == len(quarantine_load.broken)
    assert run.summary["conflicting_files"] == 0


def test_each_broken_file_is_quarantined_with_its_category_and_line(quarantine_load: QuarantineLoad) -> None:
    errors = [row for row in _issues(quarantine_load) if row[3] == "error"]
    by_path: dict[str, list[tuple]] = {}
    for row in errors:
        by_path.setdefault(row[0], []).append(row)
    assert set(by_path) == set(quarantine_load.broken)
    for path, expected in quarantine_load.broken.items():
        categories = {row[2] for row in by_path[path]}
        assert categories == {expected.category}, (path, by_path[path])
        lines = {row[4] for row in by_path[path]}
        assert expected.line in lines, (path, by_path[path])
        assert any(expected.words in row[5] for row in by_path[path]), (path, by_path[path])
        assert all(len(row[1]) == 64 for row in by_path[path])  # the sha256 of the quarantined version


def test_quarantine_messages_name_file_and_line_in_the_summary(quarantine_load: QuarantineLoad) -> None:
    summary_lines = quarantine_load.run.summary["issues"]
    for path, expected in quarantine_load.broken.items():
        assert any(path in text and f"line {expected.line}" in text for text in summary_lines), (
            path,
            summary_lines,
        )


def test_issue_rows_name_year_and_department_when_known(quarantine_load: QuarantineLoad) -> None:
    rows = {row[0]: row for row in _issues(quarantine_load) if row[2] == "duplicate_project"}
    assert rows["2024/duplicate.txt"][6:] == (2024, "广州市越秀区重复项目局")


def test_good_files_marts_are_complete(quarantine_load: QuarantineLoad) -> None:
    departments = query(
        quarantine_load.warehouse,
        "select department_name, fiscal_year, total_amount, project_count, indicator_count "
        "from marts.department_comparison order by department_name",
    )
    assert departments == sorted(
        (spec.department, 2024, _published_total(path, spec), 10, 37) for path, spec in GOOD.items()
    )
    projects = query(
        quarantine_load.warehouse,
        "select source_path, unit_name, project_name, total_amount, indicator_count from marts.budget_by_project "
        "where department_name = $d order by source_line",
        {"d": SEED.department},
    )
    assert len(projects) == 10
    assert projects[7] == ("2024/seed.txt", SEED.units[0].name, "2024年信息化运维项目", Decimal("1359.11"), 6)


def test_two_unit_department_has_correct_unit_subtotals(quarantine_load: QuarantineLoad) -> None:
    units = query(
        quarantine_load.warehouse,
        "select unit_name, sum(total_amount), sum(other_funds), count(*) from marts.budget_by_project "
        "where department_name = $d group by unit_name order by min(source_line)",
        {"d": TWO_UNITS.department},
    )
    assert units == [
        (TWO_UNITS.units[0].name, Decimal("229.93"), Decimal("0.00"), 6),
        (TWO_UNITS.units[1].name, Decimal("1953.43"), Decimal("5.50"), 4),
    ]
    subtotals = query(
        quarantine_load.warehouse,
        "select unit_name, total_amount, projects_total_amount from landing.funding_units "
        "where department_name = $d order by source_line",
        {"d": TWO_UNITS.department},
    )
    assert subtotals == [(name, total, total) for name, total, _, _ in units]


def test_arithmetic_mismatches_load_with_one_warning_each(quarantine_load: QuarantineLoad) -> None:
    warnings = [row for row in _issues(quarantine_load) if row[3] == "warning"]
    assert {(row[0], row[2], row[4]) for row in warnings} == {
        ("2024/arithmetic.csv", category, line) for category, line in quarantine_load.warnings.items()
    }
    assert len(warnings) == 3
    loaded = query(
        quarantine_load.warehouse,
        "select count(*) from marts.budget_by_project where department_name = $d",
        {"d": ARITHMETIC.department},
    )
    assert loaded == [(10,)]


def test_arithmetic_mismatches_fail_warn_asset_checks(quarantine_load: QuarantineLoad) -> None:
    arithmetic = {
        ("projects", "row_total_equals_sum_of_sources"),
        ("funding_units", "unit_subtotal_equals_sum_of_projects"),
        ("department_tables", "grand_total_equals_sum_of_units"),
    }
    failed = set(quarantine_load.run.summary["failed_checks"])
    assert {f"landing/{table}: {check}" for table, check in arithmetic} <= failed
    with dg.DagsterInstance.from_config(str(quarantine_load.dagster_home)) as instance:  # the CLI's run
        for table, check in arithmetic:
            record = instance.get_latest_asset_check_evaluation_record(
                dg.AssetCheckKey(dg.AssetKey(["landing", table]), check)
            )
            evaluation = record.event.dagster_event.event_specific_data
            assert (evaluation.passed, evaluation.severity) == (False, dg.AssetCheckSeverity.WARN), check


def _published_total(path: str, spec: TableSpec) -> Decimal:
    """The file's project totals as published (the arithmetic file has one tampered 总计)."""
    return spec.total + (Decimal("10.00") if path == "2024/arithmetic.csv" else Decimal("0.00"))
