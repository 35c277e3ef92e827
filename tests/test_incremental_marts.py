"""Incremental marts equal a full rebuild after any sequence of loads, and really are incremental
(docs/warehouse.md, "Incremental marts").

One raw/ folder and one warehouse go through the loads a year brings, each through the CLI:
1. first load: the seed department, another department with its 自评表, two generated ones;
2. a department added, another's table changed;
3. the other department's 目标表 removed (its 自评表 stays: target_achievement rows of an unchanged
   file lose their link), the seed's table replaced by a broken version (quarantined);
4. the broken table fixed, the 目标表 back;
5. a new parser (every file read again);
6. a new department_aliases seed (the marts that use department ids rebuild in full).
After each load every mart equals, row for row and column for column, what `dbt run
--full-refresh` builds from the same landing rows; after the fix, what a load from scratch of the
same raw/ builds. dbt's run results show which marts ran incrementally.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from bench.generate import generate
from tests.support import project_forms, reliability
from tests.support.cli import LoadRun, _summary, load_cli, query
from tests.support.paths import SEED_PATH
from tests.support.project_copy import copy_project, environment
from tests.support.tables import line_index, render, seed_spec, write_text, write_xlsx

pytestmark = pytest.mark.slow

SEED = seed_spec()
OPS = "2024年信息化运维项目"
OTHER = dataclasses.replace(SEED, department="广州市越秀区另一局")
OTHER_CHANGED = OTHER.with_project(OPS, fiscal=Decimal("1159.11"))
ADDED = dataclasses.replace(SEED, department="广州市越秀区新增局")
RENAMED = "广州市越秀区改名局"
# Its one indicator is also in OTHER's 目标表 (系统可使用率, ≥95%): target_achievement links the two.
LINKED_SELF_EVALUATION = dataclasses.replace(
    project_forms.consistent_self_evaluation(OTHER.department),
    indicators=(project_forms.Indicator("产出指标", "质量指标", "系统可使用率", "≥95%", actual="98%", weight="90", score="90"),),
)
PER_FILE_MARTS = ("budget_by_project", "indicator_targets", "load_issues")
DEPARTMENT_MARTS = ("indicator_counts_by_category", "project_evaluation", "target_achievement", "target_quality")
INCREMENTAL_MARTS = PER_FILE_MARTS + DEPARTMENT_MARTS


@dataclass(frozen=True)
class Step:
    name: str
    run: LoadRun
    model_runs: dict[str, str]  # mart -> 'incremental' | 'full', from dbt's run results
    marts: dict[str, list[tuple]]  # every mart as the load published it
    rebuilt: dict[str, list[tuple]]  # every mart as `dbt run --full-refresh` builds it from the same landing
    warehouse: Path  # a copy of the warehouse as this load published it
    markers_kept: bool | None = None  # rows of an unchanged file planted with a marker kept it
    test_runs: dict[str, str] = dataclasses.field(default_factory=dict)  # dbt test -> 'scoped' | 'full'
    parquet_differences: dict[str, tuple[int, int]] = dataclasses.field(default_factory=dict)  # mart -> rows missing, extra


def _load_with_project(project: Path, raw: Path, warehouse: Path) -> LoadRun:
    """The CLI of a copy of the project (another seed), as a deploy of new code would run it."""
    home = warehouse.parent / "dagster_home"
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "load", "--raw-dir", str(raw), "--warehouse", str(warehouse), "--json"],
        cwd=project, env=environment(project, DAGSTER_HOME=str(home)), capture_output=True, text=True, timeout=900, check=False,
    )
    return LoadRun(done.returncode, _summary(done.stdout), done.stdout, done.stderr)


_MARKER = " (marker)"


def _plant_markers(warehouse: Path) -> None:
    """Tag the seed department's rows in a per-file and a per-department mart: rows a load does not
    rebuild keep the tag; rows it rebuilds lose it."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute("update marts.budget_by_project set unit_name = unit_name || $m where source_path = '2024/seed.txt'", {"m": _MARKER})
        con.execute("update marts.target_quality set unit_name = unit_name || $m where department_name = $d", {"m": _MARKER, "d": SEED.department})


def _markers_kept_then_removed(warehouse: Path) -> bool:
    with duckdb.connect(str(warehouse)) as con:
        kept = [
            con.execute(f"select count(*) from marts.{table} where ends_with(unit_name, $m)", {"m": _MARKER}).fetchone()[0]
            for table in ("budget_by_project", "target_quality")  # constant names
        ]
        for table in ("budget_by_project", "target_quality"):
            con.execute(f"update marts.{table} set unit_name = replace(unit_name, $m, '')", {"m": _MARKER})
    return all(count > 0 for count in kept)


def _parquet_differences(warehouse: Path) -> dict[str, tuple[int, int]]:
    """Each mart's Parquet folder against the mart: rows missing from it and rows it has in excess."""
    differences = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table in reliability.MART_TABLES:
            files = str(warehouse.parent / "parquet" / table / "*.parquet")
            differences[table] = tuple(
                con.execute(f"select count(*) from ({query})", [files]).fetchone()[0]  # constant table names
                for query in (f"select * from marts.{table} except all select * from read_parquet(?)",
                              f"select * from read_parquet(?) except all select * from marts.{table}")
            )
    return differences


@pytest.fixture(scope="module")
def steps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Step]:
    root = tmp_path_factory.mktemp("incremental")
    raw, warehouse = root / "raw", root / "warehouse" / "budget.duckdb"
    year = raw / "2024"
    year.mkdir(parents=True)
    (year / "seed.txt").write_bytes(SEED_PATH.read_bytes())
    write_xlsx(year / "other.xlsx", render(OTHER))
    evaluation = project_forms.evaluation_sheet(LINKED_SELF_EVALUATION, year=2024)
    project_forms.write_xlsx(year / "other_自评表.xlsx", {"自评": evaluation})
    generate(departments=2, seed=11, out=raw)
    done: dict[str, Step] = {}

    def step(name: str, load=None, *, markers: bool = False, project: Path | None = None) -> None:
        if markers:
            _plant_markers(warehouse)
        run = (load or load_cli)(raw, warehouse)
        assert run.summary and run.summary["success"], f"{name}: {run.explain()}"
        parquet = _parquet_differences(warehouse)
        kept = _markers_kept_then_removed(warehouse) if markers else None
        model_runs = {m: kind for m, kind in reliability.dbt_model_runs(warehouse).items() if m in reliability.MART_TABLES}
        rebuilt = reliability.marts_rebuilt_in_full(warehouse, root / f"rebuilt-{name}", project=project)
        published = reliability.copy_warehouse(warehouse, root / f"after-{name}")
        done[name] = Step(name, run, model_runs, reliability.mart_contents(warehouse), reliability.mart_contents(rebuilt),
                          published, kept, reliability.dbt_test_runs(warehouse), parquet)

    step("first")

    write_xlsx(year / "added.xlsx", render(ADDED))
    write_xlsx(year / "other.xlsx", render(OTHER_CHANGED))
    step("added_and_changed", markers=True)

    (year / "other.xlsx").unlink()
    broken = render(SEED)
    broken[line_index(broken, "水电费")][2] = "三十三"
    write_text(year / "seed.txt", broken)
    step("removed_and_quarantined")

    write_xlsx(year / "other.xlsx", render(OTHER_CHANGED))
    (year / "seed.txt").write_bytes(SEED_PATH.read_bytes())
    step("fixed")
    scratch = load_cli(raw, root / "scratch" / "budget.duckdb")
    assert scratch.summary and scratch.summary["success"], scratch.explain()
    done["scratch"] = Step("scratch", scratch, {}, reliability.mart_contents(root / "scratch" / "budget.duckdb"), {},
                           root / "scratch" / "budget.duckdb")

    with duckdb.connect(str(warehouse)) as con:  # as a warehouse built by an older parser is left
        con.execute("update landing.build_state set value = 'an older parser' where key = 'parser_fingerprint'")
    step("new_parser")

    project = copy_project(root / "project")
    aliases = project / "dbt_project" / "seeds" / "department_aliases.csv"
    aliases.write_text(aliases.read_text(encoding="utf-8") + f"{OTHER.department},{RENAMED},2024\n", encoding="utf-8")
    step("new_seed", lambda r, w: _load_with_project(project, r, w), project=project)
    return done


STEPS = ("first", "added_and_changed", "removed_and_quarantined", "fixed", "new_parser", "new_seed")


@pytest.mark.parametrize("name", STEPS)
def test_the_parquet_copies_equal_the_marts_after_each_load(steps: dict[str, Step], name: str) -> None:
    """The export after an incremental build checks only the changed departments' buckets ("fixed":
    the load before it left the published file as it exported it), after any other the whole marts."""
    assert steps[name].parquet_differences == dict.fromkeys(reliability.MART_TABLES, (0, 0))


@pytest.mark.parametrize("name", STEPS)
@pytest.mark.parametrize("table", reliability.MART_TABLES)
def test_every_mart_equals_a_full_rebuild_after_each_load(steps: dict[str, Step], name: str, table: str) -> None:
    step = steps[name]
    assert step.marts[table] == step.rebuilt[table]


@pytest.mark.parametrize("table", reliability.MART_TABLES)
def test_after_the_fix_every_mart_equals_a_load_from_scratch(steps: dict[str, Step], table: str) -> None:
    fixed = reliability.mart_contents(steps["fixed"].warehouse, without_load_times=True)[table]
    scratch = reliability.mart_contents(steps["scratch"].warehouse, without_load_times=True)[table]
    # load_issues has rows in the quarantined step (compared with a full rebuild there); none now.
    assert fixed or table == "load_issues", f"marts.{table} is empty: the comparison would prove nothing"
    assert fixed == scratch


@pytest.mark.parametrize("name", ["added_and_changed", "removed_and_quarantined", "fixed", "new_parser"])
def test_loads_after_the_first_build_the_large_marts_incrementally(steps: dict[str, Step], name: str) -> None:
    runs = steps[name].model_runs
    assert {mart: runs.get(mart) for mart in INCREMENTAL_MARTS} == dict.fromkeys(INCREMENTAL_MARTS, "incremental")
    assert runs["department_comparison"] == "full"  # ranks and prior years: a table, rebuilt every time


@pytest.mark.parametrize("name", ["first", "new_seed"])
def test_the_first_build_and_a_new_seed_rebuild_every_mart(steps: dict[str, Step], name: str) -> None:
    assert set(steps[name].model_runs.values()) == {"full"}
    assert set(steps[name].model_runs) == set(reliability.MART_TABLES)


def test_rows_of_unchanged_files_are_not_rebuilt(steps: dict[str, Step]) -> None:
    assert steps["added_and_changed"].markers_kept is True


def test_the_added_department_and_the_changed_amount_arrive(steps: dict[str, Step]) -> None:
    published = steps["added_and_changed"].warehouse
    sql = "select count(*), sum(total_amount) from marts.budget_by_project where department_name = $d"
    assert query(published, sql, {"d": ADDED.department}) == [(10, Decimal("2177.86"))]
    assert query(published, sql, {"d": OTHER.department}) == [(10, Decimal("1977.86"))]


def test_a_removed_target_table_unlinks_the_unchanged_self_evaluation(steps: dict[str, Step]) -> None:
    linked = (
        "select count(*), count(target_indicator_id) from marts.target_achievement "
        "where department_name = $d and source_path = '2024/other_自评表.xlsx'"
    )
    (count, linked_before), = query(steps["added_and_changed"].warehouse, linked, {"d": OTHER.department})
    assert count > 0 and linked_before == count
    assert query(steps["removed_and_quarantined"].warehouse, linked, {"d": OTHER.department}) == [(count, 0)]
    assert query(steps["fixed"].warehouse, linked, {"d": OTHER.department}) == [(count, count)]


def test_the_quarantined_table_keeps_its_last_good_rows_and_reports_its_issue(steps: dict[str, Step]) -> None:
    published = steps["removed_and_quarantined"].warehouse
    projects = "select count(*) from marts.budget_by_project where department_name = $d"
    assert query(published, projects, {"d": SEED.department}) == [(10,)]
    assert query(published, projects, {"d": OTHER.department}) == [(0,)]
    issues = "select category from marts.load_issues where source_path = '2024/seed.txt'"
    assert query(published, issues) == [("bad_amount",)]
    assert query(steps["fixed"].warehouse, issues) == []


def test_the_new_alias_renames_the_department_everywhere(steps: dict[str, Step]) -> None:
    ids = (
        "select distinct department_id from marts.{} where department_name = $d"
    )
    for table in ("budget_by_project", "indicator_targets", "target_achievement", "department_comparison"):
        (before,), = query(steps["new_parser"].warehouse, ids.format(table), {"d": OTHER.department})
        (after,), = query(steps["new_seed"].warehouse, ids.format(table), {"d": OTHER.department})
        (renamed,), = query(steps["new_seed"].warehouse, "select md5($n)", {"n": RENAMED})
        assert before != after == renamed, table


def test_a_scoped_build_tests_the_changed_files_rows_of_staging_and_leaves_out_unit_tests_and_seeds(
    steps: dict[str, Step],
) -> None:
    first, scoped = steps["first"].test_runs, steps["added_and_changed"].test_runs

    def staging(runs: dict[str, str], test: str) -> set[str]:
        return {kind for node, kind in runs.items() if node.startswith(f"test.budget_warehouse.{test}_stg_")}

    assert staging(first, "not_null_columns") == {"full"} and staging(scoped, "not_null_columns") == {"scoped"}
    assert staging(scoped, "relationships") == {"scoped"}, "from the child's side: the changed files' indicators"
    assert staging(scoped, "unique") == {"scoped"}, "within the changed departments (tests/test_scoped_dbt_tests.py)"
    merged = {kind for node, kind in scoped.items()
              if node.startswith(("test.budget_warehouse.expressions_are_true_indicator_targets",
                                  "test.budget_warehouse.accepted_values_columns_indicator_targets"))}
    assert merged == {"scoped"}, "an incremental mart's merged row-level tests read its rebuilt rows"
    assert any(node.startswith(("unit_test.", "seed.")) for node in first)
    assert not any(node.startswith(("unit_test.", "seed.")) for node in scoped), "they change only with the project"
    of_seeds = _tests_of_seeds()
    assert len(of_seeds) == 10 and of_seeds <= first.keys()
    assert not of_seeds & scoped.keys(), "a seed's own tests change only with the project, as the seed does"
    assert "test.budget_warehouse.assert_target_units_are_in_unit_conversions" in scoped, "it reads a mart and a seed"


def _tests_of_seeds() -> set[str]:
    from pipelines.defs.project import ensure_manifest

    manifest = json.loads(ensure_manifest().read_text(encoding="utf-8"))
    return {node_id for node_id, node in manifest["nodes"].items()
            if node["resource_type"] == "test" and (node.get("attached_node") or "").startswith("seed.")}
