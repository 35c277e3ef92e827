"""BI access: SQLAlchemy through duckdb-engine (as Superset connects), and the Parquet copies."""

from __future__ import annotations

import re
from decimal import Decimal

import duckdb
import pandas as pd
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from tests.support.paths import REPO_ROOT

pytestmark = pytest.mark.slow


def _documented_python() -> str:
    doc = (REPO_ROOT / "docs" / "queries.md").read_text(encoding="utf-8")
    (snippet,) = re.findall(r"^```python\n(.*?)^```", doc, re.MULTILINE | re.DOTALL)
    return snippet


def test_the_documented_sqlalchemy_snippet_reads_the_marts(seed_warehouse):
    snippet = _documented_python()
    assert 'WAREHOUSE = "warehouse/budget.duckdb"' in snippet
    namespace: dict = {}
    exec(snippet.replace('"warehouse/budget.duckdb"', repr(str(seed_warehouse.database))), namespace)  # noqa: S102
    assert {"budget_by_project", "department_comparison", "indicator_counts_by_category"} <= set(
        namespace["marts"]
    )
    assert tuple(namespace["rows"][0]) == ("2024年信息化运维项目", Decimal("1359.11"))


def test_a_read_only_sqlalchemy_connection_cannot_write(seed_warehouse):
    engine = create_engine(f"duckdb:///{seed_warehouse.database}", connect_args={"read_only": True})
    try:
        with engine.connect() as connection, pytest.raises(DBAPIError, match="read-only"):
            connection.execute(text("delete from marts.budget_by_project"))
    finally:
        engine.dispose()


def test_parquet_copies_match_the_marts_row_for_row(seed_warehouse):
    parquet_dir = seed_warehouse.database.parent / "parquet"
    with duckdb.connect(str(seed_warehouse.database), read_only=True) as con:
        marts = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        ]
        assert {"budget_by_project", "department_comparison", "indicator_counts_by_category"} <= set(marts)
        assert sorted(p.name for p in parquet_dir.iterdir()) == sorted(marts)
        for mart in marts:
            files = str(parquet_dir / mart / "*.parquet")  # the documented glob
            table = con.sql(f'select * from marts."{mart}"')
            copy = con.sql("select * from read_parquet(?)", params=[files])
            assert copy.columns == table.columns, mart
            assert copy.types == table.types, mart
            for first, second in ((f'marts."{mart}"', "read_parquet($files)"), ("read_parquet($files)", f'marts."{mart}"')):
                ((left_over,),) = con.execute(
                    f"select count(*) from (select * from {first} except all select * from {second})", {"files": files}
                ).fetchall()
                assert left_over == 0, (mart, first)
            assert not list((parquet_dir / mart).glob(".*")), f"a temporary Parquet file was left in {mart}"
    assert str(pd.read_parquet(parquet_dir / "budget_by_project").total_amount.sum()) == "2177.86", "the folder, read by pandas"


def test_an_export_removes_the_half_written_copy_of_a_killed_export(seed_warehouse, tmp_path):
    from pipelines.warehouse import parquet_export

    stale = tmp_path / ".budget_by_project.4242.parquet.partial"
    stale.write_bytes(b"PAR1 cut short")
    (tmp_path / "budget_by_project").mkdir()
    partial_bucket = tmp_path / "budget_by_project" / ".part-00.parquet.4242.partial"
    partial_bucket.write_bytes(b"PAR1 cut short")
    exports = parquet_export.export_marts(seed_warehouse.database, target=tmp_path)
    assert exports["budget_by_project"].rows == 10
    assert not stale.exists() and not partial_bucket.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(exports)
