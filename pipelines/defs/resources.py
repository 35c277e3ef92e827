"""The warehouse as a Dagster resource: where raw files are and how a run builds and publishes."""


from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import PrivateAttr

from pipelines import interruption
from pipelines.engines import DUCKDB, SPARK, check_engine, engine_from_environment
from pipelines.load.discover import RawFile
from pipelines.warehouse import landing, parquet_staging, publish, settings, storage_format
from pipelines.warehouse.landing import ListingDiff
from pipelines.warehouse.mart_changes import MartChanges
from pipelines.warehouse.parquet_staging import StagedParquet


class BudgetWarehouse(dg.ConfigurableResource):
    """DuckDB warehouse file plus the raw/ folder it mirrors.

    Writes go to the run's build copy; `publish` swaps it in, so readers never see a half load.
    The first write of a run takes the load lock and the run keeps it to its end: a second load
    started meanwhile would otherwise remove this run's build as the debris of a dead run. The
    job runs in one process (in-process executor), so one resource instance spans the run.
    """

    database: str
    raw_dir: str
    # duckdb (one machine, the default) or spark (pipelines/engines/spark, docs/scale-out.md).
    engine: str = DUCKDB
    # The Spark master for engine spark; empty: $BUDGET_SPARK_MASTER, else local[2].
    spark_master: str = ""

    _lock: publish.LoadLock | None = PrivateAttr(default=None)
    _run_ids: set[str] = PrivateAttr(default_factory=set)

    @property
    def published_path(self) -> Path:
        return Path(self.database).resolve()

    @property
    def raw_path(self) -> Path:
        return Path(self.raw_dir).resolve()

    @property
    def engine_name(self) -> str:
        """The engine this resource names, checked: a wrong name fails with the choices."""
        return check_engine(self.engine, setting="the warehouse resource's engine")

    @property
    def uses_spark(self) -> bool:
        return self.engine_name == SPARK

    def hold_lock(self, run_id: str) -> None:
        """Take the load lock for this run, held to its end: for a step that writes no build copy (the
        Spark engine, a load that finds nothing changed), one load at a time all the same."""
        self._hold_lock(run_id)

    def listing_diff(self, files: Sequence[RawFile]) -> ListingDiff:
        """raw/ as listed against what the published warehouse last read of each file."""
        if self.uses_spark:
            from pipelines.engines.spark import published
            from pipelines.engines.spark import settings as spark_settings

            with published.parquet_connection(spark_settings.landing_dir(self.published_path)) as con:
                return _diff_or_all_new(con, files)
        if not self.published_path.exists():
            return ListingDiff.everything_new([(f.source_path, f.sha256) for f in files])
        try:
            with duckdb.connect(str(self.published_path), read_only=True) as con:
                return _diff_or_all_new(con, files)
        except duckdb.IOException:
            # A damaged file: the run plans as if it were new, and its landing step, which must
            # read the file to build on it, fails naming the file and the fix (warehouse/damage.py).
            return ListingDiff.everything_new([(f.source_path, f.sha256) for f in files])

    def published_is_current(self) -> bool:
        """A published file that a load with nothing new can leave as it is: one in the storage
        format older DuckDB clients read (a file in another is rewritten by the build and published)."""
        return self.published_path.exists() and storage_format.is_compatible(self.published_path)

    def build_path(self, run_id: str) -> Path:
        self._hold_lock(run_id)
        return publish.prepare_build(self.published_path, run_id)

    def dbt_database_path(self, run_id: str) -> Path:
        """Where dbt finds this run's build: a link of fixed name, so dbt reuses its parse."""
        self.build_path(run_id)
        return publish.link_dbt_database(self.published_path, run_id)

    @contextmanager
    def build_connection(self, run_id: str) -> Iterator[duckdb.DuckDBPyConnection]:
        con = duckdb.connect(str(self.build_path(run_id)))
        try:
            yield con
        finally:
            con.close()

    def publish(self, run_id: str, *, parquet: StagedParquet | None = None) -> None:
        self._hold_lock(run_id)
        publish.publish(self.published_path, run_id, parquet=parquet)

    def stage_parquet(self, run_id: str, *, changed: MartChanges | None = None) -> StagedParquet:
        """The run's build, sealed, and its marts' Parquet copies staged beside it for the publish."""
        self._hold_lock(run_id)
        build = publish.seal(self.published_path, run_id)
        root = publish.staged_parquet_path(self.published_path, run_id)
        return parquet_staging.stage(self.published_path, build, root, changed=changed)

    def repair_parquet(self, run_id: str) -> StagedParquet:
        """Parquet copies that do not match the published file (a publish cut short), staged and
        swapped in from the published file itself."""
        self._hold_lock(run_id)
        root = publish.staged_parquet_path(self.published_path, run_id)
        staged = parquet_staging.stage(self.published_path, self.published_path, root)
        with interruption.uninterrupted():
            publish.swap_parquet(self.published_path, staged)
        return staged

    def mark_unchanged(self, run_id: str) -> None:
        """Tell later steps of this run that raw/ matched the warehouse: nothing to rebuild."""
        self._hold_lock(run_id)
        marker = publish.unchanged_marker(self.published_path, run_id)
        marker.parent.mkdir(parents=True, exist_ok=True)  # no build copy was made: .build/ may not exist
        marker.touch()

    def is_unchanged(self, run_id: str) -> bool:
        return publish.unchanged_marker(self.published_path, run_id).exists()

    def finish_unchanged(self, run_id: str) -> None:
        publish.discard_build(self.published_path, run_id)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        """Whatever the outcome, a run leaves nothing in .build/ and lets the next load in."""
        if self._lock is None:
            return  # a sensor, or a run that never wrote: it holds nothing and owns no build
        try:
            for run_id in self._run_ids:
                publish.discard_build(self.published_path, run_id)
        finally:
            self._lock.release()
            self._lock = None
            self._run_ids.clear()

    def _hold_lock(self, run_id: str) -> None:
        if self._lock is None:
            self._lock = publish.LoadLock(self.published_path)
        self._run_ids.add(run_id)


def default_warehouse() -> BudgetWarehouse:
    return BudgetWarehouse(
        database=str(settings.warehouse_path()), raw_dir=str(settings.raw_dir()), engine=engine_from_environment()
    )


def _diff_or_all_new(con: duckdb.DuckDBPyConnection, files: Sequence[RawFile]) -> ListingDiff:
    try:
        return landing.diff_files(con, files)
    except duckdb.CatalogException:  # a file from before the load registry existed: everything is new
        return ListingDiff.everything_new([(f.source_path, f.sha256) for f in files])
