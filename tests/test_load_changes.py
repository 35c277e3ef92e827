"""The change set a load records (landing.load_changes, pipelines/load/changes.py): every file
whose rows were replaced or removed, with the departments its rows held before; nothing when the
load changed nothing; empty again once the marts took it in."""

from datetime import UTC, datetime

import duckdb

from pipelines.load import changes
from pipelines.load.discover import discover_raw_files
from pipelines.load.stage import stage_raw_files
from tests.support.loads import seed_raw_dir
from tests.support.paths import SEED_PATH

SEED_FILE = f"2024/{SEED_PATH.name}"
SEED_DEPARTMENT = "广州市越秀区政务服务数据管理局（本级）"


def _stage(con, raw):
    return stage_raw_files(con, discover_raw_files(raw), now=datetime.now(UTC))


def _changes(con) -> list[tuple]:
    return con.execute(
        "select source_path, change, fiscal_year, department_name from landing.load_changes order by all"
    ).fetchall()


def test_each_load_records_the_files_it_replaced_or_removed_and_what_they_held(tmp_path):
    raw = seed_raw_dir(tmp_path)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        _stage(con, raw)
        assert _changes(con) == [(SEED_FILE, "loaded", None, None)]  # new: it held nothing before
        changes.clear(con)

        _stage(con, raw)
        assert _changes(con) == []  # unchanged: nothing to rebuild
        assert not changes.pending(con)

        seed = raw / SEED_FILE
        seed.write_bytes(seed.read_bytes() + b"\n")  # new bytes, the same rows
        _stage(con, raw)
        assert _changes(con) == [(SEED_FILE, "loaded", 2024, SEED_DEPARTMENT)]
        changes.clear(con)

        seed.unlink()
        _stage(con, raw)
        assert _changes(con) == [(SEED_FILE, "removed", 2024, SEED_DEPARTMENT)]
        assert changes.pending(con)
        assert con.execute("select count(*) from landing.projects").fetchone()[0] == 0


def test_changes_accumulate_until_the_marts_are_built(tmp_path):
    raw = seed_raw_dir(tmp_path)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        _stage(con, raw)
        (raw / SEED_FILE).unlink()
        _stage(con, raw)  # no build of the marts in between
        assert _changes(con) == [(SEED_FILE, "loaded", None, None), (SEED_FILE, "removed", 2024, SEED_DEPARTMENT)]
