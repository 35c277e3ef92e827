"""Readers in other processes query the marts while loads run and are killed: not one error, and
every answer consistent (docs/reliability.md, "Readers always see a complete warehouse" and "A
load never fails because of readers").

Each reader connects read-only, queries, disconnects, in a loop (tests/support/reader.py), as a
dashboard refreshing does. They start on the published warehouse, read through a load killed
while it stages raw/ and a load that completes, and stop after their first read of the new warehouse.
"""

from __future__ import annotations

import duckdb
import pytest

from tests.support import reliability

READERS = 3
MAX_ITERATIONS = 20_000  # the bound; readers stop long before, once told the loads are done
GENERATED_DEPARTMENTS = 3


@pytest.mark.slow
def test_readers_see_only_complete_consistent_warehouses_while_loads_run_and_die(seed_warehouse, tmp_path):
    warehouse = reliability.copy_warehouse(seed_warehouse.database, tmp_path / "warehouse")
    raw = reliability.raw_with_generated(
        seed_warehouse.raw_dir, tmp_path / "raw", departments=GENERATED_DEPARTMENTS, seed=12
    )
    stop, ready = tmp_path / "stop", tmp_path / "ready"
    readers = reliability.start_readers(warehouse, stop, ready, count=READERS, max_iterations=MAX_ITERATIONS)
    try:
        reliability.wait_until_readers_read(ready, readers)

        reliability.kill_at(reliability.start_load(raw, warehouse), warehouse, reliability.build_copy_exists)
        completed = reliability.finish_load(reliability.start_load(raw, warehouse))
    finally:
        stop.touch()
        reports = reliability.collect_readers(readers)

    assert completed.exit_code == 0, completed.explain()
    for report in reports:
        assert report.errors == []
        assert report.inconsistencies == []
        assert report.iterations < MAX_ITERATIONS
        # The first answer came from the warehouse before the loads, the last from the new one.
        assert report.department_counts_seen == [1, 1 + GENERATED_DEPARTMENTS]


def test_a_bi_tool_connects_read_only_through_sqlalchemy_and_sees_a_new_load_on_reconnecting(
    seed_warehouse, tmp_path
):
    """The connection docs/reliability.md gives BI tools (duckdb-engine), as written there."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    from pipelines.warehouse import publish

    path = reliability.copy_warehouse(seed_warehouse.database, tmp_path / "warehouse")
    engine = create_engine(f"duckdb:///{path}", connect_args={"read_only": True}, poolclass=NullPool)
    total_sql = text("select sum(total_amount) from marts.department_comparison")
    with engine.connect() as open_all_day:
        before = open_all_day.execute(total_sql).scalar_one()

        build = publish.prepare_build(path, "next-load")  # a load in miniature: change a copy, publish it
        with duckdb.connect(str(build)) as con:
            con.execute("update marts.department_comparison set total_amount = total_amount + 1")
        publish.publish(path, "next-load")

        assert open_all_day.execute(total_sql).scalar_one() == before  # its file, until it reconnects
    with engine.connect() as reconnected:
        assert reconnected.execute(total_sql).scalar_one() == before + 1
    engine.dispose()
