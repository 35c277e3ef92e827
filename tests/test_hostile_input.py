"""Hostile names and paths (docs/reliability.md, "Hostile input"): names made of SQL, quotes,
control characters, line breaks and 10,000 characters are stored as data and never executed;
symlinks out of raw/ are not followed; hidden and temporary files are skipped.

The end-to-end tests read the session's `hostile_load` (tests/support/hostile.py); the discovery
tests run `discover_raw_files` alone.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipelines.load import discover
from pipelines.load.discover import discover_raw_files
from tests.support import hostile
from tests.support.cli import query

MARTS = ("budget_by_project", "indicator_counts_by_category", "department_comparison", "load_issues")


@pytest.fixture(scope="module")
def loaded(hostile_load):
    assert hostile_load.succeeded, "the load of the hostile raw/ failed"
    return hostile_load.database


@pytest.mark.slow
def test_every_mart_and_landing_table_survives(loaded):
    tables = query(loaded, "select table_schema || '.' || table_name from information_schema.tables")
    present = {name for (name,) in tables}
    assert {f"marts.{mart}" for mart in MARTS} <= present
    assert {"landing.projects", "landing.indicators", "landing.raw_files"} <= present
    assert query(loaded, "select count(*) from landing.indicators")[0][0] > 0


@pytest.mark.slow
@pytest.mark.parametrize("table", hostile.LOADED, ids=lambda t: repr(t.file_name)[:30])
def test_hostile_names_round_trip_as_data(loaded, table):
    rows = query(
        loaded,
        "select unit_name, project_name from marts.budget_by_project where department_name = ? "
        "order by project_name",
        [table.department],
    )
    assert rows == sorted((table.unit, name) for name in table.stored_project_names())
    files = query(
        loaded, "select source_path from landing.department_tables where department_name = ?", [table.department]
    )
    assert files == [(f"2024/{table.file_name}",)]


@pytest.mark.slow
def test_a_department_total_still_equals_its_projects_for_every_hostile_name(loaded):
    mismatches = query(
        loaded,
        "select d.department_name from marts.department_comparison d "
        "join (select fiscal_year, department_name, sum(total_amount) as total "
        "      from marts.budget_by_project group by all) p using (fiscal_year, department_name) "
        "where d.total_amount <> p.total",
    )
    assert mismatches == []
    assert query(loaded, "select count(*) from marts.department_comparison")[0][0] == 1 + len(hostile.LOADED) + 1


@pytest.mark.slow
def test_a_line_break_in_the_department_name_quarantines_the_file_by_its_exact_name(loaded):
    issues = query(
        loaded, "select category, message from marts.load_issues where source_path = ?",
        [f"2024/{hostile.QUARANTINED.file_name}"],
    )
    assert [category for category, _ in issues] == ["not_a_target_table"]
    assert "部门名称" in issues[0][1]


@pytest.mark.slow
def test_a_file_name_that_is_not_utf8_loads_under_an_escaped_name(loaded):
    rows = query(
        loaded, "select department_name from landing.department_tables where source_path = ?",
        [hostile.UNDECODABLE_SOURCE_PATH],
    )
    assert rows == [("非UTF-8文件名的部门",)]


@pytest.mark.slow
def test_nothing_outside_raw_and_no_skipped_file_reaches_the_warehouse(loaded):
    read = {path for (path,) in query(loaded, "select source_path from landing.raw_files")}
    assert not any("outside" in path or "linked-folder" in path for path in read)
    # Links out of raw/ are never read, but reported as warnings saying why (issue 17).
    reported = dict(query(loaded, "select source_path, category from marts.load_issues where source_sha256 = ''"))
    assert reported == {"2024/link-to-outside.csv": "outside_raw", "2024/linked-folder": "outside_raw"}
    paths = read | {path for (path,) in query(loaded, "select source_path from marts.load_issues")}
    assert not any(Path(path).name in hostile.SKIPPED_NAMES for path in paths)
    departments = {name for (name,) in query(loaded, "select department_name from landing.department_tables")}
    assert hostile.OUTSIDE_DEPARTMENT not in departments
    assert not any(name.startswith("不应加载") for name in departments)


# --- discovery alone ------------------------------------------------------------------------------


def _touch(path: Path, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _discovered(raw: Path) -> list[str]:
    return [f.source_path for f in discover_raw_files(raw)]


@pytest.mark.parametrize(
    "name", ["~$x.xlsx", "~x.txt", ".~lock.x.csv", ".hidden.txt", "x.txt.partial", "x.partial",
             "x.csv.tmp", "x.xlsx.crdownload", "x.txt.swp", "x.txt.bak", "x.part", "notes.md", "x.odt"],
)
def test_temporary_hidden_and_foreign_files_are_skipped(tmp_path, name):
    _touch(tmp_path / "2024" / name)
    _touch(tmp_path / "2024" / "a.txt")
    assert _discovered(tmp_path) == ["2024/a.txt"]


def test_hidden_folders_are_not_entered(tmp_path):
    _touch(tmp_path / ".git" / "a.txt")
    _touch(tmp_path / "2024" / ".cache" / "b.csv")
    _touch(tmp_path / "2024" / "c.xlsx")
    assert _discovered(tmp_path) == ["2024/c.xlsx"]


def test_symlinks_out_of_raw_are_not_followed_but_links_within_it_are(tmp_path):
    raw, outside = tmp_path / "raw", tmp_path / "outside"
    _touch(outside / "secret.txt")
    _touch(raw / "2024" / "a.txt")
    (raw / "2024" / "to-file.txt").symlink_to(outside / "secret.txt")
    (raw / "2024" / "to-folder").symlink_to(outside, target_is_directory=True)
    (raw / "2024" / "relative.txt").symlink_to(Path("..") / ".." / "outside" / "secret.txt")
    (raw / "2024" / "chain.txt").symlink_to(raw / "2024" / "to-file.txt")
    (raw / "2024" / "within.txt").symlink_to(raw / "2024" / "a.txt")
    (raw / "2024" / "dangling.txt").symlink_to(raw / "2024" / "missing.txt")
    assert _discovered(raw) == ["2024/a.txt", "2024/within.txt"]


def test_a_raw_dir_reached_through_a_symlink_is_read(tmp_path):
    _touch(tmp_path / "real" / "2024" / "a.txt")
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    assert _discovered(tmp_path / "link") == ["2024/a.txt"]


def test_hostile_file_names_are_discovered_as_text(tmp_path):
    names = ["x'; drop table landing.projects; --.txt", 'a"b\\c.csv', "line\nbreak.txt", "ctl\x01\x1b.csv"]
    for name in names:
        _touch(tmp_path / "2024" / name)
    _touch(Path(os.fsdecode(os.fsencode(tmp_path / "2024") + b"/gbk\xc4\xe3.txt")))
    discovered = _discovered(tmp_path)
    assert sorted(discovered) == sorted([*(f"2024/{n}" for n in names), "2024/gbk\\xc4\\xe3.txt"])
    assert all(path.encode("utf-8") for path in discovered)  # storable: no surrogate escapes


def test_special_files_are_not_read(tmp_path):
    (tmp_path / "2024").mkdir()
    os.mkfifo(tmp_path / "2024" / "pipe.txt")  # reading it would block the load forever
    assert _discovered(tmp_path) == []


def test_a_file_that_vanishes_during_discovery_is_left_out(tmp_path, monkeypatch):
    _touch(tmp_path / "2024" / "a.txt")
    _touch(tmp_path / "2024" / "b.txt")
    real_hash = discover._hash_regular_file

    def hash_file(path: Path):
        if path.name == "b.txt":
            path.unlink()  # removed between the listing and the read, as a finishing download is
        return real_hash(path)

    monkeypatch.setattr(discover, "_hash_regular_file", hash_file)
    assert _discovered(tmp_path) == ["2024/a.txt"]
