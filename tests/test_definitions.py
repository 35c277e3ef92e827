"""The Dagster definitions load from workspace.yaml, with an unbroken lineage to every mart."""

import importlib

import dagster as dg
import yaml

from tests.support.paths import REPO_ROOT

MARTS = ["budget_by_project", "indicator_counts_by_category", "department_comparison", "load_issues"]


def _workspace_definitions() -> dg.Definitions:
    workspace = yaml.safe_load((REPO_ROOT / "workspace.yaml").read_text())
    module_name = workspace["load_from"][0]["python_module"]["module_name"]
    return importlib.import_module(module_name).defs


def test_definitions_load_from_workspace_yaml():
    defs = _workspace_definitions()
    assert defs.resolve_job_def("load_warehouse") is not None
    schedule = defs.resolve_schedule_def("nightly_load")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 2 * * *", "Asia/Shanghai")
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert defs.resolve_sensor_def("raw_files_changed") is not None


def test_each_mart_is_downstream_of_the_landing_tables_and_the_raw_files():
    graph = _workspace_definitions().resolve_asset_graph()
    for mart in MARTS:
        upstream = {key.to_user_string() for key in graph.upstream_key_iterator(dg.AssetKey(["marts", mart]))}
        ancestors = set()
        frontier = [dg.AssetKey(["marts", mart])]
        while frontier:
            key = frontier.pop()
            for parent in graph.get(key).parent_keys:
                if parent not in ancestors:
                    ancestors.add(parent)
                    frontier.append(parent)
        names = {key.to_user_string() for key in ancestors}
        assert "ingest/raw_department_files" in names, mart
        assert any(name.startswith("landing/") for name in names), mart
        assert any(name.startswith("staging/") for name in names), (mart, upstream)


def test_budget_by_project_reads_projects_and_indicators_through_staging():
    graph = _workspace_definitions().resolve_asset_graph()
    parents = {k.to_user_string() for k in graph.get(dg.AssetKey(["marts", "budget_by_project"])).parent_keys}
    # The alias seed gives department_id (dbt_project/macros/departments.sql).
    assert parents == {"staging/stg_projects", "staging/stg_indicators", "reference/department_aliases"}
    staging_parents = {k.to_user_string() for k in graph.get(dg.AssetKey(["staging", "stg_projects"])).parent_keys}
    assert staging_parents == {"landing/projects"}
