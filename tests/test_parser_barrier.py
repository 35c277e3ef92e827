"""One file's content can stop nothing but that file: the fault barrier, on both engines.

A bug is planted in the horizontal layout (tests/support/faults.py): it raises IndexError on any
grid mentioning a marker, as the head-block code once did on a real 2-D table. The file that
meets it is quarantined as `parser_error`, naming the exception; the seed beside it publishes,
and the load exits 3.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines.ingest.errors import IssueCategory
from pipelines.load.discover import scan_raw_dir
from pipelines.load.parse import parse_raw_file
from tests.support.cli import LoadRun, load_cli
from tests.support.faults import PLANTED_MARKER, planted_environment
from tests.support.paths import SEED_PATH
from tests.support.tables import render, seed_spec, write_text

pytestmark = pytest.mark.slow

BROKEN = "2024/planted.txt"
EMPTY_FILES = 30


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    raw = tmp_path_factory.mktemp("barrier") / "raw"
    (raw / "2024").mkdir(parents=True)
    (raw / "2024" / "seed.txt").write_bytes(SEED_PATH.read_bytes())
    planted = dataclasses.replace(seed_spec(), department=f"广州市越秀区{PLANTED_MARKER}局")
    write_text(raw / BROKEN, render(planted))
    for number in range(EMPTY_FILES):  # repeated issues: counted on the terminal, every one in the warehouse
        (raw / "2024" / f"empty_{number:02}.txt").touch()
    return raw


@pytest.fixture(scope="module", params=["duckdb", "spark"])
def load(request, raw: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[LoadRun, Path]:
    root = tmp_path_factory.mktemp(f"barrier-{request.param}")
    warehouse = root / "warehouse" / "budget.duckdb"
    env = planted_environment(root / "planted")
    run = load_cli(raw, warehouse, engine=None if request.param == "duckdb" else "spark", env=env)
    return run, warehouse


def test_the_file_that_raises_is_quarantined_and_the_load_exits_3(load) -> None:
    run, _ = load
    assert run.exit_code == 3, run.explain()
    assert run.summary["success"], run.explain()
    assert run.summary["quarantined_files"] == 1 + EMPTY_FILES


def test_the_terminal_counts_the_repeated_issues_and_the_warehouse_keeps_each(load) -> None:
    run, warehouse = load
    lines = run.summary["issue_lines"]  # what the terminal prints (--json keeps stderr for progress)
    assert (
        "error: 30 files: file is empty [unreadable], e.g. 2024/empty_00.txt, 2024/empty_01.txt, 2024/empty_02.txt, …"
        in lines
    ), run.explain()
    assert len(lines) == 3 and not any("empty_29" in line for line in lines)
    assert len(run.summary["issues"]) == 1 + EMPTY_FILES
    assert _mart(warehouse, "load_issues", "select count(*) from mart where category = 'unreadable'") == [(EMPTY_FILES,)]


def _mart(warehouse: Path, mart: str, sql: str, parameters: dict | None = None) -> list[tuple]:
    """A mart as both engines publish it: the Parquet folder beside the warehouse."""
    files = str(warehouse.parent / "parquet" / mart / "*.parquet")
    with duckdb.connect() as con:
        return con.execute(f"with mart as (select * from read_parquet($files)) {sql}", {"files": files, **(parameters or {})}).fetchall()


def test_the_seed_beside_it_publishes_whole(load) -> None:
    run, warehouse = load
    assert _mart(
        warehouse, "budget_by_project", "select count(*), sum(total_amount) from mart"
    ) == [(10, Decimal("2177.86"))], run.explain()
    assert _mart(warehouse, "indicator_targets", "select count(*) from mart") == [(37,)]


def test_its_load_issue_names_the_exception_and_where_it_was_raised(load) -> None:
    _, warehouse = load
    ((category, severity, message),) = _mart(
        warehouse, "load_issues", "select category, severity, message from mart where source_path = $path", {"path": BROKEN}
    )
    assert (category, severity) == ("parser_error", "error")
    assert "IndexError: tuple index out of range" in message
    assert "raised in pipelines/ingest/layouts/__init__.py" in message


def _slow_and_quick_files(tmp_path: Path):
    """A text file of 20,000 table-like rows (about half a second to read and refuse), and the seed."""
    raw = tmp_path / "raw"
    (raw / "2024").mkdir(parents=True)
    (raw / "2024" / "seed.txt").write_bytes(SEED_PATH.read_bytes())
    (raw / "2024" / "slow.txt").write_text(
        "项目名称\t总计\t绩效指标\n" + "某项目\t1.00\t1、产出指标：数量指标：x；年度指标值:1个。\n" * 20_000, encoding="utf-8"
    )
    seed, slow = scan_raw_dir(raw).files
    return slow, seed


def test_a_file_over_its_time_budget_is_too_slow(tmp_path: Path) -> None:
    slow, seed = _slow_and_quick_files(tmp_path)
    issue = parse_raw_file(slow, seconds=0.01)
    assert issue.category is IssueCategory.TOO_SLOW
    assert "time budget of 0.01 s (BUDGET_FILE_SECONDS)" in issue.message
    assert parse_raw_file(slow, seconds=60).category is IssueCategory.NOT_A_TARGET_TABLE
    assert parse_raw_file(seed, seconds=60).table.department_name == "广州市越秀区政务服务数据管理局（本级）"


def test_an_unforeseen_exception_in_a_layout_becomes_the_files_parser_error(tmp_path: Path, monkeypatch) -> None:
    from pipelines.ingest.layouts import horizontal

    def raises(grid):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(horizontal, "detect", raises)
    raw = tmp_path / "raw"
    (raw / "2024").mkdir(parents=True)
    (raw / "2024" / "seed.txt").write_bytes(SEED_PATH.read_bytes())
    (file,) = scan_raw_dir(raw).files
    issue = parse_raw_file(file)
    assert (issue.category, issue.source_sha256) == (IssueCategory.PARSER_ERROR, file.sha256)
    assert issue.message.startswith(
        "the loader failed on this file's content: RecursionError: maximum recursion depth exceeded "
        "(raised in pipelines/ingest/layouts/__init__.py:"
    )


def test_the_time_budget_holds_in_a_worker_thread_and_leaves_the_thread_clean(tmp_path: Path) -> None:
    """Loads parse in worker threads too, where no signal reaches."""
    import threading
    import time

    slow, seed = _slow_and_quick_files(tmp_path)
    results = []

    def work() -> None:
        results.append(parse_raw_file(slow, seconds=0.01))
        results.append(parse_raw_file(seed, seconds=0.05))
        time.sleep(0.2)  # a budget that expired must not land after its file
        results.append("clean")

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert results[0].category is IssueCategory.TOO_SLOW
    assert results[1].table.department_name == "广州市越秀区政务服务数据管理局（本级）"
    assert results[2] == "clean"


def test_the_time_budget_comes_from_budget_file_seconds(monkeypatch) -> None:
    from pipelines.load.barrier import file_seconds_from_env

    assert file_seconds_from_env() == 60.0
    monkeypatch.setenv("BUDGET_FILE_SECONDS", "2.5")
    assert file_seconds_from_env() == 2.5
    for wrong in ("0", "-1", "soon"):
        monkeypatch.setenv("BUDGET_FILE_SECONDS", wrong)
        with pytest.raises(ValueError, match=f"BUDGET_FILE_SECONDS must be a number of seconds > 0, not '{wrong}'"):
            file_seconds_from_env()


def test_a_budget_exception_a_library_swallows_still_makes_the_file_too_slow(tmp_path: Path) -> None:
    """Some libraries catch everything (a bare except) and go on: what they return past the
    budget is not loaded."""
    import time

    from pipelines.load.barrier import contained

    slow, _ = _slow_and_quick_files(tmp_path)

    def swallowing() -> str:
        until = time.monotonic() + 0.3
        while time.monotonic() < until:
            try:
                time.sleep(0.001)
            except BaseException:  # noqa: BLE001, S110 - the library's habit this test stands for
                pass
        return "read past the budget"

    assert contained(slow, swallowing, seconds=0.02).category is IssueCategory.TOO_SLOW
    assert contained(slow, swallowing, seconds=5) == "read past the budget"
