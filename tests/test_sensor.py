"""The raw_files_changed sensor requests a load exactly when files under raw/ change."""

import shutil

import dagster as dg

from pipelines.defs.resources import BudgetWarehouse
from pipelines.defs.sensors import raw_files_changed
from tests.support.loads import seed_raw_dir
from tests.support.paths import SEED_PATH


def _evaluate(raw, database, cursor):
    warehouse = BudgetWarehouse(database=str(database), raw_dir=str(raw))
    with dg.build_sensor_context(cursor=cursor, resources={"warehouse": warehouse}) as context:
        result = raw_files_changed(context)
        return result, context.cursor


def test_new_changed_and_removed_files_each_request_one_load(tmp_path):
    raw = seed_raw_dir(tmp_path)
    database = tmp_path / "warehouse" / "budget.duckdb"

    first, cursor = _evaluate(raw, database, None)
    assert isinstance(first, dg.RunRequest)

    unchanged, same_cursor = _evaluate(raw, database, cursor)
    assert isinstance(unchanged, dg.SkipReason)
    assert same_cursor == cursor

    added = raw / "2023" / SEED_PATH.name
    added.parent.mkdir()
    shutil.copyfile(SEED_PATH, added)
    after_add, cursor_after_add = _evaluate(raw, database, cursor)
    assert isinstance(after_add, dg.RunRequest) and cursor_after_add != cursor

    added.write_bytes(SEED_PATH.read_bytes() + b"\n")
    after_change, cursor_after_change = _evaluate(raw, database, cursor_after_add)
    assert isinstance(after_change, dg.RunRequest) and cursor_after_change != cursor_after_add

    added.unlink()
    after_removal, cursor_after_removal = _evaluate(raw, database, cursor_after_change)
    assert isinstance(after_removal, dg.RunRequest)
    assert cursor_after_removal == cursor  # raw/ is as it was at the first request again

    touched_only, _ = _evaluate(raw, database, cursor_after_removal)
    assert isinstance(touched_only, dg.SkipReason)
