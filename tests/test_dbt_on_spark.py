"""One dbt project, two engines: dbt on Spark (the `spark` target) builds the same marts as DuckDB.

One real load with the DuckDB engine (the seed, generated departments over two years, a renamed
department, the hostile raw/ with its quarantined file and 自评表); its landing exported as the
Spark engine's Parquet landing; then `dbt build --target spark` with every model, seed and dbt
test on a local Spark, and every mart (from the dbt manifest) compared row for row, with its
column types as a Parquet reader sees them (docs/scale-out.md, "One dbt project for both engines").
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from bench.generate import generate
from pipelines.defs.project import DBT_PROJECT_DIR
from tests.support import hostile
from tests.support.dbt_on_spark import dbt_build_on_spark, node_results, spark_marts
from tests.support.loads import run_load_job, seed_raw_dir
from tests.support.paths import REPO_ROOT
from tests.support.reliability import MART_TABLES, mart_columns
from tests.support.spark_landing import export_landing
from tests.support.tables import render, seed_spec, write_text

pytestmark = pytest.mark.slow

GENERATED_DEPARTMENTS = 8
# dbt_project/seeds/department_aliases.csv renames the first to the second from 2025.
OLD_NAME, NEW_NAME = "示例市文化广电旅游体育局", "示例市文化和旅游局"
# What Spark or Hive write into the working directory unless told otherwise.
WORKING_DIRECTORY_DEBRIS = ("metastore_db", "derby.log", "spark-warehouse")


@dataclass(frozen=True)
class TwoEngines:
    duckdb_warehouse: Path
    duckdb_target: Path
    spark_dir: Path
    build_output: str
    landing_counts: dict[str, int]


def _raw_dir(root: Path) -> Path:
    raw = seed_raw_dir(root)
    hostile.populate(raw, root / "outside")
    generate(departments=GENERATED_DEPARTMENTS, seed=14, out=raw, years=(2023, 2024))
    renamed = dataclasses.replace(seed_spec(), department=f"{OLD_NAME}（本级）")
    write_text(raw / "2024" / f"{OLD_NAME}_2024.txt", render(renamed))
    write_text(raw / "2025" / f"{NEW_NAME}_2025.txt", render(dataclasses.replace(renamed, department=f"{NEW_NAME}(本级)")))
    return raw


@pytest.fixture(scope="module")
def engines(tmp_path_factory) -> TwoEngines:
    root = tmp_path_factory.mktemp("dbt-on-spark")
    database = root / "warehouse" / "budget.duckdb"
    assert run_load_job(_raw_dir(root), database, root / "dagster_home").success, "the DuckDB load failed"
    landing_counts = export_landing(database, root / "landing")
    build = dbt_build_on_spark(root / "landing", root / "spark")
    assert build.returncode == 0, f"dbt build --target spark failed:\n{build.stdout[-6000:]}\n{build.stderr[-3000:]}"
    return TwoEngines(
        duckdb_warehouse=database,
        duckdb_target=database.parent / f".{database.stem}.dbt-target",
        spark_dir=root / "spark",
        build_output=build.stdout,
        landing_counts=landing_counts,
    )


def test_the_load_gives_spark_rows_for_every_table_and_a_quarantined_file(engines):
    counts = engines.landing_counts
    # The seed's 10 projects, the hostile tables' 2 each, the renamed department's 10 twice, and
    # GENERATED_DEPARTMENTS generated tables in each of two years.
    assert counts["department_tables"] == 1 + len(hostile.LOADED) + 1 + 2 + 2 * GENERATED_DEPARTMENTS
    assert counts["project_evaluations"] == 1
    assert counts["indicator_results"] == 1
    with duckdb.connect(str(engines.duckdb_warehouse), read_only=True) as con:
        quarantined = con.execute(
            "select source_path from landing.load_issues where severity = 'error'"
        ).fetchall()
    assert (f"2024/{hostile.QUARANTINED.file_name}",) in quarantined


def test_every_model_seed_and_dbt_test_has_the_same_outcome_on_spark_as_on_duckdb(engines):
    spark = node_results(engines.spark_dir / "dbt-target")
    duck = node_results(engines.duckdb_target)
    assert len(spark) > 80  # 85 models, seeds, unit tests, data tests and hooks: none left out
    assert sum(node.startswith("test.budget_warehouse.not_null_columns_") for node in spark) == 17  # one a model and seed
    # One a model or seed that has expressions (two where some only warn), or lists of values.
    assert sum(node.startswith("test.budget_warehouse.expressions_are_true_") for node in spark) == 10
    assert sum(node.startswith("test.budget_warehouse.accepted_values_columns_") for node in spark) == 6
    assert set(spark) == set(duck)
    differing = {node: (duck[node], spark[node]) for node in spark if spark[node] != duck[node]}
    assert differing == {}
    assert {status for status, _ in spark.values()} <= {"success", "pass", "warn", "no-op"}


def test_every_mart_on_spark_has_the_duckdb_columns_and_types(engines):
    spark = spark_marts(engines.spark_dir, MART_TABLES)
    with duckdb.connect(str(engines.duckdb_warehouse), read_only=True) as duck:
        for mart in MART_TABLES:
            assert mart_columns(spark, mart) == mart_columns(duck, mart), mart


def test_every_mart_on_spark_equals_the_duckdb_mart_row_for_row(engines):
    spark = spark_marts(engines.spark_dir, MART_TABLES)
    with duckdb.connect(str(engines.duckdb_warehouse), read_only=True) as duck:
        for mart in MART_TABLES:
            expected, actual = _rows(duck, mart), _rows(spark, mart)
            assert expected, f"marts.{mart} is empty: the comparison would prove nothing"
            assert len(actual) == len(expected), mart
            for expected_row, actual_row in zip(expected, actual, strict=True):
                assert _same_row(expected_row, actual_row), f"marts.{mart}: DuckDB {expected_row} != Spark {actual_row}"


def test_spark_marts_hold_the_seed_and_the_renamed_department_as_duckdb_does(engines):
    spark = spark_marts(engines.spark_dir, MART_TABLES)
    seed = spark.execute(
        "select total_amount, project_count, indicator_count from marts.department_comparison "
        "where fiscal_year = 2024 and department_name = $name",
        {"name": seed_spec().department},
    ).fetchall()
    assert seed == [(Decimal("2177.86"), 10, 37)]
    # Both names of the renamed department are one department_id, so 2025 finds its prior year.
    renamed = spark.execute(
        "select prior_year_total_amount, change_pct from marts.department_comparison "
        "where fiscal_year = 2025 and department_name = $name",
        {"name": f"{NEW_NAME}(本级)"},
    ).fetchall()
    assert renamed == [(Decimal("2177.86"), 0.0)]
    quarantined = spark.execute(
        "select severity, message from marts.load_issues where source_path = $path",
        {"path": f"2024/{hostile.QUARANTINED.file_name}"},
    ).fetchall()
    assert [severity for severity, _ in quarantined] == ["error"]


def test_dbt_on_spark_writes_nothing_into_the_checkout(engines):
    for folder in (REPO_ROOT, DBT_PROJECT_DIR):
        assert [name for name in WORKING_DIRECTORY_DEBRIS if (folder / name).exists()] == []
    assert (engines.spark_dir / "warehouse" / "metastore_db").is_dir()


def _rows(con: duckdb.DuckDBPyConnection, mart: str) -> list[tuple]:
    """Every row of the mart in one order for both engines (by the values' text, nulls last)."""
    listed = ", ".join(f'"{name}"' for name, _ in mart_columns(con, mart))  # names from the catalog
    rows = [tuple(tuple(v) if isinstance(v, list) else v for v in row)
            for row in con.execute(f'select {listed} from marts."{mart}"').fetchall()]
    return sorted(rows, key=lambda row: tuple((value is None, _sort_text(value)) for value in row))


def _sort_text(value) -> str:
    # Doubles summed in another order may differ in the last bits: sort them by 12 digits.
    return f"{value:.12g}" if isinstance(value, float) else str(value)


def _same_row(expected: tuple, actual: tuple) -> bool:
    """Equal values, Decimal exactly; a double within 1e-12 relative (sums in another order)."""
    return len(expected) == len(actual) and all(
        math.isclose(e, a, rel_tol=1e-12) if isinstance(e, float) and isinstance(a, float) else e == a
        for e, a in zip(expected, actual, strict=True)
    )
