"""The raw_files_changed sensor keeps one partition per file and requests loads of what changed.

Each request is run the way the daemon would run it, by Dagster's own runner on a real instance,
so the test follows a file from the sensor to its partition's materialization and into the marts.
"""

import dataclasses
import hashlib

import dagster as dg
import pytest

from pipelines.defs.definitions import build_definitions
from pipelines.defs.partitions import RAW_FILES, partition_key
from pipelines.defs.resources import BudgetWarehouse
from pipelines.defs.sensors import raw_files_changed
from tests.support.loads import seed_raw_dir
from tests.support.paths import SEED_PATH
from tests.support.tables import render, seed_spec, write_text

pytestmark = pytest.mark.slow

SEED_KEY = f"2024/{SEED_PATH.name}"
SEED_DEPARTMENT = seed_spec().department
OTHER = dataclasses.replace(seed_spec(), department="广州市越秀区示例局")
OTHER_KEY = "2024/示例局.txt"
FILE_ASSET = dg.AssetKey(["ingest", "raw_department_files"])


class SensorHarness:
    """The sensor on a real instance; `tick` applies its partition requests and runs its run request."""

    def __init__(self, raw, database, instance):
        self.raw, self.database, self.instance = raw, database, instance
        self.warehouse = BudgetWarehouse(database=str(database), raw_dir=str(raw))
        self.job = build_definitions(self.warehouse).resolve_job_def("load_warehouse")
        self.cursor = None
        self.run_keys: set[str] = set()

    def tick(self):
        with dg.build_sensor_context(
            cursor=self.cursor, instance=self.instance, resources={"warehouse": self.warehouse}
        ) as context:
            result = raw_files_changed(context)
        if isinstance(result, dg.SkipReason):
            return result, None
        self.cursor = result.cursor
        for request in result.dynamic_partitions_requests or []:
            if isinstance(request, dg.AddDynamicPartitionsRequest):
                self.instance.add_dynamic_partitions(request.partitions_def_name, request.partition_keys)
            else:
                for key in request.partition_keys:
                    self.instance.delete_dynamic_partition(request.partitions_def_name, key)
        # As the daemon does: a run key already launched is never launched again.
        requests = [r for r in result.run_requests if r.run_key not in self.run_keys]
        self.run_keys.update(r.run_key for r in requests)
        runs = [
            self.job.execute_in_process(
                instance=self.instance, tags=request.tags, asset_selection=request.asset_selection
            )
            for request in requests
        ]
        return result, runs[0] if runs else None

    def partitions(self):
        return self.instance.get_dynamic_partitions(RAW_FILES.name)

    def departments(self):
        import duckdb

        with duckdb.connect(str(self.database), read_only=True) as con:
            return con.execute(
                "select department_name, project_count, total_amount::varchar from marts.department_comparison "
                "order by department_name"
            ).fetchall()


def _file_materializations(run):
    return {
        event.partition: {k: v.value for k, v in event.step_materialization_data.materialization.metadata.items()}
        for event in run.get_asset_materialization_events()
        if event.asset_key == FILE_ASSET
    }


@pytest.fixture
def harness(tmp_path):
    raw = seed_raw_dir(tmp_path)
    (tmp_path / "dagster_home").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "dagster_home")) as instance:
        yield SensorHarness(raw, tmp_path / "warehouse" / "budget.duckdb", instance)


def test_a_new_file_gets_a_partition_and_a_run_that_loads_it(harness):
    _, run = harness.tick()
    assert harness.partitions() == [SEED_KEY]
    assert run.success
    assert set(_file_materializations(run)) == {SEED_KEY}
    assert harness.departments() == [(SEED_DEPARTMENT, 10, "2177.86")]
    observation = harness.instance.fetch_observations(FILE_ASSET, limit=1).records[0].asset_observation
    assert (observation.partition, observation.metadata["status"].value) == (SEED_KEY, "loaded")
    assert observation.metadata["sha256"].value == hashlib.sha256(SEED_PATH.read_bytes()).hexdigest()

    skipped, _ = harness.tick()
    assert isinstance(skipped, dg.SkipReason)


def test_only_new_and_changed_files_are_in_the_run_and_removed_files_leave(harness):
    harness.tick()
    write_text(harness.raw / OTHER_KEY, render(OTHER))
    _, run = harness.tick()
    assert harness.partitions() == [SEED_KEY, OTHER_KEY]
    assert set(_file_materializations(run)) == {OTHER_KEY}, "the unchanged seed is not in the run"
    assert [name for name, *_ in harness.departments()] == sorted([SEED_DEPARTMENT, OTHER.department])

    changed = OTHER.with_project("网格化经费", fiscal=OTHER.units[0].projects[0].fiscal)
    write_text(harness.raw / OTHER_KEY, render(changed), newline="\r\n")  # same table, new bytes
    _, run = harness.tick()
    assert set(_file_materializations(run)) == {OTHER_KEY}

    (harness.raw / OTHER_KEY).unlink()
    _, run = harness.tick()
    assert harness.partitions() == [SEED_KEY]
    assert run.success and _file_materializations(run) == {}, "a removal-only run records no file"
    assert [name for name, *_ in harness.departments()] == [SEED_DEPARTMENT]


def test_a_broken_file_shows_its_quarantine_on_its_partition(harness):
    harness.tick()
    broken = harness.raw / "2024" / "broken.txt"
    broken.write_text(SEED_PATH.read_text("utf-8").replace("1,359.11", "1,35九.11"), encoding="utf-8")
    _, run = harness.tick()
    assert run.success
    records = harness.instance.fetch_observations(
        dg.AssetRecordsFilter(asset_key=FILE_ASSET, asset_partitions=["2024/broken.txt"]), limit=1
    ).records
    metadata = records[0].asset_observation.metadata
    assert metadata["status"].value == "quarantined"
    assert "broken.txt, line" in metadata["issues"].value


def test_while_a_load_runs_the_sensor_waits_and_then_requests_what_changed_meanwhile(harness):
    from dagster._core.test_utils import create_run_for_test

    harness.tick()
    running = create_run_for_test(harness.instance, job_name="load_warehouse", status=dg.DagsterRunStatus.STARTED)
    write_text(harness.raw / OTHER_KEY, render(OTHER))
    waiting, _ = harness.tick()
    assert isinstance(waiting, dg.SkipReason) and "running" in waiting.skip_message
    assert harness.partitions() == [SEED_KEY]

    harness.instance.report_run_failed(running)
    result, run = harness.tick()
    assert harness.partitions() == [SEED_KEY, OTHER_KEY]
    assert result.run_requests[0].partition_key_range == dg.PartitionKeyRange(OTHER_KEY, OTHER_KEY)
    assert run.success


def test_raw_returning_to_an_earlier_state_still_gets_its_load(harness):
    """Seed, seed + other, seed again: the third state equals the first, and needs a run all the same."""
    harness.tick()
    write_text(harness.raw / OTHER_KEY, render(OTHER))
    harness.tick()
    (harness.raw / OTHER_KEY).unlink()
    _, run = harness.tick()
    assert run is not None and run.success
    assert harness.departments() == [(SEED_DEPARTMENT, 10, "2177.86")]


def test_partition_keys_stand_in_for_paths_dagster_would_refuse():
    assert partition_key("2024/局.txt") == "2024/局.txt"
    odd = partition_key("2024/a\tb...txt")
    assert odd.startswith("2024/a\\tb…txt #") and len(odd) == len("2024/a\\tb…txt #") + 8
    assert partition_key("2024/a\tb...txt") == odd
    assert partition_key("2024/a\nb...txt") != odd
