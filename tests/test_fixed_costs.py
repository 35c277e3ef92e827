"""The dbt resource skips dagster-dbt's per-command `dbt --version` and in-process adapter without
changing what runs: the version it reports is the one `dbt --version` prints, and the private
hooks it replaces still exist in the pinned dagster-dbt (an upgrade that drops them fails here)."""

from __future__ import annotations

import re
import subprocess

from dagster_dbt import DbtCliResource

from pipelines.defs.dbt_resource import ProjectDbtCliResource
from pipelines.defs.definitions import build_definitions
from pipelines.defs.project import DBT_PROJECT_DIR, dbt_executable, dbt_project


def test_the_version_is_the_one_dbt_prints():
    printed = subprocess.run([dbt_executable(), "--version"], capture_output=True, text=True, check=True).stdout
    installed = re.search(r"installed:\s*(\d+\.\d+\.\d+)", printed)
    assert installed, printed
    resource = ProjectDbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable())
    assert str(resource._cli_version) == installed[1]
    assert resource._cli_version.major == 1  # dbt Core: dagster-dbt reads its structured logs as before


def test_the_replaced_hooks_still_exist_in_dagster_dbt():
    assert isinstance(DbtCliResource.__dict__["_cli_version"], type(ProjectDbtCliResource.__dict__["_cli_version"]))
    assert callable(DbtCliResource.__dict__["_initialize_dbt_core_adapter"])


def test_the_loads_use_it():
    defs = build_definitions()
    resource = defs.resources["dbt"]
    assert isinstance(resource, ProjectDbtCliResource)
    assert resource._initialize_dbt_core_adapter([]) is None
    assert DBT_PROJECT_DIR.is_dir()
