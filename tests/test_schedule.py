"""The nightly schedule registers the file partitions and always requests a reconciling load."""

import dagster as dg
import duckdb
import pytest

from pipelines.defs import dbt_scope
from pipelines.defs.definitions import build_definitions
from pipelines.defs.load_requests import RECONCILE_SELECTION
from pipelines.defs.partitions import RAW_FILES
from pipelines.defs.resources import BudgetWarehouse
from pipelines.defs.schedules import nightly_load_schedule
from tests.support.loads import seed_raw_dir
from tests.support.paths import SEED_PATH

pytestmark = pytest.mark.slow

SEED_KEY = f"2024/{SEED_PATH.name}"
FILE_ASSET = dg.AssetKey(["ingest", "raw_department_files"])


def test_first_night_loads_the_new_file_and_later_nights_reconcile_without_file_events(tmp_path):
    raw = seed_raw_dir(tmp_path)
    warehouse = BudgetWarehouse(database=str(tmp_path / "warehouse" / "budget.duckdb"), raw_dir=str(raw))
    job = build_definitions(warehouse).resolve_job_def("load_warehouse")
    (tmp_path / "dagster_home").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "dagster_home")) as instance:

        def night():
            with dg.build_schedule_context(instance=instance, resources={"warehouse": warehouse}) as context:
                request = nightly_load_schedule(context)
            run = job.execute_in_process(instance=instance, tags=request.tags, asset_selection=request.asset_selection)
            return request, run

        first, run = night()
        assert instance.get_dynamic_partitions(RAW_FILES.name) == [SEED_KEY]
        assert first.partition_key_range == dg.PartitionKeyRange(SEED_KEY, SEED_KEY)
        assert run.success
        assert [e.partition for e in run.get_asset_materialization_events() if e.asset_key == FILE_ASSET] == [SEED_KEY]

        second, run = night()
        assert second.partition_key_range is None
        assert set(second.asset_selection) == set(RECONCILE_SELECTION)
        assert run.success
        assert not [e for e in run.get_asset_materialization_events() if e.asset_key == FILE_ASSET]
        checked = {e.check_name for e in run.get_asset_check_evaluations()}
        assert {"no_quarantined_files", "no_conflicting_files"} <= checked, "pandera checks still run"
        assert not _built_marts(run), "nothing changed since a build that tested every row"

        # As a load in the day leaves it: its dbt build tested only the rows it rebuilt.
        with duckdb.connect(warehouse.database) as con:
            con.execute("update landing.build_state set value = 'changes' where key = 'dbt_tests'")
        third, run = night()
        assert third.tags[dbt_scope.FULL_TESTS_TAG] == dbt_scope.FULL_TESTS
        assert run.success
        assert _built_marts(run), "the night tests every row after a day of scoped tests"
        with duckdb.connect(warehouse.database, read_only=True) as con:
            assert con.execute("select value from landing.build_state where key = 'dbt_tests'").fetchall() == [("all",)]


def _built_marts(run) -> set[str]:
    return {e.asset_key.path[-1] for e in run.get_asset_materialization_events() if e.asset_key.path[0] == "marts"}


def test_the_load_job_is_partitioned_by_file_and_backfills_in_one_run():
    defs = build_definitions()
    assert defs.resolve_job_def("load_warehouse").partitions_def == RAW_FILES
    files = defs.resolve_assets_def(FILE_ASSET)
    assert files.partitions_def == RAW_FILES
    assert files.backfill_policy == dg.BackfillPolicy.single_run()
