"""A load that parses, validates and stages batch by batch gives the warehouse of one that takes
every file at once: the same landing rows, registry and issues; a broken file in a batch is
quarantined alone; a conflict between files of different batches is still found.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from bench.generate import generate
from pipelines.load import parallel
from pipelines.load.discover import discover_raw_files
from pipelines.load.stage import stage_raw_files
from pipelines.warehouse.landing import LANDING_TABLES

DEPARTMENTS = 14
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
_TABLES = (*LANDING_TABLES, "raw_files", "load_issues")


@pytest.fixture(scope="module")
def raw(tmp_path_factory) -> Path:
    raw = tmp_path_factory.mktemp("streaming") / "raw"
    summary = generate(DEPARTMENTS, 5, raw)
    folder = raw / "2024"
    files = sorted(folder.iterdir())
    # Not a table at all: the parser quarantines it.
    (folder / "0_not_a_table.txt").write_text("not a table\n", encoding="utf-8")
    # A table whose first project appears twice: pandera quarantines it (duplicate project).
    lines = files[3].read_text(encoding="utf-8").splitlines()
    project = next(i for i, line in enumerate(lines) if i > 10 and not line.startswith("合计") and line.count("\t") == 6 and "、" in line)
    (folder / "duplicated_项目支出绩效目标表.txt").write_text("\n".join([*lines, lines[project]]), encoding="utf-8")
    # The same department and year as another file: both are in conflict.
    (folder / "zz_copy_of_first.txt").write_bytes(files[0].read_bytes())
    assert summary.files == DEPARTMENTS
    return raw


def _load(raw: Path, database: Path, **options) -> tuple[object, dict[str, list[tuple]]]:
    with duckdb.connect(str(database)) as con:
        outcome = stage_raw_files(con, discover_raw_files(raw), now=NOW, **options)
        rows = {table: con.execute(f"select * from landing.{table} order by all").fetchall() for table in _TABLES}
    assert not Path(f"{database}.incoming").exists(), "the scratch rows are removed after the load"
    return outcome, rows


@pytest.fixture(scope="module")
def at_once(raw, tmp_path_factory):
    return _load(raw, tmp_path_factory.mktemp("at-once") / "budget.duckdb", batch_files=10_000)


@pytest.mark.parametrize("batch_files", [1, 3])
def test_small_batches_give_the_warehouse_of_one_batch(raw, at_once, tmp_path, batch_files):
    outcome, rows = _load(raw, tmp_path / "budget.duckdb", batch_files=batch_files)
    expected_outcome, expected_rows = at_once
    assert rows == expected_rows
    assert rows["projects"] and rows["indicators"]
    for name in ("loaded", "quarantined", "conflicted", "removed"):
        assert getattr(outcome, name) == getattr(expected_outcome, name), name
    assert sorted(outcome.checks, key=repr) == sorted(expected_outcome.checks, key=repr)


def test_batches_on_worker_processes_give_the_same_warehouse(raw, at_once, tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(parallel, "CHUNK_FILES", 2)
    monkeypatch.setenv(parallel.BATCH_FILES_ENV, "5")
    seen: list[int] = []
    outcome, rows = _load(raw, tmp_path / "budget.duckdb", progress=lambda done, total: seen.append(done))
    assert rows == at_once[1]
    assert seen[-1] == outcome.parsed == DEPARTMENTS + 3


def test_a_broken_file_in_a_batch_quarantines_only_itself(raw, at_once):
    outcome, rows = at_once
    assert outcome.quarantined == ["2024/0_not_a_table.txt", "2024/duplicated_项目支出绩效目标表.txt"]
    assert "2024/zz_copy_of_first.txt" in outcome.conflicted and len(outcome.conflicted) == 2
    # Every other file arrived: 14 generated, less the one copied (in conflict), plus none of the broken.
    loaded = {path for (path, *_rest) in rows["department_tables"]}
    assert len(outcome.loaded) == len(loaded) == DEPARTMENTS - 1
    assert not loaded & {*outcome.quarantined, *outcome.conflicted}
    statuses = {row[0]: row[3] for row in rows["raw_files"]}
    assert statuses["2024/duplicated_项目支出绩效目标表.txt"] == "quarantined"
    assert statuses["2024/zz_copy_of_first.txt"] == "conflict"


def test_a_bad_batch_size_is_refused_with_its_name(monkeypatch):
    monkeypatch.setenv(parallel.BATCH_FILES_ENV, "0")
    with pytest.raises(ValueError, match="BUDGET_LOAD_BATCH_FILES"):
        parallel.batch_files_from_env()


def test_a_killed_runs_scratch_rows_are_removed_with_its_other_debris(tmp_path):
    from pipelines.warehouse import publish

    published = tmp_path / "budget.duckdb"
    build = publish.build_path(published, "dead")
    build.parent.mkdir(parents=True)
    left = [build, build.with_name(build.name + ".incoming"), build.with_name(build.name + ".incoming.wal")]
    for path in left:
        path.write_bytes(b"")
    neighbour = publish.build_path(tmp_path / "budget.test.duckdb", "other").with_name("budget.test.other.duckdb.incoming")
    neighbour.write_bytes(b"")
    assert sorted(publish.remove_debris(published, keep_run_id="live")) == sorted(left)
    assert neighbour.exists()
