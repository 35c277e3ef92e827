"""The Parquet copies staged from a sealed build and swapped in with the DuckDB file
(pipelines/warehouse/parquet_staging.py, docs/reliability.md "How a load publishes")."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipelines.warehouse import parquet_export, parquet_staging, publish
from tests.test_parquet_buckets import (
    DEPARTMENTS,
    _assert_folder_equals_mart,
    _bucket,
    _build,
    _files,
    _rewritten,
    warehouse,  # noqa: F401 - the fixture
)

ADDED = "某区新设局"
MARTS = ("budget_by_project", "department_comparison", "load_issues", "project_evaluation")


def _tree(database: Path) -> dict[str, str]:
    folder = parquet_export.parquet_dir(database)
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _staged_build(database: Path, run_id: str) -> parquet_staging.StagedParquet:
    """A run's build with one department added, sealed, and its Parquet copies staged."""
    build = publish.prepare_build(database, run_id)
    _build(build, [*DEPARTMENTS, ADDED])
    sealed = publish.seal(database, run_id)
    return parquet_staging.stage(database, sealed, publish.staged_parquet_path(database, run_id))


def test_staged_copies_change_nothing_until_the_publish_moves_them_in_with_the_file(warehouse):  # noqa: F811
    folder = parquet_export.parquet_dir(warehouse) / "budget_by_project"
    database_before, tree_before, files_before = _sha(warehouse), _tree(warehouse), _files(folder)

    staged = _staged_build(warehouse, "run1")

    assert (_sha(warehouse), _tree(warehouse)) == (database_before, tree_before)
    publish.publish(warehouse, "run1", parquet=staged)

    assert _sha(warehouse) != database_before
    for mart in MARTS:
        _assert_folder_equals_mart(warehouse, parquet_export.parquet_dir(warehouse) / mart, mart)
    assert parquet_export.is_current(warehouse)
    # Only the added department's bucket was written; every other file is the one that was there.
    assert _rewritten(files_before, _files(folder)) == {f"part-{_bucket(ADDED):02d}.parquet"}
    assert publish.build_dir(warehouse).exists() and list(publish.build_dir(warehouse).iterdir()) == []


def test_a_publish_without_its_parquet_swap_is_noticed_and_repaired_from_the_published_file(warehouse):  # noqa: F811
    _staged_build(warehouse, "run1")
    publish.publish(warehouse, "run1")  # the DuckDB file alone: as if the swap had been cut short
    assert not parquet_export.is_current(warehouse)
    assert list(publish.build_dir(warehouse).iterdir()) == []  # the run's staged tree went with its build

    repaired = parquet_staging.stage(warehouse, warehouse, publish.staged_parquet_path(warehouse, "run2"))
    publish.swap_parquet(warehouse, repaired)

    assert parquet_export.is_current(warehouse)
    for mart in MARTS:
        _assert_folder_equals_mart(warehouse, parquet_export.parquet_dir(warehouse) / mart, mart)
    assert list(publish.build_dir(warehouse).iterdir()) == []


def test_a_build_written_to_after_its_copies_were_staged_is_not_published(warehouse):  # noqa: F811
    database_before, tree_before = _sha(warehouse), _tree(warehouse)
    staged = _staged_build(warehouse, "run1")
    _build(publish.build_path(warehouse, "run1"), DEPARTMENTS)  # the copies no longer describe it

    try:
        publish.publish(warehouse, "run1", parquet=staged)
    except RuntimeError as error:
        assert "nothing was published" in str(error)
    else:
        raise AssertionError("a build that changed after staging was published")
    assert (_sha(warehouse), _tree(warehouse)) == (database_before, tree_before)
