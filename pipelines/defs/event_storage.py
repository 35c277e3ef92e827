"""Dagster's SQLite event log, with one open connection per database file for the CLI's runs.

Dagster's SqliteEventLogStorage opens, commits with a flush to disk, and closes a connection for
every event it stores, often two (the run's file and the cross-run index). A one-file load writes
some 650 events (planned and evaluated asset checks for every dbt test, step outputs): about
2,000 connections, 2–4 s of a load that should take 10 (docs/benchmarks.md, "Fixed costs").
This storage keeps each file's connection open for the process and commits without waiting for
the disk (SQLite's `synchronous = NORMAL` in WAL mode, which Dagster's files use): a committed
event survives a crash of the load; only a power cut can lose the last ones, never corrupt the
file. The files, their schema and every query are Dagster's own, so `make dev` and `make serve`
read these runs as any other.

It also reads a dynamic partition set's keys once: a load asks for all of them twice (its plan,
pipelines/defs/load_requests.py, and Dagster's data-version lookup for the landing step's input
from the file partitions), and at 250,000 files each read took half a second. The keys are read
again after this storage adds or deletes one; a key another process adds meanwhile is the next
load's business, as a file dropped into raw/ during a load is.

Used only by the CLI's in-process runs, and only when the instance's event log is Dagster's
default SQLite one (pipelines/run_load.py); the daemon and the UI keep Dagster's storage.
Overrides one private method, `_connect`, of the pinned dagster (requirements.lock);
tests/test_event_storage.py checks it still exists.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from sqlalchemy.pool import StaticPool


class PersistentSqliteEventLogStorage(SqliteEventLogStorage):
    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: dict[str, sqlalchemy.Engine] = {}
        self._partition_keys: dict[str, tuple[str, ...]] = {}
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None, config_value: Any) -> PersistentSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[sqlalchemy.Connection]:
        # _db_lock is held for the whole block, so the one connection is never used by two threads at once.
        with self._db_lock:
            engine = self._engines.get(shard)
            if engine is None:
                engine = sqlalchemy.create_engine(
                    self.conn_string_for_shard(shard),
                    poolclass=StaticPool,
                    connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
                )
            if shard not in self._initialized_dbs:
                self._initdb(engine)  # creates a new file in WAL mode
                self._initialized_dbs.add(shard)
            if shard not in self._engines:
                _commit_without_flush(engine)
                self._engines[shard] = engine
            with engine.connect() as conn, conn.begin():
                yield conn

    def get_dynamic_partitions(self, partitions_def_name: str) -> Sequence[str]:
        keys = self._partition_keys.get(partitions_def_name)
        if keys is None:
            keys = tuple(super().get_dynamic_partitions(partitions_def_name))
            self._partition_keys[partitions_def_name] = keys
        return keys

    def add_dynamic_partitions(self, partitions_def_name: str, partition_keys: Sequence[str]) -> None:
        self._partition_keys.pop(partitions_def_name, None)
        super().add_dynamic_partitions(partitions_def_name, partition_keys)

    def delete_dynamic_partition(self, partitions_def_name: str, partition_key: str) -> None:
        self._partition_keys.pop(partitions_def_name, None)
        super().delete_dynamic_partition(partitions_def_name, partition_key)

    def dispose(self) -> None:
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()
        super().dispose()


def _commit_without_flush(engine: sqlalchemy.Engine) -> None:
    with engine.connect() as conn:
        # Safe in WAL mode only: with a rollback journal, a power cut could corrupt the file.
        if conn.exec_driver_sql("pragma journal_mode").scalar().lower() == "wal":
            conn.exec_driver_sql("pragma synchronous = normal")
