"""The warehouse as a Dagster resource: where raw files are and how a run builds and publishes."""


from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.warehouse import publish, settings


class BudgetWarehouse(dg.ConfigurableResource):
    """DuckDB warehouse file plus the raw/ folder it mirrors.

    Writes go to the run's build copy; `publish` swaps it in, so readers never see a half load.
    """

    database: str
    raw_dir: str

    @property
    def published_path(self) -> Path:
        return Path(self.database).resolve()

    @property
    def raw_path(self) -> Path:
        return Path(self.raw_dir).resolve()

    def build_path(self, run_id: str) -> Path:
        return publish.prepare_build(self.published_path, run_id)

    @contextmanager
    def build_connection(self, run_id: str) -> Iterator[duckdb.DuckDBPyConnection]:
        with publish.load_lock(self.published_path):
            con = duckdb.connect(str(self.build_path(run_id)))
            try:
                yield con
            finally:
                con.close()

    def publish(self, run_id: str) -> None:
        with publish.load_lock(self.published_path):
            publish.publish(self.published_path, run_id)

    def mark_unchanged(self, run_id: str) -> None:
        """Tell later steps of this run that raw/ matched the warehouse: nothing to rebuild."""
        self._marker(run_id).touch()

    def is_unchanged(self, run_id: str) -> bool:
        return self._marker(run_id).exists()

    def finish_unchanged(self, run_id: str) -> None:
        self._marker(run_id).unlink(missing_ok=True)
        publish.discard_build(self.published_path, run_id)

    def _marker(self, run_id: str) -> Path:
        return publish.build_path(self.published_path, run_id).with_suffix(".unchanged")


def default_warehouse() -> BudgetWarehouse:
    return BudgetWarehouse(database=str(settings.warehouse_path()), raw_dir=str(settings.raw_dir()))
