"""raw/ as an untrusted tree (issue 17): every entry that cannot be read is reported, never raised,
and the files beside it load. Discovery and staging on a real DuckDB file; no Dagster or dbt."""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from pipelines.ingest.errors import TableError
from pipelines.ingest.readers import read_grids
from pipelines.load.discover import scan_raw_dir
from pipelines.load.stage import stage_raw_files
from tests.support.permissions import CANNOT_MAKE_UNREADABLE, as_ordinary_owner, permissions_bind_root
from tests.support.untrusted import (
    PROJECTS_PER_GOOD_FILE,
    far_cell_workbook,
    huge_text_file,
    lock,
    unlock_tree,
    write_good,
    zip_bomb,
)

needs_permissions = pytest.mark.skipif(not permissions_bind_root(), reason=CANNOT_MAKE_UNREADABLE)


@pytest.fixture
def raw(tmp_path):
    root = tmp_path / "raw"
    (root / "2024").mkdir(parents=True)
    yield root
    unlock_tree(tmp_path)


def _skipped(raw: Path) -> dict[str, str]:
    with as_ordinary_owner():
        discovery = scan_raw_dir(raw)
    return {entry.source_path: entry.category.value for entry in discovery.skipped}


def _stage(con: duckdb.DuckDBPyConnection, raw: Path):
    with as_ordinary_owner():
        discovery = scan_raw_dir(raw)
        return stage_raw_files(con, discovery.files, now=datetime.now(UTC), skipped=discovery.skipped)


def _issues(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str, str]]:
    rows = con.execute("select source_path, category, severity, source_sha256 from landing.load_issues").fetchall()
    return {path: (category, severity, sha) for path, category, severity, sha in rows}


def test_a_symlink_loop_is_reported_and_the_files_beside_it_load(raw, tmp_path):
    write_good(raw / "2024" / "good.txt", 1)
    (raw / "2024" / "loop1").symlink_to("loop2.txt")
    (raw / "2024" / "loop2.txt").symlink_to("loop1")
    (raw / "2024" / "self.csv").symlink_to("self.csv")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        outcome = _stage(con, raw)
        assert outcome.loaded == ["2024/good.txt"]
        assert _issues(con) == {
            "2024/loop2.txt": ("symlink_loop", "error", ""),
            "2024/self.csv": ("symlink_loop", "error", ""),
        }
        assert con.execute("select count(*) from landing.projects").fetchone() == (PROJECTS_PER_GOOD_FILE,)


def test_dangling_links_fifos_and_sockets_are_reported_without_being_opened(raw):
    (raw / "2024" / "dangling.xlsx").symlink_to(raw / "2024" / "gone.xlsx")
    os.mkfifo(raw / "2024" / "pipe.txt")  # opening it for reading would block the load forever
    (raw / "2024" / "link-to-pipe.txt").symlink_to("pipe.txt")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(raw / "2024" / "s.csv"))
        assert _skipped(raw) == {
            "2024/dangling.xlsx": "dangling_symlink",
            "2024/pipe.txt": "special_file",
            "2024/link-to-pipe.txt": "special_file",
            "2024/s.csv": "special_file",
        }


def test_links_out_of_raw_and_to_folders_are_warnings_and_nothing_outside_is_read(raw, tmp_path):
    outside = tmp_path / "outside"
    write_good(outside / "secret.txt", 9)
    (raw / "2024" / "secret.txt").symlink_to(outside / "secret.txt")
    (raw / "2025").symlink_to(outside, target_is_directory=True)
    (raw / "2024" / "again").symlink_to(raw / "2024", target_is_directory=True)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        outcome = _stage(con, raw)
        assert outcome.loaded == []
        assert _issues(con) == {
            "2024/secret.txt": ("outside_raw", "warning", ""),
            "2025": ("outside_raw", "warning", ""),
            "2024/again": ("linked_folder", "warning", ""),
        }
        assert con.execute("select count(*) from landing.projects").fetchone() == (0,)
        message = con.execute("select message from landing.load_issues where source_path = '2024/secret.txt'").fetchone()[0]
        assert "files outside raw/ are never read" in message


@needs_permissions
def test_an_unreadable_folder_and_file_are_reported_and_fixing_them_loads_their_tables(raw, tmp_path):
    write_good(raw / "2024" / "good.txt", 1)
    write_good(raw / "2024" / "locked" / "inside.txt", 2)
    lock(write_good(raw / "2024" / "locked.txt", 3))
    lock(raw / "2024" / "locked")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        first = _stage(con, raw)
        assert first.loaded == ["2024/good.txt"]
        assert first.quarantined == ["2024/locked.txt"]
        issues = _issues(con)
        assert issues["2024/locked"][:2] == ("unreadable_folder", "error")
        assert issues["2024/locked.txt"][:2] == ("unreadable", "error")
        message = con.execute("select message from landing.load_issues where source_path = '2024/locked.txt'").fetchone()[0]
        assert "Permission denied" in message

        os.chmod(raw / "2024" / "locked", 0o755)
        os.chmod(raw / "2024" / "locked.txt", 0o644)
        second = _stage(con, raw)
        assert second.loaded == ["2024/locked.txt", "2024/locked/inside.txt"]
        assert _issues(con) == {}, "fixed entries leave load_issues"
        assert con.execute("select count(distinct department_name) from landing.projects").fetchone() == (3,)


def test_discovery_issues_leave_when_the_entry_is_fixed_or_removed(raw, tmp_path):
    write_good(raw / "2024" / "good.txt", 1)
    (raw / "2024" / "later.txt").symlink_to("target.txt")  # dangling until the target arrives
    os.mkfifo(raw / "2024" / "pipe.txt")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        first = _stage(con, raw)
        assert set(_issues(con)) == {"2024/later.txt", "2024/pipe.txt"}
        assert first.changed
        assert not _stage(con, raw).changed, "the same problems again: nothing to publish"

        write_good(raw / "2024" / "target.txt", 2)
        (raw / "2024" / "pipe.txt").unlink()
        second = _stage(con, raw)
        assert second.changed
        assert _issues(con) == {"2024/later.txt": ("conflict", "error", second_sha(con, "2024/later.txt")),
                                "2024/target.txt": ("conflict", "error", second_sha(con, "2024/target.txt"))}

        (raw / "2024" / "later.txt").unlink()
        third = _stage(con, raw)
        assert sorted(third.loaded) == ["2024/target.txt"]
        assert _issues(con) == {}


def second_sha(con, path: str) -> str:
    return con.execute("select source_sha256 from landing.raw_files where source_path = ?", [path]).fetchone()[0]


@pytest.mark.parametrize(
    ("name", "make", "measured"),
    [
        ("bomb.xlsx", lambda path: path.write_bytes(zip_bomb()), "310.0 MiB"),
        ("far.xlsx", lambda path: path.write_bytes(far_cell_workbook()), "1,048,576 rows × 16,384 columns"),
        ("huge.txt", huge_text_file, "32.0 MiB"),
    ],
    ids=["zip-bomb", "far-cell", "huge-text"],
)
def test_a_file_over_a_limit_is_too_large_with_its_measured_size(raw, name, make, measured):
    path = raw / "2024" / name
    make(path)
    with pytest.raises(TableError) as raised:
        read_grids(path)
    assert raised.value.category.value == "too_large"
    assert measured in raised.value.message


def test_control_characters_in_names_are_kept_exactly_in_the_warehouse(raw, tmp_path):
    name = "a\nb\x1b[31m\u202ec.txt"
    write_good(raw / "2024" / name, 1)
    (raw / "2024" / f"dangling\x07{name}").symlink_to("nowhere")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        outcome = _stage(con, raw)
        assert outcome.loaded == [f"2024/{name}"]
        assert set(_issues(con)) == {f"2024/dangling\x07{name}"}
        described = [issue.describe() for issue in outcome.issues]
    [line] = described
    assert line == (
        "error: 2024/dangling\\x07a\\nb\\x1b[31m\\u202ec.txt: dangling symbolic link (→ nowhere): "
        "its target does not exist; remove the link or restore its target [dangling_symlink]"
    )


@needs_permissions
def test_an_unreadable_raw_dir_raises_rather_than_removing_every_file(raw):
    write_good(raw / "2024" / "good.txt", 1)
    lock(raw)
    with as_ordinary_owner(), pytest.raises(PermissionError, match="cannot be listed"):
        scan_raw_dir(raw)


def _forge_sizes(data: bytes, member: str, size: int) -> bytes:
    """The zip with `member`'s uncompressed size written as `size` in its local and central headers."""
    forged = bytearray(data)
    name = member.encode()
    for signature, size_offset, name_offset in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := forged.find(signature, start)) != -1:
            if forged[start + name_offset:start + name_offset + len(name)] == name:
                forged[start + size_offset:start + size_offset + 4] = size.to_bytes(4, "little")
            start += 4
    return bytes(forged)


def test_a_zip_bomb_declaring_small_sizes_is_measured_by_unpacking_never_trusted():
    from pipelines.ingest import limits

    forged = _forge_sizes(zip_bomb(), "xl/worksheets/sheet1.xml", 1_000)
    with pytest.raises(TableError) as raised:
        limits.check_archive(forged)
    # Unpacking stops at the declared size and the checksum no longer matches: a damaged archive,
    # refused before calamine (which may trust or ignore the sizes) sees a byte of it.
    assert raised.value.category.value in ("too_large", "unreadable"), raised.value.message
