"""`budget-warehouse load --engine spark` against the DuckDB engine, from the same raw/.

One raw/ (the seed, generated departments over two years, a 自评表, a broken file, a file pandera
quarantines, a file whose sums do not add up, two files claiming one department, a FIFO) is loaded once by
each engine, as a user runs them (the CLI, in a subprocess; Spark in local mode, dbt-spark's
session method). The Parquet marts a BI tool reads must not tell the engines apart: every mart of
the dbt manifest, column for column, type for type, row for row. The quarantine reports and the
exit codes must be the same too.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from bench.generate import generate
from tests.support import project_forms
from tests.support.cli import LoadRun, load_cli
from tests.support.paths import REPO_ROOT, SEED_PATH
from tests.support.reliability import MART_TABLES, _hashable
from tests.support.tables import line_index, render, seed_spec, write_csv, write_text

pytestmark = pytest.mark.slow

SEED = seed_spec()
LANDING = (
    "raw_files", "department_tables", "funding_units", "projects", "indicators", "project_evaluations",
    "indicator_results", "load_issues",
)
# When a row was loaded or a problem found: the only values two loads of one raw/ do not share.
_LOAD_TIMES = {"loaded_at", "checked_at", "detected_at"}
BROKEN = "2024/bad_amount.txt"
QUARANTINED_BY_PANDERA = "2024/duplicate.csv"


@dataclass(frozen=True)
class EngineLoads:
    raw: Path
    duckdb: LoadRun
    spark: LoadRun
    duckdb_warehouse: Path
    spark_warehouse: Path
    conflicting: tuple[str, str]


def _write_raw(raw: Path) -> tuple[str, str]:
    (raw / "2024").mkdir(parents=True)
    (raw / "2024" / "seed.txt").write_bytes(SEED_PATH.read_bytes())
    generate(departments=3, seed=14, out=raw, years=(2023, 2024))
    evaluation = project_forms.evaluation_sheet(project_forms.consistent_self_evaluation(SEED.department), year=2024)
    project_forms.write_xlsx(raw / "2024" / "seed_自评表.xlsx", {"自评": evaluation})
    bad = render(dataclasses.replace(SEED, department="广州市越秀区坏金额局"))
    bad[line_index(bad, "业务用房物业管理费")][1] = "1O8.38"  # a letter O: the parser quarantines it
    write_text(raw / BROKEN, bad, encoding="gb18030")
    duplicate = dataclasses.replace(SEED, department="广州市越秀区重复项目局")
    unit = duplicate.units[0]
    doubled = dataclasses.replace(unit, projects=(*unit.projects, unit.projects[6]))  # pandera: a duplicate project
    write_csv(raw / QUARANTINED_BY_PANDERA, render(dataclasses.replace(duplicate, units=(doubled,))))
    mismatch = render(dataclasses.replace(SEED, department="广州市越秀区算术示例局"))
    mismatch[line_index(mismatch, "业务用房物业管理费")][1] = "118.38"  # loads, with warnings
    write_text(raw / "2024" / "arithmetic.txt", mismatch)
    os.mkfifo(raw / "2024" / "pipe.txt")  # an entry discovery cannot read: reported, never opened
    generated = min((raw / "2023").iterdir())
    copy = generated.with_name("copy_of_" + generated.name)  # the same department and year: a conflict
    shutil.copyfile(generated, copy)
    return tuple(sorted(str(p.relative_to(raw)) for p in (generated, copy)))  # type: ignore[return-value]


@pytest.fixture(scope="module")
def loads(tmp_path_factory: pytest.TempPathFactory) -> EngineLoads:
    root = tmp_path_factory.mktemp("engines")
    raw = root / "raw"
    conflicting = _write_raw(raw)
    duckdb_warehouse = root / "duckdb" / "budget.duckdb"
    spark_warehouse = root / "spark" / "budget.duckdb"
    return EngineLoads(
        raw=raw,
        duckdb=load_cli(raw, duckdb_warehouse),
        spark=load_cli(raw, spark_warehouse, engine="spark"),
        duckdb_warehouse=duckdb_warehouse,
        spark_warehouse=spark_warehouse,
        conflicting=conflicting,
    )


def test_both_engines_exit_3_for_the_same_quarantined_and_conflicting_files(loads: EngineLoads) -> None:
    assert loads.duckdb.exit_code == 3, loads.duckdb.explain()
    assert loads.spark.exit_code == 3, loads.spark.explain()
    for run in (loads.duckdb, loads.spark):
        assert run.summary["success"], run.explain()
        assert (run.summary["quarantined_files"], run.summary["conflicting_files"]) == (2, 2)
        assert run.summary["unread_entries"] == 1


def test_the_summaries_report_the_same_counts_and_issues(loads: EngineLoads) -> None:
    keys = (
        "files", "quarantined_files", "conflicting_files", "departments", "projects", "indicators",
        "total_amount", "mart_rows", "issues", "unread_entries",
    )
    duck, spark = loads.duckdb.summary, loads.spark.summary
    assert {k: spark[k] for k in keys} == {k: duck[k] for k in keys}
    # Real values: the seed (10 projects, 2,177.86 万元) is among them, the broken file is named.
    # The seed, the arithmetic file and 3 generated departments in 2 years, less the year in conflict.
    assert (duck["departments"], duck["projects"], duck["indicators"]) == (7, 76, 286)
    assert any(BROKEN in issue and "'1O8.38' is not a number" in issue for issue in spark["issues"])
    assert sum(1 for issue in spark["issues"] if "[conflict]" in issue) == 2


def test_every_mart_parquet_has_the_same_columns_and_types(loads: EngineLoads) -> None:
    assert MART_TABLES, "no marts in the dbt manifest"
    for mart in MART_TABLES:
        duck, spark = (_parquet(w, mart) for w in (loads.duckdb_warehouse, loads.spark_warehouse))
        assert _columns(spark) == _columns(duck), mart
        assert sorted(p.name for p in spark.parent.glob("*.parquet")) == sorted(p.name for p in duck.parent.glob("*.parquet")), (
            f"{mart}: the same departments in the same bucket files"
        )


@pytest.mark.parametrize("mart", MART_TABLES)
def test_every_mart_parquet_is_equal_row_for_row(loads: EngineLoads, mart: str) -> None:
    duck = _rows(_parquet(loads.duckdb_warehouse, mart))
    spark = _rows(_parquet(loads.spark_warehouse, mart))
    assert duck, f"marts.{mart} is empty: the comparison would prove nothing"
    assert spark == duck


def test_seed_department_totals_are_the_published_ones_on_spark(loads: EngineLoads) -> None:
    with duckdb.connect() as con:
        rows = con.execute(
            "select project_count, total_amount from read_parquet(?) where department_name = ?",
            [str(_parquet(loads.spark_warehouse, "department_comparison")), SEED.department],
        ).fetchall()
    assert [(count, str(total)) for count, total in rows] == [(10, "2177.86")]


@pytest.mark.parametrize("table", LANDING)
def test_landing_tables_are_equal_row_for_row(loads: EngineLoads, table: str) -> None:
    """What the executors parsed, validated and typed is what the DuckDB engine staged."""
    with duckdb.connect(str(loads.duckdb_warehouse), read_only=True) as con:
        columns = [c for c in con.sql(f"select * from landing.{table}").columns if c not in _LOAD_TIMES]
        listed = ", ".join(columns)  # names from the catalog
        duck = _sorted(con.execute(f"select {listed} from landing.{table}").fetchall())
    folder = loads.spark_warehouse.parent / "spark" / "landing" / table
    with duckdb.connect() as con:
        spark = _sorted(
            con.execute(
                f"select {listed} from read_parquet(?, hive_partitioning = true)", [str(folder / "**" / "*.parquet")]
            ).fetchall()
        )
    assert duck, f"landing.{table} is empty: the comparison would prove nothing"
    assert spark == duck


def test_the_spark_landing_is_parquet_partitioned_by_fiscal_year(loads: EngineLoads) -> None:
    landing = loads.spark_warehouse.parent / "spark" / "landing"
    years = sorted(p.name for p in (landing / "indicators").glob("fiscal_year=*"))
    assert years == ["fiscal_year=2023", "fiscal_year=2024"]
    assert not list((landing / "raw_files").glob("fiscal_year=*"))
    assert list((landing / "load_issues").glob("*.parquet"))


def test_the_assets_name_their_engine_in_their_metadata(loads: EngineLoads) -> None:
    for warehouse, engine in ((loads.duckdb_warehouse, "duckdb"), (loads.spark_warehouse, "spark")):
        with dg.DagsterInstance.from_config(str(warehouse.parent / "dagster_home")) as instance:
            for key in (["landing", "department_tables"], ["marts", "budget_by_project"]):
                event = instance.get_latest_materialization_event(dg.AssetKey(key))
                assert event is not None, (engine, key)
                metadata = event.asset_materialization.metadata
                assert metadata["engine"].value == engine, (engine, key)


def test_spark_leaves_no_metastore_or_warehouse_folder_in_the_checkout(loads: EngineLoads) -> None:
    for debris in (
        "metastore_db", "derby.log", "spark-warehouse",
        "dbt_project/metastore_db", "dbt_project/derby.log", "dbt_project/spark-warehouse",
    ):
        assert not (REPO_ROOT / debris).exists(), debris


def _parquet(warehouse: Path, mart: str) -> Path:
    """The mart's bucket files, as the glob a BI user reads them by (docs/queries.md)."""
    folder = warehouse.parent / "parquet" / mart
    assert list(folder.glob("part-*.parquet")), f"{folder} has no bucket file"
    assert not (warehouse.parent / "parquet" / f"{mart}.parquet").exists(), "the single file of the old layout"
    return folder / "*.parquet"


def _columns(path: Path) -> list[tuple[str, str]]:
    with duckdb.connect() as con:
        return [(name, kind) for name, kind, *_ in con.execute("describe select * from read_parquet(?)", [str(path)]).fetchall()]


def _rows(path: Path) -> list[tuple]:
    columns = [name for name, kind in _columns(path) if not kind.startswith("TIMESTAMP")]
    listed = ", ".join(f'"{name}"' for name in columns)  # names from the file's own schema
    with duckdb.connect() as con:
        return _sorted(con.execute(f"select {listed} from read_parquet(?)", [str(path)]).fetchall())


def _sorted(rows: list[tuple]) -> list[tuple]:
    rows = [tuple(_hashable(value) for value in row) for row in rows]
    return sorted(rows, key=lambda row: tuple((value is None, str(value)) for value in row))
