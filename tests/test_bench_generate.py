"""bench.generate writes tables a reader can trust: exact sums, stable bytes, realistic sizes.

The reader here is deliberately tiny and independent of the generator and the pipeline.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.generate import generate, main
from tests.support.paths import SEED_PATH

HEADER = ["项目名称（资金使用单位）", "总计", "财政拨款", "财政专户拨款", "其他资金", "绩效目标", "绩效指标"]
AMOUNT = re.compile(r"\d{1,3}(,\d{3})*\.\d{2}")
INDICATOR = re.compile(
    r"(\d+)、(\d)-([^：]+)：(\d\d)-([^：]+)：([^；]+)；"
    r"实施周期指标值[:：]([^；。]+)；年度指标值[:：]([^；。]+)。"
)
CATEGORIES = {
    ("1", "11"), ("1", "12"), ("1", "13"), ("1", "14"),
    ("2", "21"), ("2", "22"), ("2", "23"), ("2", "24"), ("2", "31"),
    ("3", "31"), ("4", "41"),
}


@dataclass
class Unit:
    name: str
    amounts: list[Decimal]
    projects: list[list[Decimal]] = field(default_factory=list)


@dataclass
class Table:
    department: str
    total: list[Decimal]
    units: list[Unit]
    indicators: int
    categories: set[tuple[str, str]]


def amount(cell: str) -> Decimal:
    if cell == "":
        return Decimal(0)
    assert AMOUNT.fullmatch(cell), cell
    return Decimal(cell.replace(",", ""))


def indicator_count(cell: str, categories: set[tuple[str, str]]) -> int:
    """Numbers run 1..k within the cell and the matches cover it completely."""
    matches = list(INDICATOR.finditer(cell))
    assert "".join(m.group(0) for m in matches) == cell, cell
    assert [int(m.group(1)) for m in matches] == list(range(1, len(matches) + 1)), cell
    categories.update((m.group(2), m.group(4)) for m in matches)
    return len(matches)


def read(path: Path) -> Table:
    data = path.read_bytes()
    assert b"\r" not in data and not data.endswith(b"\n")
    lines = data.decode("utf-8").split("\n")
    assert lines[:4] == ["", "", "项目支出绩效目标表（含转移支付项目）", ""]
    assert lines[4].startswith("部门名称：") and lines[5:8] == ["", "单位：万元", ""]
    assert lines[8].split("\t") == HEADER
    rows = [line.split("\t") for line in lines[9:]]
    assert all(len(row) == 7 for row in rows)
    assert rows[0][0] == "合计" and rows[0][5:] == ["", ""]
    units: list[Unit] = []
    indicators = 0
    categories: set[tuple[str, str]] = set()
    for row in rows[1:]:
        amounts = [amount(cell) for cell in row[1:5]]
        assert amounts[0] == sum(amounts[1:]), row
        if row[5:] == ["", ""]:
            units.append(Unit(row[0], amounts))
        else:
            assert units, "project before any unit"
            units[-1].projects.append(amounts)
            indicators += indicator_count(row[6], categories)
    total = [amount(cell) for cell in rows[0][1:5]]
    assert total[0] == sum(total[1:])
    return Table(lines[4].removeprefix("部门名称："), total, units, indicators, categories)


def column_sums(rows: list[list[Decimal]]) -> list[Decimal]:
    return [sum(column, Decimal(0)) for column in zip(*rows)]


def check_reconciles(table: Table) -> None:
    for unit in table.units:
        assert unit.projects, unit.name
        assert unit.amounts == column_sums(unit.projects), unit.name
    assert table.total == column_sums([u.amounts for u in table.units])


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_reader_accepts_the_published_seed() -> None:
    """The tiny reader is only worth trusting if it reads the real file (tracked in raw/)."""
    table = read(SEED_PATH)
    check_reconciles(table)
    assert table.total[0] == Decimal("2177.86")
    assert sum(len(u.projects) for u in table.units) == 10


def test_same_seed_same_bytes_other_seed_differs(tmp_path: Path) -> None:
    generate(25, 3, tmp_path / "a", (2023, 2024))
    generate(25, 3, tmp_path / "b", (2023, 2024))
    generate(25, 4, tmp_path / "c", (2023, 2024))
    a, b, c = tree(tmp_path / "a"), tree(tmp_path / "b"), tree(tmp_path / "c")
    assert len(a) == 50 and {name.split("/")[0] for name in a} == {"2023", "2024"}
    assert a == b
    assert a != c


def test_files_reconcile_and_match_summary(tmp_path: Path) -> None:
    summary = generate(200, 11, tmp_path, (2024,))
    paths = sorted((tmp_path / "2024").glob("*.txt"))
    assert summary.files == len(paths) == 200
    tables = [read(path) for path in paths]
    for table in tables:
        check_reconciles(table)
        assert 1 <= len(table.units) <= 3
        assert 2 <= sum(len(u.projects) for u in table.units) <= 20
    projects = sum(len(u.projects) for t in tables for u in t.units)
    indicators = sum(t.indicators for t in tables)
    assert summary.projects == projects
    assert summary.indicators == indicators
    assert summary.total_amount == sum((t.total[0] for t in tables), Decimal(0))
    assert len({t.department.removesuffix("（本级）") for t in tables}) == 200
    assert set().union(*(t.categories for t in tables)) == CATEGORIES
    assert 8 <= projects / 200 <= 12
    assert 30 <= indicators / 200 <= 44


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**63), departments=st.integers(0, 4))
def test_any_seed_reconciles(seed: int, departments: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        summary = generate(departments, seed, Path(folder), (2022,))
        tables = [read(path) for path in sorted(Path(folder, "2022").glob("*.txt"))]
        assert summary.files == len(tables) == departments
        for table in tables:
            check_reconciles(table)


def test_cli_writes_each_year_and_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--departments", "3", "--seed", "5", "--out", str(tmp_path), "--years", "2023,2024"]
    assert main(argv) == 0
    assert len(list(tmp_path.glob("2023/*.txt"))) == len(list(tmp_path.glob("2024/*.txt"))) == 3
    last = capsys.readouterr().err.strip().splitlines()[-1]
    expected = r"wrote 6 files, \d+ projects, \d+ indicators, total [\d,]+\.\d\d 万元 to "
    assert re.fullmatch(expected + re.escape(str(tmp_path)), last)
