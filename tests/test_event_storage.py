"""The CLI's runs store their events through one open SQLite connection per file
(pipelines/defs/event_storage.py): the same files Dagster's own storage reads, committed without
waiting for the disk, and only where the instance uses Dagster's default SQLite storage."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from pipelines.defs.event_storage import PersistentSqliteEventLogStorage


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return home


@dg.asset
def counted() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"rows": 3})


@dg.asset_check(asset=counted)
def has_rows() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


def _run(instance: dg.DagsterInstance) -> str:
    job = dg.Definitions(assets=[counted], asset_checks=[has_rows]).resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(instance=instance)
    assert result.success
    return result.run_id


def test_the_cli_instance_writes_through_open_connections_that_dagster_reads(home: Path):
    from pipelines.run_load import _instance

    with _instance() as instance:
        assert type(instance.event_log_storage) is PersistentSqliteEventLogStorage
        run_id = _run(instance)
        run_file = home / "history" / "runs" / f"{run_id}.db"
        # The run's own file, kept open: in WAL mode and committed without a flush (NORMAL = 1).
        connection = instance.event_log_storage._engines[run_id].raw_connection()
        assert connection.execute("pragma synchronous").fetchone()[0] == 1
        assert connection.execute("pragma journal_mode").fetchone()[0] == "wal"
        connection.close()
    assert run_file.exists()
    with sqlite3.connect(run_file) as con:
        assert con.execute("pragma journal_mode").fetchone()[0] == "wal"

    # What `make dev` and `make serve` read: Dagster's own storage over the same files.
    with dg.DagsterInstance.from_config(str(home)) as reader:
        assert type(reader.event_log_storage) is SqliteEventLogStorage
        assert reader.get_run_by_id(run_id).status == dg.DagsterRunStatus.SUCCESS
        materialization = reader.get_latest_materialization_event(dg.AssetKey("counted"))
        assert materialization.run_id == run_id
        assert materialization.asset_materialization.metadata["rows"].value == 3
        check = reader.event_log_storage.get_latest_asset_check_execution_by_key(
            [dg.AssetCheckKey(dg.AssetKey("counted"), "has_rows")]
        )
        assert next(iter(check.values())).run_id == run_id


def test_a_home_that_chooses_its_storage_keeps_it(home: Path):
    from pipelines.run_load import _instance

    (home / "dagster.yaml").write_text(
        "telemetry:\n  enabled: false\n"
        f"storage:\n  sqlite:\n    base_dir: {home / 'elsewhere'}\n",
        encoding="utf-8",
    )
    with _instance() as instance:
        assert type(instance.event_log_storage) is SqliteEventLogStorage
        run_id = _run(instance)
    assert (home / "elsewhere" / "history" / "runs" / f"{run_id}.db").exists()


def test_the_overridden_method_still_exists_in_dagster():
    # An upgrade of the pinned dagster that renames it would bypass the open connections silently.
    assert callable(SqliteEventLogStorage.__dict__["_connect"])
    assert "_connect" in PersistentSqliteEventLogStorage.__dict__


def test_the_cli_instance_reads_partition_keys_once_until_it_changes_them(home: Path):
    from pipelines.run_load import _instance

    with _instance() as instance:
        instance.add_dynamic_partitions("files", ["a", "b"])
        assert list(instance.get_dynamic_partitions("files")) == ["a", "b"]
        # Another process adds one: this load keeps the keys it planned with (the next load sees it) ...
        with dg.DagsterInstance.from_config(str(home)) as other:
            other.add_dynamic_partitions("files", ["c"])
            assert list(other.get_dynamic_partitions("files")) == ["a", "b", "c"]
        assert list(instance.get_dynamic_partitions("files")) == ["a", "b"]
        # ... and reads them again once it adds or deletes one itself.
        instance.add_dynamic_partitions("files", ["d"])
        assert list(instance.get_dynamic_partitions("files")) == ["a", "b", "c", "d"]
        instance.delete_dynamic_partition("files", "a")
        assert list(instance.get_dynamic_partitions("files")) == ["b", "c", "d"]
