"""The Parquet copies as folders of department buckets, rewritten only where a mart's rows changed.

A small warehouse with the marts' shape (department_id, department_name, fiscal_year, money as
DECIMAL(18,2), a load issue without a department) stands in for a load's: each test changes its
marts as a load would and checks which bucket files the export rewrote (a rewritten file is a new
inode, by the rename into place) and that the folder reads back as the mart, row for row.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines.defs.project import ensure_manifest
from pipelines.warehouse import mart_changes, parquet_buckets, parquet_export
from pipelines.warehouse.mart_changes import MartChanges

DEPARTMENTS = [f"某区第{n}局" for n in range(120)]


def _build(database: Path, departments: list[str], *, order: str = "asc") -> None:
    """The marts of a warehouse holding these departments, rebuilt from scratch as dbt would."""
    with duckdb.connect(str(database)) as con:
        con.execute("create schema if not exists marts")
        con.execute(
            f"""
            create or replace table marts.budget_by_project as
            select md5(d) as department_id, d as department_name, 2024 as fiscal_year,
                   d || '项目' || p as project_name, (length(d) * 100 + p + 0.25)::decimal(18,2) as total_amount
            from unnest($departments::varchar[]) as t(d), range(3) as r(p)
            order by d {order}, p
            """,
            {"departments": departments},
        )
        con.execute(
            """
            create or replace table marts.department_comparison as
            select department_id, department_name, fiscal_year, sum(total_amount)::decimal(18,2) as total_amount,
                   rank() over (order by sum(total_amount) desc, department_id) as rank_by_total_amount
            from marts.budget_by_project group by department_id, department_name, fiscal_year
            """
        )
        con.execute(
            """
            create or replace table marts.load_issues as
            select null::varchar as department_id, null::varchar as department_name, null::integer as fiscal_year,
                   '2024/broken.txt' as source_path, 'unreadable' as category
            """
        )
        con.execute(
            "create or replace table marts.project_evaluation as "
            "select department_id, department_name, fiscal_year, total_amount as executed from marts.budget_by_project limit 0"
        )


# A few departments' buckets by docs/warehouse.md's rule (DuckDB's hash(department_id) % 64; the
# department_id here is md5 of the name), worked out once and written down.
KNOWN_BUCKETS = {"某区第0局": 35, "某区第7局": 19, "某区第11局": 40, "新设立的局": 12, "新设立的第0局": 40}


def _bucket(department: str) -> int:
    """The documented rule, written out here rather than taken from the code under test."""
    with duckdb.connect() as con:
        return con.execute("select hash(md5(?)) % 64", [department]).fetchone()[0]


def test_the_documented_rule_gives_the_buckets_written_down():
    assert {department: _bucket(department) for department in KNOWN_BUCKETS} == KNOWN_BUCKETS


def test_each_departments_rows_are_in_the_file_of_its_known_bucket(warehouse):
    _build(warehouse, [*DEPARTMENTS, "新设立的局"])
    parquet_export.export_marts(warehouse)
    folder = parquet_export.parquet_dir(warehouse) / "budget_by_project"
    with duckdb.connect() as con:
        files = dict(con.execute(
            "select department_name, list(distinct parse_filename(filename)) from read_parquet(?, filename = true) "
            "group by department_name", [str(folder / "*.parquet")],
        ).fetchall())
    assert {department: files[department] for department in KNOWN_BUCKETS if department in files} == {
        "某区第0局": ["part-35.parquet"], "某区第7局": ["part-19.parquet"], "某区第11局": ["part-40.parquet"],
        "新设立的局": ["part-12.parquet"],
    }


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    """Each bucket file's inode and mtime: a file rewritten and renamed into place changes them."""
    return {path.name: (path.stat().st_ino, path.stat().st_mtime_ns) for path in sorted(folder.glob("*.parquet"))}


def _rewritten(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> set[str]:
    return {name for name, inode in after.items() if before.get(name) != inode}


def _assert_folder_equals_mart(database: Path, folder: Path, mart: str) -> None:
    with duckdb.connect(str(database), read_only=True) as con:
        table = con.sql(f'select * from marts."{mart}"')
        copy = con.sql("select * from read_parquet(?)", params=[str(folder / "*.parquet")])
        assert (copy.columns, copy.types) == (table.columns, table.types), mart
        # except all, both ways: a row missing, added or duplicated in the copy counts.
        ((missing,),) = con.execute(
            f'select count(*) from (select * from marts."{mart}" except all select * from read_parquet(?))',
            [str(folder / "*.parquet")],
        ).fetchall()
        ((extra,),) = con.execute(
            f'select count(*) from (select * from read_parquet(?) except all select * from marts."{mart}")',
            [str(folder / "*.parquet")],
        ).fetchall()
        assert (missing, extra) == (0, 0), mart


@pytest.fixture
def warehouse(tmp_path) -> Path:
    database = tmp_path / "warehouse" / "budget.duckdb"
    database.parent.mkdir()
    _build(database, DEPARTMENTS)
    parquet_export.export_marts(database)
    return database


def test_the_folders_read_back_as_the_marts_row_for_row_with_their_types(warehouse):
    target = parquet_export.parquet_dir(warehouse)
    assert sorted(p.name for p in target.iterdir()) == [
        "budget_by_project", "department_comparison", "load_issues", "project_evaluation"
    ]
    for mart in ("budget_by_project", "department_comparison", "load_issues", "project_evaluation"):
        _assert_folder_equals_mart(warehouse, target / mart, mart)
    frame = pd.read_parquet(target / "budget_by_project")  # the folder, as pandas/pyarrow read it
    assert len(frame) == 3 * len(DEPARTMENTS)
    assert str(frame.loc[frame.project_name == "某区第7局项目2", "total_amount"].item()) == "502.25"
    assert _files(target / "load_issues") == {"part-00.parquet": _files(target / "load_issues")["part-00.parquet"]}, (
        "a row without a department_id is in bucket 00"
    )


def test_an_empty_mart_keeps_one_empty_file_with_its_columns(warehouse):
    folder = parquet_export.parquet_dir(warehouse) / "project_evaluation"
    assert list(_files(folder)) == ["part-00.parquet"]
    with duckdb.connect() as con:
        relation = con.sql("select * from read_parquet(?)", params=[str(folder / "*.parquet")])
        assert relation.fetchall() == []
        assert [str(kind) for kind in relation.types] == ["VARCHAR", "VARCHAR", "INTEGER", "DECIMAL(18,2)"]


def test_adding_a_department_rewrites_only_its_bucket(warehouse):
    folder = parquet_export.parquet_dir(warehouse) / "budget_by_project"
    before = _files(folder)
    _build(warehouse, [*DEPARTMENTS, "新设立的局"])
    exports = parquet_export.export_marts(warehouse)
    assert _rewritten(before, _files(folder)) == {parquet_buckets.part_name(_bucket("新设立的局"))}
    assert (exports["budget_by_project"].written, exports["load_issues"].written) == (1, 0)
    assert exports["budget_by_project"].rows == 3 * (len(DEPARTMENTS) + 1)
    for mart in ("budget_by_project", "department_comparison"):  # the ranks moved for every department
        _assert_folder_equals_mart(warehouse, folder.parent / mart, mart)


def test_a_full_rebuild_with_the_same_rows_rewrites_nothing(warehouse):
    target = parquet_export.parquet_dir(warehouse)
    before = {mart: _files(target / mart) for mart in ("budget_by_project", "department_comparison", "load_issues")}
    _build(warehouse, list(reversed(DEPARTMENTS)), order="desc")  # same rows, another order
    exports = parquet_export.export_marts(warehouse)
    assert {mart: export.written for mart, export in exports.items()} == dict.fromkeys(exports, 0)
    assert {mart: _files(target / mart) for mart in before} == before
    assert parquet_export.is_current(warehouse), "the manifests now name the rebuilt file"


def test_a_removed_department_leaves_and_its_emptied_bucket_file_is_deleted(warehouse):
    folder = parquet_export.parquet_dir(warehouse) / "budget_by_project"
    buckets = [_bucket(department) for department in DEPARTMENTS]
    alone = next(d for d, b in zip(DEPARTMENTS, buckets, strict=True) if buckets.count(b) == 1)
    shared = next(d for d, b in zip(DEPARTMENTS, buckets, strict=True) if buckets.count(b) > 1)
    before = _files(folder)
    _build(warehouse, [d for d in DEPARTMENTS if d not in (alone, shared)])
    exports = parquet_export.export_marts(warehouse)
    after = _files(folder)
    assert parquet_buckets.part_name(_bucket(alone)) not in after
    assert _rewritten(before, after) == {parquet_buckets.part_name(_bucket(shared))}
    assert (exports["budget_by_project"].written, exports["budget_by_project"].removed) == (1, 1)
    _assert_folder_equals_mart(warehouse, folder, "budget_by_project")
    manifest = json.loads((folder / parquet_buckets.MANIFEST).read_text(encoding="utf-8"))
    assert sorted(manifest["parts"]) == sorted(after)


def test_a_deleted_bucket_file_is_written_again_and_the_folder_is_no_longer_current(warehouse):
    folder = parquet_export.parquet_dir(warehouse) / "budget_by_project"
    before = _files(folder)
    victim = sorted(before)[3]
    (folder / victim).unlink()
    assert not parquet_export.is_current(warehouse)
    exports = parquet_export.export_marts(warehouse)
    assert exports["budget_by_project"].written == 1
    assert _rewritten(before, _files(folder)) == {victim}
    assert parquet_export.is_current(warehouse)
    _assert_folder_equals_mart(warehouse, folder, "budget_by_project")


@pytest.mark.parametrize("damage", ["not json", "another bucket count", "no manifest"])
def test_a_manifest_that_cannot_vouch_for_the_files_rewrites_the_mart_whole(warehouse, damage):
    folder = parquet_export.parquet_dir(warehouse) / "budget_by_project"
    manifest = folder / parquet_buckets.MANIFEST
    if damage == "not json":
        manifest.write_text('{"layout": 1, "parts": {"part-0', encoding="utf-8")
    elif damage == "another bucket count":
        manifest.write_text(json.dumps({**json.loads(manifest.read_text(encoding="utf-8")), "buckets": 32}), encoding="utf-8")
    else:
        manifest.unlink()
    before = _files(folder)
    exports = parquet_export.export_marts(warehouse)
    assert exports["budget_by_project"].written == len(before)
    assert _rewritten(before, _files(folder)) == set(before)
    assert json.loads(manifest.read_text(encoding="utf-8"))["buckets"] == parquet_buckets.BUCKETS
    _assert_folder_equals_mart(warehouse, folder, "budget_by_project")


def test_a_changed_column_type_rewrites_the_mart_whole(warehouse):
    folder = parquet_export.parquet_dir(warehouse) / "department_comparison"
    before = _files(folder)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("alter table marts.department_comparison alter rank_by_total_amount type integer")
    exports = parquet_export.export_marts(warehouse)
    assert exports["department_comparison"].written == len(before)
    _assert_folder_equals_mart(warehouse, folder, "department_comparison")


def test_the_old_single_file_copies_a_dropped_mart_and_half_written_files_are_removed(warehouse):
    target = parquet_export.parquet_dir(warehouse)
    (target / "budget_by_project.parquet").write_bytes(b"PAR1 the copy of the layout before buckets")
    (target / "dropped_mart.parquet").write_bytes(b"PAR1 a mart no longer built")
    (target / ".budget_by_project.4242.parquet.partial").write_bytes(b"PAR1 cut short")
    (target / "load_issues" / ".part-00.parquet.4242.partial").write_bytes(b"PAR1 cut short")
    (target / "budget_by_project" / ".partitioned.4242" / "__bucket=3").mkdir(parents=True)
    dropped = target / "target_achievement"
    dropped.mkdir()
    (dropped / "part-00.parquet").write_bytes(b"PAR1")
    (dropped / parquet_buckets.MANIFEST).write_text("{}", encoding="utf-8")
    assert not parquet_export.is_current(warehouse), "the single-file copy is stale"
    parquet_export.export_marts(warehouse)
    assert sorted(p.name for p in target.iterdir()) == [
        "budget_by_project", "department_comparison", "load_issues", "project_evaluation"
    ]
    for mart in ("budget_by_project", "load_issues"):
        assert sorted(p.name for p in (target / mart).iterdir() if p.name.startswith(".")) == [], mart
    assert parquet_export.is_current(warehouse)


def test_is_current_names_the_published_file_the_export_read(warehouse):
    assert parquet_export.is_current(warehouse)
    with duckdb.connect(str(warehouse)) as con:  # a publish: the same marts, a newer file
        con.execute("create or replace table marts.load_issues as select * from marts.load_issues")
    os.utime(warehouse, ns=(warehouse.stat().st_atime_ns, warehouse.stat().st_mtime_ns + 1))
    assert not parquet_export.is_current(warehouse)
    assert parquet_export.export_marts(warehouse)["load_issues"].written == 0
    assert parquet_export.is_current(warehouse)


def test_a_mart_without_department_id_is_one_bucket(warehouse):
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create table marts.fiscal_years as select 2023 + n as fiscal_year, (n * 1.5)::decimal(18,2) as total from range(3) as r(n)")
    exports = parquet_export.export_marts(warehouse)
    folder = parquet_export.parquet_dir(warehouse) / "fiscal_years"
    assert (exports["fiscal_years"].rows, list(_files(folder))) == (3, ["part-00.parquet"])
    _assert_folder_equals_mart(warehouse, folder, "fiscal_years")


def test_an_export_killed_between_bucket_files_is_put_right_even_when_the_rows_change_back(warehouse):
    folder = parquet_export.parquet_dir(warehouse) / "budget_by_project"
    occupied = {_bucket(d) for d in DEPARTMENTS}
    candidates = [f"新设立的第{n}局" for n in range(200)]
    first = next(d for d in candidates if _bucket(d) in occupied and _bucket(d) < 60)  # shares its bucket
    second = next(d for d in candidates if _bucket(d) > _bucket(first))  # written after the first
    _build(warehouse, [*DEPARTMENTS, first, second])
    obstacle = folder / parquet_buckets.part_name(_bucket(second))
    obstacle.unlink(missing_ok=True)
    obstacle.mkdir()  # its rename fails, as a kill between the two bucket files would stop the export
    (obstacle / "in the way").write_bytes(b"")
    with pytest.raises(OSError):
        parquet_export.export_marts(warehouse)
    obstacle.joinpath("in the way").unlink()
    obstacle.rmdir()
    _build(warehouse, DEPARTMENTS)  # the next load removes both departments: the first bucket's rows are as before
    parquet_export.export_marts(warehouse)
    _assert_folder_equals_mart(warehouse, folder, "budget_by_project")
    with duckdb.connect() as con:
        names = con.execute("select distinct department_name from read_parquet(?)", [str(folder / "*.parquet")]).fetchall()
    assert (first,) not in names


# After an incremental build: only the changed departments' buckets are checked
# (pipelines/warehouse/mart_changes.py says which marts and departments a build changed).

NARROWED = frozenset({"budget_by_project", "project_evaluation"})  # incremental marts; not department_comparison


def _changed(since: dict[str, int], *departments: str, marts: frozenset[str] = NARROWED) -> MartChanges:
    return MartChanges(since=since, department_ids=frozenset(_id(d) for d in departments), marts=marts)


def _id(department: str) -> str:
    with duckdb.connect() as con:
        return con.execute("select md5(?)", [department]).fetchone()[0]


def _assert_every_folder_equals_its_mart(database: Path) -> None:
    target = parquet_export.parquet_dir(database)
    for mart in ("budget_by_project", "department_comparison", "load_issues", "project_evaluation"):
        _assert_folder_equals_mart(database, target / mart, mart)


@pytest.mark.parametrize("change", ["added", "removed", "changed"])
def test_an_incremental_build_checks_and_rewrites_only_the_changed_departments_bucket(warehouse, change):
    folder = parquet_export.parquet_dir(warehouse) / "budget_by_project"
    since = parquet_export.published_identity(warehouse)
    before = _files(folder)
    department = "新设立的局" if change == "added" else DEPARTMENTS[7]
    if change == "added":
        _build(warehouse, [*DEPARTMENTS, department])
    elif change == "removed":
        _build(warehouse, [d for d in DEPARTMENTS if d != department])
    else:
        _build(warehouse, DEPARTMENTS)
        with duckdb.connect(str(warehouse)) as con:
            con.execute("update marts.budget_by_project set total_amount = total_amount + 1 where department_name = ?", [department])
    exports = parquet_export.export_marts(warehouse, changed=_changed(since, department))
    after = _files(folder)
    bucket = parquet_buckets.part_name(_bucket(department))
    assert exports["budget_by_project"].checked == 1, "one bucket's checksum computed, not 64"
    assert exports["department_comparison"].checked == parquet_buckets.BUCKETS, "a table mart: every bucket"
    assert _rewritten(before, after) == ({bucket} if bucket in after else set())
    assert set(before) - set(after) == (set() if bucket in after else {bucket})
    _assert_every_folder_equals_its_mart(warehouse)
    assert parquet_export.is_current(warehouse)


@pytest.mark.parametrize("change", ["added", "removed", "changed"])
def test_a_patched_bucket_records_the_checksum_a_full_export_computes_from_the_mart(warehouse, change, monkeypatch):
    """A narrowed export writes a touched bucket from its old file and the changed departments'
    rows, and takes its checksum from the new file: a full export must then find nothing to do."""
    scanned: dict[str, list[int]] = {}  # the buckets written by a scan of the mart, per folder
    write_buckets = parquet_buckets._write_buckets

    def recording(con, relation, folder, buckets):
        scanned[folder.name] = list(buckets)
        return write_buckets(con, relation, folder, buckets)

    monkeypatch.setattr(parquet_buckets, "_write_buckets", recording)
    since = parquet_export.published_identity(warehouse)
    candidates = [f"新设立的第{n}局" for n in range(200)] if change == "added" else DEPARTMENTS
    # A department whose bucket holds another one, whose rows the patched file must keep.
    department, neighbour = next(
        (d, other) for d in candidates for other in DEPARTMENTS if other != d and _bucket(other) == _bucket(d)
    )
    if change == "removed":
        _build(warehouse, [d for d in DEPARTMENTS if d != department])
    else:
        _build(warehouse, [*DEPARTMENTS, department] if change == "added" else DEPARTMENTS)
    if change == "changed":
        with duckdb.connect(str(warehouse)) as con:
            con.execute("update marts.budget_by_project set total_amount = total_amount + 1 where department_name = ?", [department])
    parquet_export.export_marts(warehouse, changed=_changed(since, department))
    assert scanned["budget_by_project"] == [], "the touched bucket is patched, not written from a scan of the mart"
    _assert_every_folder_equals_its_mart(warehouse)
    folder = parquet_export.parquet_dir(warehouse) / "budget_by_project"
    with duckdb.connect() as con:  # the bucket's other departments kept their rows
        kept = con.execute(
            "select count(*) from read_parquet(?) where department_name = ?",
            [str(folder / parquet_buckets.part_name(_bucket(department))), neighbour],
        ).fetchone()[0]
    assert kept == 3
    before = _files(folder)
    exports = parquet_export.export_marts(warehouse, changed=None)
    assert exports["budget_by_project"].checked == parquet_buckets.BUCKETS
    assert exports["budget_by_project"].written == 0, "the patched file's checksum is the mart's"
    assert _rewritten(before, _files(folder)) == set()


def test_a_department_renamed_under_an_alias_keeps_its_bucket_and_its_rows_are_rewritten(warehouse):
    folder = parquet_export.parquet_dir(warehouse) / "budget_by_project"
    since = parquet_export.published_identity(warehouse)
    before = _files(folder)
    with duckdb.connect(str(warehouse)) as con:  # one department_id, a new name (an alias, or （本级）)
        con.execute(
            "update marts.budget_by_project set department_name = department_name || '（本级）' where department_id = ?",
            [_id(DEPARTMENTS[11])],
        )
    exports = parquet_export.export_marts(warehouse, changed=_changed(since, DEPARTMENTS[11]))
    assert exports["budget_by_project"].checked == 1
    assert _rewritten(before, _files(folder)) == {parquet_buckets.part_name(_bucket(DEPARTMENTS[11]))}
    _assert_every_folder_equals_its_mart(warehouse)


def test_a_full_rebuild_with_no_changed_departments_known_checks_every_bucket(warehouse):
    folder = parquet_export.parquet_dir(warehouse) / "budget_by_project"
    before = _files(folder)
    renamed = [f"{d}（新）" for d in DEPARTMENTS[:40]] + DEPARTMENTS[40:]
    _build(warehouse, renamed)  # the dbt step passes no changes after a full rebuild
    exports = parquet_export.export_marts(warehouse, changed=None)
    assert exports["budget_by_project"].checked == parquet_buckets.BUCKETS
    assert _rewritten(before, _files(folder)), "the renamed departments' buckets"
    _assert_every_folder_equals_its_mart(warehouse)


def test_a_deleted_bucket_file_outside_the_change_takes_the_full_path(warehouse):
    folder = parquet_export.parquet_dir(warehouse) / "budget_by_project"
    since = parquet_export.published_identity(warehouse)
    _build(warehouse, [*DEPARTMENTS, "新设立的局"])
    victim = next(name for name in sorted(_files(folder)) if name != parquet_buckets.part_name(_bucket("新设立的局")))
    (folder / victim).unlink()
    exports = parquet_export.export_marts(warehouse, changed=_changed(since, "新设立的局"))
    assert exports["budget_by_project"].checked == parquet_buckets.BUCKETS
    assert exports["budget_by_project"].written == 2
    _assert_every_folder_equals_its_mart(warehouse)


def test_a_bucket_file_of_another_size_outside_the_change_takes_the_full_path(warehouse):
    folder = parquet_export.parquet_dir(warehouse) / "budget_by_project"
    since = parquet_export.published_identity(warehouse)
    victim = min(_files(folder))
    with duckdb.connect() as con:  # another bucket's rows in its place: a valid file, another size
        con.execute(f"copy (select * from read_parquet(?) limit 1) to '{folder / '.swap.parquet'}' (format parquet)", [str(folder / victim)])
    os.replace(folder / ".swap.parquet", folder / victim)
    exports = parquet_export.export_marts(warehouse, changed=_changed(since, "新设立的局"))
    assert exports["budget_by_project"].checked == parquet_buckets.BUCKETS
    _assert_every_folder_equals_its_mart(warehouse)


def test_a_manifest_exported_from_an_older_file_takes_the_full_path(warehouse):
    """A crash between a publish and its export: the next build's change is not all that differs."""
    folder = parquet_export.parquet_dir(warehouse) / "budget_by_project"
    _build(warehouse, [*DEPARTMENTS, "第一次新设的局"])  # published, never exported
    os.utime(warehouse, ns=(warehouse.stat().st_atime_ns, warehouse.stat().st_mtime_ns + 7))
    since = parquet_export.published_identity(warehouse)
    _build(warehouse, [*DEPARTMENTS, "第一次新设的局", "第二次新设的局"])
    exports = parquet_export.export_marts(warehouse, changed=_changed(since, "第二次新设的局"))
    assert exports["budget_by_project"].checked == parquet_buckets.BUCKETS
    _assert_every_folder_equals_its_mart(warehouse)
    with duckdb.connect() as con:
        names = con.execute("select distinct department_name from read_parquet(?)", [str(folder / "*.parquet")]).fetchall()
    assert ("第一次新设的局",) in names


def test_an_export_killed_half_way_is_repaired_by_the_next_narrowed_one(warehouse):
    folder = parquet_export.parquet_dir(warehouse) / "budget_by_project"
    since = parquet_export.published_identity(warehouse)
    candidates = [f"新设立的第{n}局" for n in range(200)]
    first = candidates[0]
    second = next(d for d in candidates if _bucket(d) > _bucket(first))  # written after the first
    _build(warehouse, [*DEPARTMENTS, first, second])
    obstacle = folder / parquet_buckets.part_name(_bucket(second))
    obstacle.unlink(missing_ok=True)
    obstacle.mkdir()  # its rename fails, as a kill between the two bucket files would stop the export
    with pytest.raises(OSError):
        parquet_export.export_marts(warehouse, changed=_changed(since, first, second))
    obstacle.rmdir()
    killed_source = parquet_export.published_identity(warehouse)
    assert json.loads((folder / parquet_buckets.MANIFEST).read_text(encoding="utf-8"))["source"] is None
    _build(warehouse, [*DEPARTMENTS, second])  # the next load removes the first again
    exports = parquet_export.export_marts(warehouse, changed=_changed(killed_source, first))
    assert exports["budget_by_project"].checked == parquet_buckets.BUCKETS, "the manifest names no source"
    _assert_every_folder_equals_its_mart(warehouse)
    later = parquet_export.published_identity(warehouse)
    _build(warehouse, DEPARTMENTS)
    exports = parquet_export.export_marts(warehouse, changed=_changed(later, second))
    assert exports["budget_by_project"].checked == 1, "repaired: narrowed again"
    _assert_every_folder_equals_its_mart(warehouse)


def test_an_empty_mart_that_gains_rows_loses_its_empty_file(warehouse):
    folder = parquet_export.parquet_dir(warehouse) / "project_evaluation"
    since = parquet_export.published_identity(warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "insert into marts.project_evaluation select department_id, department_name, fiscal_year, total_amount "
            "from marts.budget_by_project where department_name = ?",
            [DEPARTMENTS[3]],
        )
    exports = parquet_export.export_marts(warehouse, changed=_changed(since, DEPARTMENTS[3]))
    assert exports["project_evaluation"].checked == 1
    assert list(_files(folder)) == [parquet_buckets.part_name(_bucket(DEPARTMENTS[3]))]
    _assert_every_folder_equals_its_mart(warehouse)


def test_the_marts_a_build_can_narrow_are_the_incremental_ones_built_from_the_row_tables():
    manifest = json.loads(ensure_manifest().read_text(encoding="utf-8"))
    assert mart_changes.narrowable_marts(manifest) == {
        "budget_by_project": "files",
        "indicator_targets": "files",
        "target_achievement": "departments",
        "project_evaluation": "departments",
        "target_quality": "departments",
        "indicator_counts_by_category": "departments",
    }, "not department_comparison (a table), not load_issues (built from landing.load_issues)"


def test_the_changed_department_ids_are_the_departments_scope_marts_change_sets(tmp_path):
    with duckdb.connect(str(tmp_path / "build.duckdb")) as con:
        con.execute("create schema staging")
        con.execute("create table staging.changed_departments__a as select 2024 as fiscal_year, md5('甲') as department_id")
        con.execute("create table staging.changed_departments__b as select 2023 as fiscal_year, md5('乙') as department_id")
        assert mart_changes.changed_department_ids(con, ["a", "b"]) == frozenset({_id("甲"), _id("乙")})
        assert mart_changes.changed_department_ids(con, ["a", "missing"]) is None
        assert mart_changes.changed_department_ids(con, []) is None
