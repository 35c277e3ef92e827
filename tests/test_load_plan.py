"""Planning a load: which partitions to add and delete, and which files the run must cover."""

from pathlib import Path

from pipelines.defs.partitions import partition_key
from pipelines.load.discover import RawFile
from pipelines.load.plan import plan_load


def _file(path: str, sha: str) -> RawFile:
    return RawFile(source_path=path, location=Path("/raw") / path, sha256=sha, size_bytes=1)


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
    plan = plan_load([_file("2024/broken.txt", "9")], {"2024/broken.txt": "9"}, ["2024/broken.txt"], partition_key)
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
    everything = list(file_observations(outcome, files, keys, limit=3))
    assert [(o.partition, o.metadata["status"].value) for o in everything] == [
        ("2024/a.txt", "loaded"), ("2024/b.txt", "loaded"), ("2024/c.txt", "quarantined"),
    ]
    bulk = list(file_observations(outcome, files, keys, limit=2))
    assert [o.partition for o in bulk] == ["2024/c.txt"]
    assert next(file_observations(outcome, files, ["2024/a.txt"], limit=3)).partition == "2024/a.txt"
