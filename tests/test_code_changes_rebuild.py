"""A new parser re-reads every file and new dbt models are rebuilt, even when raw/ did not change."""

from datetime import UTC, datetime

import dagster as dg
import duckdb

from pipelines.load.discover import discover_raw_files
from pipelines.load.stage import stage_raw_files
from pipelines.warehouse import fingerprints
from tests.support.loads import run_load_job, seed_raw_dir

_OLD_INDICATORS = """
create schema landing;
create table landing.indicators (
    source_path varchar not null, source_sha256 varchar not null, source_line integer not null,
    loaded_at timestamp with time zone not null, fiscal_year integer not null,
    department_name varchar not null, unit_name varchar not null, project_name varchar not null,
    indicator_seq integer not null, level1_code varchar, level1_name varchar not null,
    level2_code varchar, level2_name varchar not null, indicator_name varchar not null,
    period_target_text varchar, annual_target_text varchar
);
"""


def _stage(con, raw):
    return stage_raw_files(con, discover_raw_files(raw), now=datetime.now(UTC))


def test_unchanged_files_are_not_parsed_again_by_the_same_parser(tmp_path):
    raw = seed_raw_dir(tmp_path)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        assert _stage(con, raw).parsed == 1
        second = _stage(con, raw)
    assert (second.parsed, second.unchanged, second.changed) == (0, 1, False)


def test_a_warehouse_built_by_another_parser_is_read_again_in_full(tmp_path):
    raw = seed_raw_dir(tmp_path)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        # As an older version left it: fewer columns, no record of the parser that built it.
        con.execute(_OLD_INDICATORS)
        outcome = _stage(con, raw)
        typed = con.execute(
            "select count(*) from landing.indicators where annual_kind is not null and period_kind is not null"
        ).fetchone()[0]
        stored = fingerprints.read(con, fingerprints.PARSER)
    assert (outcome.parsed, outcome.loaded) == (1, [next(iter(discover_raw_files(raw))).source_path])
    assert typed == 37
    assert stored == fingerprints.parser_fingerprint()


def test_changed_dbt_models_are_rebuilt_although_raw_is_unchanged(tmp_path):
    raw = seed_raw_dir(tmp_path)
    database = tmp_path / "warehouse" / "budget.duckdb"
    assert run_load_job(raw, database, tmp_path / "home1").success
    unchanged = run_load_job(raw, database, tmp_path / "home2")
    assert not _built_marts(unchanged)

    with duckdb.connect(str(database)) as con:  # stands in for a deploy of new models
        fingerprints.write(con, fingerprints.MODELS, "models of an earlier version")
    rebuilt = run_load_job(raw, database, tmp_path / "home3")
    assert rebuilt.success
    assert "marts/budget_by_project" in _built_marts(rebuilt)
    with duckdb.connect(str(database), read_only=True) as con:
        assert fingerprints.read(con, fingerprints.MODELS) == fingerprints.model_fingerprint()


def _built_marts(result: dg.ExecuteInProcessResult) -> set[str]:
    return {
        event.asset_key.to_user_string()
        for event in result.get_asset_materialization_events()
        if event.asset_key.path[0] == "marts"
    }
