"""A file is read once per load: what is recorded about it is what was parsed from those bytes.

Discovery lists and hashes raw/; parsing reads each file again later. A file swapped, written over
or deleted between the two must never leave the warehouse holding numbers the file does not hold
once the next load has run (issue: a file replaced mid-load by a version at 9,108.38, then
restored, kept 11,177.86 万元 published for a file that sums to 2,177.86).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines.load.discover import scan_raw_dir
from pipelines.load.stage import stage_raw_files
from tests.support.loads import seed_raw_dir
from tests.support.paths import SEED_PATH

SEED_FILE = f"2024/{SEED_PATH.name}"
ORIGINAL = SEED_PATH.read_bytes()
# The same table with one project at 9,108.38 instead of 108.38: 9,000 万元 more.
WRONG = ORIGINAL.replace(b"108.38", b"9,108.38", 1)
JUNK = b"\x00\xff" * 500


def _stage_with(con, raw: Path, between=None):
    """One load's staging; `between` runs after discovery listed raw/ and before parsing."""
    discovery = scan_raw_dir(raw)
    if between is not None:
        between()
    return stage_raw_files(con, discovery.files, now=datetime.now(UTC), skipped=discovery.skipped)


def _published(con) -> tuple[int, Decimal | None]:
    return con.execute("select count(*), sum(total_amount) from landing.projects").fetchone()


def _recorded(con) -> tuple[str, str]:
    return con.execute("select source_sha256, status from landing.raw_files where source_path = ?", [SEED_FILE]).fetchone()


def test_wrong_version_is_the_original_plus_nine_thousand():
    assert WRONG != ORIGINAL and b"9,108.38" in WRONG


@pytest.mark.parametrize("swapped_in", [WRONG, JUNK], ids=["other-numbers", "junk"])
def test_a_file_swapped_during_a_new_load_is_left_to_the_next_load(tmp_path, swapped_in):
    raw = seed_raw_dir(tmp_path)
    seed = raw / SEED_FILE
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        outcome = _stage_with(con, raw, between=lambda: seed.write_bytes(swapped_in))
        assert [(i.category.value, i.source_sha256) for i in outcome.issues] == [("changed_during_load", "")]
        assert _published(con) == (0, None)

        seed.write_bytes(ORIGINAL)  # restored: the next load must read it, though its hash is the listed one
        outcome = _stage_with(con, raw)
        assert outcome.loaded == [SEED_FILE] and not outcome.issues
        assert _published(con) == (10, Decimal("2177.86"))


def test_a_published_file_swapped_and_restored_keeps_the_right_numbers(tmp_path):
    raw = seed_raw_dir(tmp_path)
    seed = raw / SEED_FILE
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        _stage_with(con, raw)
        assert _published(con) == (10, Decimal("2177.86"))

        seed.write_bytes(ORIGINAL + b"\n")  # a real change, listed; then swapped before it is read
        outcome = _stage_with(con, raw, between=lambda: seed.write_bytes(WRONG))
        assert outcome.quarantined == [SEED_FILE]
        assert _published(con) == (10, Decimal("2177.86"))  # the earlier version stays
        assert _recorded(con) == ("", "quarantined")

        seed.write_bytes(ORIGINAL + b"\n")
        outcome = _stage_with(con, raw)
        assert outcome.loaded == [SEED_FILE]
        assert _published(con) == (10, Decimal("2177.86"))

        # The swapped version stays: it is read like any new version, all of it.
        seed.write_bytes(WRONG)
        _stage_with(con, raw)
        assert _published(con) == (10, Decimal("11177.86"))


def test_a_file_changed_after_it_was_read_is_read_again_by_the_next_load(tmp_path):
    raw = seed_raw_dir(tmp_path)
    seed = raw / SEED_FILE
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        _stage_with(con, raw)
        seed.write_bytes(WRONG)  # after this load read it: the next load sees a new hash
        _stage_with(con, raw)
        assert _published(con) == (10, Decimal("11177.86"))
        seed.write_bytes(ORIGINAL)
        _stage_with(con, raw)
        assert _published(con) == (10, Decimal("2177.86"))


def test_a_file_deleted_after_discovery_is_left_out_and_loads_once_it_is_back(tmp_path):
    raw = seed_raw_dir(tmp_path)
    seed = raw / SEED_FILE
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        outcome = _stage_with(con, raw, between=seed.unlink)
        assert (outcome.loaded, outcome.quarantined, outcome.issues) == ([], [], [])
        assert con.execute("select count(*) from landing.raw_files").fetchone() == (0,)

        seed.write_bytes(ORIGINAL)
        outcome = _stage_with(con, raw)
        assert outcome.loaded == [SEED_FILE] and not outcome.issues
        assert _published(con) == (10, Decimal("2177.86"))


def test_a_published_file_deleted_after_discovery_keeps_its_rows_until_a_load_sees_it_gone(tmp_path):
    raw = seed_raw_dir(tmp_path)
    seed = raw / SEED_FILE
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        _stage_with(con, raw)
        seed.write_bytes(ORIGINAL + b"\n")
        _stage_with(con, raw, between=seed.unlink)
        assert _published(con) == (10, Decimal("2177.86"))
        _stage_with(con, raw)
        assert _published(con) == (0, None)
