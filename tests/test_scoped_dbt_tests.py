"""A scoped dbt build tests the unique keys of the staging views and of the incremental marts, and
the marts' reconciliation with the landing, within the changed departments only, and still catches
a violation a load brings in (dbt_project/macros/incremental/scoped_tests.sql).

dbt runs for real on a copy of a loaded warehouse, with a duplicate planted in one department's
landing rows and the change set naming the departments a load would have changed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from bench.generate import generate
from tests.support import reliability
from tests.support.loads import run_load_job, seed_raw_dir
from tests.support.paths import REPO_ROOT
from tests.support.seed_expectations import SEED_DEPARTMENT

_UNIQUE_INDICATOR = "unique_stg_indicators_indicator_id"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("scoped-tests")
    raw = seed_raw_dir(root)
    generate(departments=1, seed=11, out=raw)
    database = root / "warehouse" / "budget.duckdb"
    assert run_load_job(raw, database, root / "dagster_home").success
    return database


def _with_duplicate(loaded: Path, target: Path, *, changed_department: str | None) -> Path:
    """A copy with one of the seed's indicators twice, and a change set naming `changed_department`."""
    copy = reliability.copy_warehouse(loaded, target)
    with duckdb.connect(str(copy)) as con:
        con.execute(
            "insert into landing.indicators select * from landing.indicators where department_name = $d limit 1",
            {"d": SEED_DEPARTMENT},
        )
        if changed_department is not None:
            con.execute(
                "insert into landing.load_changes select source_path, 'loaded', fiscal_year, department_name, now() "
                "from landing.department_tables where department_name = $d",
                {"d": changed_department},
            )
    return copy


def _dbt(copy: Path, target: Path, *, scope: str, select: str = "stg_indicators", command: str = "test",
         flags: tuple[str, ...] = ()) -> dict[str, str]:
    """Each node's status by name (pass, fail, warn, success, skipped). dbt must have run them: a
    node in error, or a non-zero exit that no failing test explains, fails the calling test."""
    dbt, project = str(Path(sys.executable).with_name("dbt")), REPO_ROOT / "dbt_project"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUDGET_")}
    env.update(BUDGET_DBT_DATABASE=str(copy), BUDGET_DBT_TEST_SCOPE=scope)
    done = subprocess.run(
        [dbt, command, *flags, "--select", select, "--project-dir", str(project), "--profiles-dir", str(project),
         "--target-path", str(target / "dbt-target"), "--log-path", str(target / "dbt-logs")],
        cwd=project, env=env, capture_output=True, text=True, timeout=600, check=False,
    )
    output = f"dbt {command} --select {select} exited {done.returncode}:\n{done.stdout[-4000:]}{done.stderr[-2000:]}"
    assert (target / "dbt-target" / "run_results.json").exists(), output
    statuses = {node.split(".")[2]: status for node, status in reliability.dbt_results(target / "dbt-target").items()}
    assert statuses, f"dbt ran no node: {output}"
    errors = sorted(name for name, status in statuses.items() if status not in _RAN)
    assert not errors, f"dbt could not run {errors}: {output}"
    assert done.returncode == 0 or "fail" in statuses.values(), output
    return statuses


# What a node that ran may end with; anything else (error, runtime error) is dbt failing to run it.
_RAN = {"pass", "fail", "warn", "success", "skipped"}


def _of(statuses: dict[str, str], names: set[str]) -> dict[str, str | None]:
    return {name: statuses.get(name) for name in names}


def _build_marts(copy: Path, target: Path) -> None:
    """`dbt run` of the marts, as a load's build would (each departments-scope mart's pre-hook writes its change set)."""
    statuses = _dbt(copy, target, scope="changes", select="marts", command="run")
    assert set(statuses.values()) == {"success"}, statuses


def _other_department(loaded: Path) -> str:
    with duckdb.connect(str(loaded), read_only=True) as con:
        [(name,)] = con.execute(
            "select department_name from landing.department_tables where department_name <> $d", {"d": SEED_DEPARTMENT}
        ).fetchall()
    return name


def test_a_duplicate_key_in_a_changed_department_fails_the_scoped_test(loaded, tmp_path):
    copy = _with_duplicate(loaded, tmp_path / "copy", changed_department=SEED_DEPARTMENT)
    assert _dbt(copy, tmp_path, scope="changes")[_UNIQUE_INDICATOR] == "fail"


def test_the_scoped_test_reads_only_the_changed_departments(loaded, tmp_path):
    # A duplicate no load could bring in unnoticed (its department did not change since a build
    # that tested it), planted to show which rows the test reads.
    copy = _with_duplicate(loaded, tmp_path / "copy", changed_department=_other_department(loaded))
    assert _dbt(copy, tmp_path / "scoped", scope="changes")[_UNIQUE_INDICATOR] == "pass"
    assert _dbt(copy, tmp_path / "every-row", scope="")[_UNIQUE_INDICATOR] == "fail"


# The marts' unique keys (meta unique_scope, set by incremental_mart).
_UNIQUE_TARGET = "unique_indicator_targets_indicator_id"
_UNIQUE_TARGET_COMBINATION = "unique_combination_indicator_targets_fiscal_year__department_name__unit_name__project_name__indicator_seq"
_UNIQUE_QUALITY = "unique_target_quality_project_id"
_UNIQUE_QUALITY_COMBINATION = "unique_combination_target_quality_fiscal_year__department_name__unit_name__project_name"
_UNIQUE_PROJECT = "unique_budget_by_project_project_id"
_RECONCILE = "assert_marts_reconcile_with_sources"


def _changed(con: duckdb.DuckDBPyConnection, department: str) -> None:
    """The change set a load that rewrote `department`'s table records."""
    con.execute(
        "insert into landing.load_changes select source_path, 'loaded', fiscal_year, department_name, now() "
        "from landing.department_tables where department_name = $d",
        {"d": department},
    )


def _changed_and_built(loaded: Path, target: Path, department: str) -> Path:
    """A copy with `department` in the change set and the marts built from it: the scope tables of
    the departments-scope marts exist, whose relationship tests a selection of their parent holds."""
    copy = reliability.copy_warehouse(loaded, target)
    with duckdb.connect(str(copy)) as con:
        _changed(con, department)
    _build_marts(copy, target / "build")
    return copy


def _mart_with_duplicate(loaded: Path, target: Path, mart: str, *, changed_department: str) -> Path:
    """A copy whose `mart` holds one of the seed department's rows twice, and a change set naming
    `changed_department`, with the departments-scope marts' scope tables of such a build."""
    copy = reliability.copy_warehouse(loaded, target)
    with duckdb.connect(str(copy)) as con:
        _changed(con, changed_department)
    _build_marts(copy, target / "build")
    with duckdb.connect(str(copy)) as con:
        con.execute(f"insert into marts.{mart} select * from marts.{mart} where department_name = $d limit 1",
                    {"d": SEED_DEPARTMENT})
    return copy


@pytest.mark.parametrize(
    ("mart", "tests"),
    [("indicator_targets", {_UNIQUE_TARGET, _UNIQUE_TARGET_COMBINATION}),  # files scope
     ("target_quality", {_UNIQUE_QUALITY, _UNIQUE_QUALITY_COMBINATION})],  # departments scope
)
def test_a_duplicate_in_a_changed_department_fails_the_scoped_mart_tests(loaded, tmp_path, mart, tests):
    copy = _mart_with_duplicate(loaded, tmp_path / "copy", mart, changed_department=SEED_DEPARTMENT)
    assert _of(_dbt(copy, tmp_path / "scoped", scope="changes", select=mart), tests) == dict.fromkeys(tests, "fail")


@pytest.mark.parametrize(
    ("mart", "tests"),
    [("indicator_targets", {_UNIQUE_TARGET, _UNIQUE_TARGET_COMBINATION}),
     ("target_quality", {_UNIQUE_QUALITY, _UNIQUE_QUALITY_COMBINATION})],
)
def test_the_scoped_mart_tests_read_only_the_changed_departments(loaded, tmp_path, mart, tests):
    # Planted where no load could bring it in unnoticed, to show which rows the tests read.
    copy = _mart_with_duplicate(loaded, tmp_path / "copy", mart, changed_department=_other_department(loaded))
    assert _of(_dbt(copy, tmp_path / "scoped", scope="changes", select=mart), tests) == dict.fromkeys(tests, "pass")
    assert _of(_dbt(copy, tmp_path / "every-row", scope="", select=mart), tests) == dict.fromkeys(tests, "fail")


def test_an_id_shared_across_departments_by_the_separator_fails_the_scoped_test(loaded, tmp_path):
    # hashed_id joins by '|': a new department 某局|甲 with unit 乙 would share the ids of 某局's
    # unit 甲|乙. Planted as such a row: another department's project_id under a name with a '|'.
    copy = reliability.copy_warehouse(loaded, tmp_path / "copy")
    other, changed = _other_department(loaded), f"{SEED_DEPARTMENT}|甲"
    with duckdb.connect(str(copy)) as con:
        # The new department's file, and no other department, in the change set.
        con.execute(
            "insert into landing.load_changes select '2024/new.txt', 'loaded', fiscal_year, $changed, now() "
            "from landing.department_tables where department_name = $other",
            {"changed": changed, "other": other},
        )
    _build_marts(copy, tmp_path / "build")  # the scope tables of the marts whose tests the selection holds
    with duckdb.connect(str(copy)) as con:
        con.execute(
            "insert into marts.budget_by_project select * replace ($changed as department_name) "
            "from marts.budget_by_project where department_name = $other limit 1",
            {"changed": changed, "other": other},
        )
    assert _dbt(copy, tmp_path / "scoped", scope="changes", select="budget_by_project")[_UNIQUE_PROJECT] == "fail"


def _with_lost_project(loaded: Path, target: Path, *, changed_department: str) -> Path:
    """A copy whose budget_by_project lost one of the seed department's projects."""
    copy = _changed_and_built(loaded, target, changed_department)
    with duckdb.connect(str(copy)) as con:
        con.execute(
            "delete from marts.budget_by_project where project_id = "
            "(select min(project_id) from marts.budget_by_project where department_name = $d)",
            {"d": SEED_DEPARTMENT},
        )
    return copy


def test_a_mart_that_lost_a_changed_departments_project_fails_the_scoped_reconciliation(loaded, tmp_path):
    copy = _with_lost_project(loaded, tmp_path / "copy", changed_department=SEED_DEPARTMENT)
    assert _dbt(copy, tmp_path / "scoped", scope="changes", select=_RECONCILE)[_RECONCILE] == "fail"


def test_the_scoped_reconciliation_reads_only_the_changed_departments(loaded, tmp_path):
    copy = _with_lost_project(loaded, tmp_path / "copy", changed_department=_other_department(loaded))
    assert _dbt(copy, tmp_path / "scoped", scope="changes", select=_RECONCILE)[_RECONCILE] == "pass"
    assert _dbt(copy, tmp_path / "every-row", scope="", select=_RECONCILE)[_RECONCILE] == "fail"


_RELATIONSHIP = "relationships_indicator_targets_project_id__project_id__ref_budget_by_project_"


def test_an_indicator_whose_project_is_gone_fails_the_scoped_relationship(loaded, tmp_path):
    # The scoped test reads the child's changed rows and the parent's rows of their departments.
    copy = _with_lost_project(loaded, tmp_path / "copy", changed_department=SEED_DEPARTMENT)
    assert _dbt(copy, tmp_path / "scoped", scope="changes", select="indicator_targets")[_RELATIONSHIP] == "fail"
    results = json.loads((tmp_path / "scoped" / "dbt-target" / "run_results.json").read_text(encoding="utf-8"))["results"]
    [compiled] = [r["compiled_code"] for r in results if r["unique_id"].split(".")[2] == _RELATIONSHIP]
    assert "dbt_parent" in compiled  # the parent read within the changed departments


def test_the_scoped_relationship_passes_where_every_parent_is_in_its_department(loaded, tmp_path):
    copy = reliability.copy_warehouse(loaded, tmp_path / "copy")
    with duckdb.connect(str(copy)) as con:
        _changed(con, SEED_DEPARTMENT)
    _build_marts(copy, tmp_path / "build")
    relationships = {_RELATIONSHIP, "relationships_target_quality_project_id__project_id__ref_budget_by_project_"}
    statuses = _dbt(copy, tmp_path / "scoped", scope="changes", select="indicator_targets target_quality")
    assert _of(statuses, relationships) == dict.fromkeys(relationships, "pass")


# One not_null_columns test per model stands for dbt's not_null on each listed column.
_NOT_NULL_STAGING = "not_null_columns_stg_projects"
_NOT_NULL_PROJECTS = "not_null_columns_budget_by_project"
_NOT_NULL_QUALITY = "not_null_columns_target_quality"


def _with_null_amount(loaded: Path, target: Path) -> Path:
    """A copy whose landing lost one of the seed department's 总计 (as if the landing allowed it),
    with the seed department in the change set: the next build brings the null into the marts."""
    copy = reliability.copy_warehouse(loaded, target)
    with duckdb.connect(str(copy)) as con:
        con.execute("alter table landing.projects alter column total_amount drop not null")
        con.execute(
            "update landing.projects set total_amount = null where (source_path, source_line) in "
            "(select source_path, source_line from landing.projects where department_name = $d "
            "order by source_path, source_line limit 1)",
            {"d": SEED_DEPARTMENT},
        )
        _changed(con, SEED_DEPARTMENT)
    return copy


def _failure_rows(copy: Path, target: Path, test: str) -> list[tuple]:
    """What the failed test's query returns: the column (or expression) that fails and on how many rows."""
    results = json.loads((target / "dbt-target" / "run_results.json").read_text(encoding="utf-8"))["results"]
    [compiled] = [r["compiled_code"] for r in results if r["unique_id"].split(".")[2] == test]
    with duckdb.connect(str(copy), read_only=True) as con:
        return con.execute(compiled).fetchall()


@pytest.mark.parametrize(("scope", "flags"), [("changes", ()), ("", ("--full-refresh",))], ids=["scoped", "full"])
def test_a_null_a_build_brings_in_fails_the_not_null_tests_and_names_its_column(loaded, tmp_path, scope, flags):
    copy = _with_null_amount(loaded, tmp_path / "copy")
    # The mart alone: in a load, the failed staging test would skip it.
    assert _dbt(copy, tmp_path / "build", scope=scope, select="budget_by_project", command="build",
                flags=flags)[_NOT_NULL_PROJECTS] == "fail"
    assert _failure_rows(copy, tmp_path / "build", _NOT_NULL_PROJECTS) == [("total_amount", 1)]
    assert _dbt(copy, tmp_path / "staging", scope=scope, select="stg_projects")[_NOT_NULL_STAGING] == "fail"
    assert _failure_rows(copy, tmp_path / "staging", _NOT_NULL_STAGING) == [("total_amount", 1)]


def test_the_not_null_tests_pass_without_the_null(loaded, tmp_path):
    copy = _changed_and_built(loaded, tmp_path / "copy", SEED_DEPARTMENT)
    results = _dbt(copy, tmp_path / "build", scope="changes", select="stg_projects budget_by_project", command="build")
    assert results[_NOT_NULL_STAGING] == results[_NOT_NULL_PROJECTS] == "pass"


def _mart_with_null(loaded: Path, target: Path, *, changed_department: str) -> Path:
    """A copy whose target_quality (a departments-scope mart) has nulls in two columns of one of the
    seed department's rows, and a change set naming `changed_department`."""
    copy = reliability.copy_warehouse(loaded, target)
    with duckdb.connect(str(copy)) as con:
        _changed(con, changed_department)
    _build_marts(copy, target / "build")
    with duckdb.connect(str(copy)) as con:
        con.execute(
            "update marts.target_quality set unit_name = null, findings = null "
            "where project_id = (select min(project_id) from marts.target_quality where department_name = $d)",
            {"d": SEED_DEPARTMENT},
        )
    return copy


def test_a_null_in_a_changed_department_fails_the_scoped_mart_test(loaded, tmp_path):
    copy = _mart_with_null(loaded, tmp_path / "copy", changed_department=SEED_DEPARTMENT)
    assert _dbt(copy, tmp_path / "scoped", scope="changes", select="target_quality")[_NOT_NULL_QUALITY] == "fail"
    assert sorted(_failure_rows(copy, tmp_path / "scoped", _NOT_NULL_QUALITY)) == [("findings", 1), ("unit_name", 1)]


def test_the_scoped_not_null_test_reads_only_the_changed_departments(loaded, tmp_path):
    copy = _mart_with_null(loaded, tmp_path / "copy", changed_department=_other_department(loaded))
    assert _dbt(copy, tmp_path / "scoped", scope="changes", select="target_quality")[_NOT_NULL_QUALITY] == "pass"
    assert _dbt(copy, tmp_path / "every-row", scope="", select="target_quality")[_NOT_NULL_QUALITY] == "fail"


# One expressions_are_true test per model and severity stands for an expression_is_true test per
# expression; one accepted_values_columns test per model for accepted_values per column.
_EXPRESSIONS_TARGETS = "expressions_are_true_indicator_targets"
_EXPRESSIONS_TARGETS_WARN = "expressions_are_true_indicator_targets_warn"
_ACCEPTED_TARGETS = "accepted_values_columns_indicator_targets"
_DEADLINE = ("(annual_kind = 'deadline') = (annual_deadline is not null) "
             "and (period_kind = 'deadline') = (period_deadline is not null)")
_ANNUAL_VALUE = "annual_value >= 0 and (annual_unit is distinct from '%' or annual_value <= 100)"
# One of the seed department's quantitative indicators.
_ONE_QUANTITATIVE = ("(source_path, source_line, indicator_seq) in (select source_path, source_line, indicator_seq "
                     "from {table} where department_name = $d and annual_kind = 'quantitative' "
                     "order by source_path, source_line, indicator_seq limit 1)")


def _with_landing_indicator(loaded: Path, target: Path, assignment: str) -> Path:
    """A copy whose landing has `assignment` made to one of the seed department's quantitative
    indicators, with the seed department in the change set: the next build brings it into the mart."""
    copy = _changed_and_built(loaded, target, SEED_DEPARTMENT)
    with duckdb.connect(str(copy)) as con:
        con.execute(f"update landing.indicators set {assignment} where "
                    + _ONE_QUANTITATIVE.format(table="landing.indicators"), {"d": SEED_DEPARTMENT})
    return copy


@pytest.mark.parametrize(("scope", "flags"), [("changes", ()), ("", ("--full-refresh",))], ids=["scoped", "full"])
def test_a_row_a_build_brings_in_against_an_expression_fails_the_merged_test_and_names_it(loaded, tmp_path, scope, flags):
    # A quantitative target with a deadline: the first expression of indicator_targets fails.
    copy = _with_landing_indicator(loaded, tmp_path / "copy", "annual_deadline = date '2024-12-31'")
    assert _dbt(copy, tmp_path / "build", scope=scope, select="indicator_targets", command="build",
                flags=flags)[_EXPRESSIONS_TARGETS] == "fail"
    assert _failure_rows(copy, tmp_path / "build", _EXPRESSIONS_TARGETS) == [(_DEADLINE, 1)]


@pytest.mark.parametrize(("scope", "flags"), [("changes", ()), ("", ("--full-refresh",))], ids=["scoped", "full"])
def test_the_merged_expression_and_value_tests_pass_without_a_violation(loaded, tmp_path, scope, flags):
    copy = _changed_and_built(loaded, tmp_path / "copy", SEED_DEPARTMENT)
    results = _dbt(copy, tmp_path / "build", scope=scope, select="indicator_targets", command="build", flags=flags)
    assert results[_EXPRESSIONS_TARGETS] == results[_EXPRESSIONS_TARGETS_WARN] == results[_ACCEPTED_TARGETS] == "pass"


def test_a_warning_expression_warns_with_its_count(loaded, tmp_path):
    # A negative target value: a department's typo, reported (severity warn), by its own expression.
    copy = _with_landing_indicator(loaded, tmp_path / "copy", "annual_value = -1")
    results = _dbt(copy, tmp_path / "build", scope="changes", select="indicator_targets", command="build")
    assert results[_EXPRESSIONS_TARGETS_WARN] == "warn"
    assert _failure_rows(copy, tmp_path / "build", _EXPRESSIONS_TARGETS_WARN) == [(_ANNUAL_VALUE, 1)]


def test_a_value_outside_its_list_fails_the_merged_test_and_names_its_column(loaded, tmp_path):
    copy = _with_landing_indicator(loaded, tmp_path / "copy", "annual_kind = 'bogus'")
    assert _dbt(copy, tmp_path / "build", scope="changes", select="indicator_targets",
                command="build")[_ACCEPTED_TARGETS] == "fail"
    assert _failure_rows(copy, tmp_path / "build", _ACCEPTED_TARGETS) == [("annual_kind", 1)]


def _mart_with_deadline(loaded: Path, target: Path, *, changed_department: str) -> Path:
    """A copy whose indicator_targets gives one of the seed department's quantitative targets a
    deadline, and a change set naming `changed_department`."""
    copy = reliability.copy_warehouse(loaded, target)
    with duckdb.connect(str(copy)) as con:
        _changed(con, changed_department)
    _build_marts(copy, target / "build")
    with duckdb.connect(str(copy)) as con:
        con.execute("update marts.indicator_targets set annual_deadline = date '2024-12-31' where "
                    + _ONE_QUANTITATIVE.format(table="marts.indicator_targets"), {"d": SEED_DEPARTMENT})
    return copy


def test_an_expression_violated_in_a_changed_department_fails_the_scoped_mart_test(loaded, tmp_path):
    copy = _mart_with_deadline(loaded, tmp_path / "copy", changed_department=SEED_DEPARTMENT)
    assert _dbt(copy, tmp_path / "scoped", scope="changes", select="indicator_targets")[_EXPRESSIONS_TARGETS] == "fail"
    assert _failure_rows(copy, tmp_path / "scoped", _EXPRESSIONS_TARGETS) == [(_DEADLINE, 1)]


def test_the_scoped_expressions_test_reads_only_the_changed_departments(loaded, tmp_path):
    copy = _mart_with_deadline(loaded, tmp_path / "copy", changed_department=_other_department(loaded))
    assert _dbt(copy, tmp_path / "scoped", scope="changes", select="indicator_targets")[_EXPRESSIONS_TARGETS] == "pass"
    assert _dbt(copy, tmp_path / "every-row", scope="", select="indicator_targets")[_EXPRESSIONS_TARGETS] == "fail"
    assert _failure_rows(copy, tmp_path / "every-row", _EXPRESSIONS_TARGETS) == [(_DEADLINE, 1)]
