"""Planning a load: which partitions to add and delete, and which files the run must cover."""

from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.defs.partitions import partition_key
from pipelines.load.discover import RawFile
from pipelines.load.plan import plan_load as plan_from_diff
from pipelines.warehouse import landing


def _file(path: str, sha: str) -> RawFile:
    return RawFile(source_path=path, location=Path("/raw") / path, sha256=sha, size_bytes=1)


def plan_load(files, taken: dict[str, str], existing, key_for, *, statuses: dict[str, str] | None = None):
    """The plan for `files` against a real registry that took `taken` (path -> SHA-256)."""
    with duckdb.connect() as con:
        landing.ensure_landing_schema(con)
        rows = [
            (path, sha, 1, (statuses or {}).get(path, "loaded"), 2024, "某局", sha, datetime.now(UTC))
            for path, sha in taken.items()
        ]
        landing.replace_registry(con, rows, removed=[])
        diff = landing.diff_listing(con, [(f.source_path, f.sha256) for f in files])
    return plan_from_diff(files, diff, existing, key_for)


def test_first_load_adds_every_file_and_covers_them_all():
    files = [_file("2024/b.txt", "1"), _file("2024/a.txt", "2")]
    plan = plan_load(files, {}, [], partition_key)
    assert plan.partitions_to_add == ["2024/a.txt", "2024/b.txt"]
    assert plan.partitions_to_delete == []
    assert plan.partition_range == ("2024/a.txt", "2024/b.txt")
    assert plan.describe() == "2 file(s) under raw/: 2 new or changed, 0 removed"


def test_nothing_changed_means_no_partition_range_and_no_changes():
    files = [_file("2024/a.txt", "1")]
    plan = plan_load(files, {"2024/a.txt": "1"}, ["2024/a.txt"], partition_key)
    assert (plan.partitions_to_add, plan.partition_range, plan.has_changes) == ([], None, False)


def test_changed_and_new_files_span_the_range_in_partition_order_not_name_order():
    existing = ["2024/z.txt", "2024/m.txt", "2024/a.txt"]  # registered in that order earlier
    files = [_file("2024/z.txt", "new"), _file("2024/m.txt", "1"), _file("2024/a.txt", "1"), _file("2024/b.txt", "1")]
    taken = {"2024/z.txt": "old", "2024/m.txt": "1", "2024/a.txt": "1"}
    plan = plan_load(files, taken, existing, partition_key)
    assert plan.partitions_to_add == ["2024/b.txt"]
    assert plan.changed_keys == ["2024/z.txt", "2024/b.txt"]
    assert plan.partition_range == ("2024/z.txt", "2024/b.txt")


def test_a_removed_file_loses_its_partition_and_still_needs_a_run():
    plan = plan_load([_file("2024/a.txt", "1")], {"2024/a.txt": "1", "2024/gone.txt": "2"}, ["2024/a.txt", "2024/gone.txt"], partition_key)
    assert plan.partitions_to_delete == ["2024/gone.txt"]
    assert plan.removed_paths == ["2024/gone.txt"]
    assert plan.has_changes and plan.partition_range is None


def test_a_quarantined_file_left_unchanged_is_not_loaded_again():
    # The registry keeps the hash of every version read, loaded or not.
    plan = plan_load(
        [_file("2024/broken.txt", "9")], {"2024/broken.txt": "9"}, ["2024/broken.txt"], partition_key,
        statuses={"2024/broken.txt": "quarantined"},
    )
    assert not plan.has_changes


def test_a_bulk_change_runs_without_file_partitions_but_registers_them():
    from pipelines.defs.load_requests import RECONCILE_SELECTION, describe_run, run_target
    from pipelines.defs.partitions import MAX_FILES_PER_PARTITIONED_RUN

    count = MAX_FILES_PER_PARTITIONED_RUN + 1
    files = [_file(f"2024/{i:05d}.txt", "1") for i in range(count)]
    plan = plan_load(files, {}, [], partition_key)
    assert len(plan.partitions_to_add) == count
    assert run_target(plan) == {"tags": {}, "asset_selection": RECONCILE_SELECTION}
    assert "without per-file partition events" in describe_run(plan)

    small = plan_load(files[:3], {}, [], partition_key)
    assert run_target(small)["tags"] == {
        "dagster/asset_partition_range_start": "2024/00000.txt",
        "dagster/asset_partition_range_end": "2024/00002.txt",
    }
    assert run_target(small, partitioned=False)["asset_selection"] == RECONCILE_SELECTION


def test_beyond_the_limit_only_files_that_did_not_load_are_observed():
    from pipelines.defs.assets.file_status import file_observations
    from pipelines.load.stage import StageOutcome

    outcome = StageOutcome(loaded=["2024/a.txt", "2024/b.txt"], quarantined=["2024/c.txt"])
    files = [_file(p, "1") for p in ("2024/a.txt", "2024/b.txt", "2024/c.txt")]
    keys = [f.source_path for f in files]

    def registered(among: list[str]) -> list[str]:
        return [key for key in among if key in keys]

    everything = list(file_observations(outcome, files, registered, limit=3))
    assert [(o.partition, o.metadata["status"].value) for o in everything] == [
        ("2024/a.txt", "loaded"), ("2024/b.txt", "loaded"), ("2024/c.txt", "quarantined"),
    ]
    bulk = list(file_observations(outcome, files, registered, limit=2))
    assert [o.partition for o in bulk] == ["2024/c.txt"]
    only_a = next(file_observations(outcome, files, lambda among: [k for k in among if k == "2024/a.txt"], limit=3))
    assert only_a.partition == "2024/a.txt"


def test_junk_files_beyond_the_limit_are_counted_not_observed_one_by_one():
    """50,000 empty files would cost Dagster minutes of events: the first `limit` are observed."""
    from pipelines.defs.assets.file_status import file_observations, unobserved_problems
    from pipelines.load.stage import StageOutcome

    junk = [f"2024/empty_{n}.txt" for n in range(5)]
    outcome = StageOutcome(loaded=["2024/a.txt"], quarantined=junk)
    files = [_file(p, "1") for p in ("2024/a.txt", *junk)]
    observed = list(file_observations(outcome, files, lambda among: among, limit=2))
    assert [o.partition for o in observed] == junk[:2]
    assert unobserved_problems(outcome, limit=2) == 3
    assert unobserved_problems(outcome, limit=6) == 0


def test_the_listing_is_compared_with_the_registry_inside_duckdb():
    now = datetime.now(UTC)
    with duckdb.connect() as con:
        landing.ensure_landing_schema(con)
        landing.replace_registry(
            con,
            [
                ("2024/same.txt", "1", 1, "loaded", 2024, "甲局", "1", now),
                ("2024/edited.txt", "old", 1, "loaded", 2024, "乙局", "old", now),
                ("2024/claimed.txt", "3", 1, "conflict", 2024, "丙局", None, now),
                ("2024/gone.txt", "4", 1, "quarantined", 2024, "丁局", None, now),
            ],
            removed=[],
        )
        # A caller may leave a result unread (fetchone): the comparison must not trip on it.
        con.execute("select source_path from landing.raw_files").fetchone()
        diff = landing.diff_listing(
            con, [("2024/same.txt", "1"), ("2024/edited.txt", "new"), ("2024/claimed.txt", "3"), ("2024/新.txt", "5")]
        )
    assert diff == landing.ListingDiff(
        new_or_changed=["2024/edited.txt", "2024/新.txt"], in_conflict=["2024/claimed.txt"], removed=["2024/gone.txt"]
    )


def _registry_file(path: Path, taken: dict[str, str]) -> Path:
    with duckdb.connect(str(path)) as con:
        landing.ensure_landing_schema(con)
        rows = [(p, sha, 1, "loaded", 2024, "某局", sha, datetime.now(UTC)) for p, sha in taken.items()]
        landing.replace_registry(con, rows, removed=[])
    return path


def test_one_listing_is_compared_once_with_a_published_file_and_again_with_a_new_one(tmp_path):
    files = [_file("2024/a.txt", "1"), _file("2024/b.txt", "2")]
    published = _registry_file(tmp_path / "budget.duckdb", {"2024/a.txt": "1"})
    with duckdb.connect(str(published), read_only=True) as con:
        first = landing.diff_files(con, files)
    with duckdb.connect(str(published), read_only=True) as con:
        assert landing.diff_files(con, files) is first  # the CLI's check, the plan, the landing step
    assert first.new_or_changed == ["2024/b.txt"]

    # A load publishes a new file in its place (a rename): compared afresh.
    _registry_file(tmp_path / "next.duckdb", {"2024/a.txt": "1", "2024/b.txt": "2"}).replace(published)
    with duckdb.connect(str(published), read_only=True) as con:
        assert landing.diff_files(con, files).new_or_changed == []
        # Another listing (a later load's) is compared afresh, even with the same content.
        again = landing.diff_files(con, files)
        assert landing.diff_files(con, list(files)) is not again
    # A connection that may write (the run's build copy) is never answered from a kept diff.
    with duckdb.connect(str(published)) as con:
        con.execute("delete from landing.raw_files where source_path = '2024/b.txt'")
        assert landing.diff_files(con, files).new_or_changed == ["2024/b.txt"]
