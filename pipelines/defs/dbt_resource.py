"""dagster-dbt's dbt resource without the two things it does before every dbt command that this
project never uses (about 4.7 s a load; docs/benchmarks.md, "Fixed costs").

- `dbt --version` in a subprocess, to learn which dbt will run (Core or Fusion): a second Python
  start with dbt's imports, which also asks PyPI for the newest dbt-core (up to 1 s of timeout
  per request on a server without internet). The dbt that runs is the dbt-core installed beside
  this Python (pipelines.defs.project.dbt_executable), so its version is read from the package
  metadata instead.
- A dbt adapter built in this process, which dagster-dbt uses only to fetch column metadata and
  row counts (`fetch_column_metadata`, `fetch_row_counts`); the marts' row counts are read by the
  project itself (pipelines/defs/assets/dbt.py). Without one, dagster-dbt runs dbt exactly as
  before.

Both are private hooks of dagster-dbt (pinned in requirements.lock);
tests/test_fixed_costs.py checks they still exist and that dbt still runs through them.
"""

from __future__ import annotations

from functools import cached_property
from importlib import metadata
from typing import Any

from dagster_dbt import DbtCliResource
from packaging import version


class ProjectDbtCliResource(DbtCliResource):
    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Any) -> None:  # type: ignore[override]
        return None
