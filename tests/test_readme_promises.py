"""What the README promises about inputs and settings, each held to its word.

- money units other than 万元 are refused ("Accepted forms");
- a single-unit table may list projects straight under 合计;
- year folders may be named `2025`, `2025年` or `2025年度`, with subfolders below them;
- BUDGET_RAW_DIR and BUDGET_WAREHOUSE override the defaults for the CLI, Dagster and dbt alike,
  and DAGSTER_HOME overrides the project's .dagster_home;
- `make docs` builds the dbt docs from a copy of the published warehouse.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path, PurePosixPath

import duckdb
import pytest

from pipelines.ingest.errors import IssueCategory, TableError
from pipelines.ingest.layouts.horizontal import parse_table
from pipelines.ingest.readers import read_source_rows
from pipelines.load.discover import discover_raw_files
from pipelines.load.stage import stage_raw_files
from pipelines.warehouse import settings
from tests.support import reliability
from tests.support.paths import REPO_ROOT, SEED_PATH
from tests.support.project_copy import copy_project, environment
from tests.support.tables import line_index, render, seed_spec, write_text

SEED = seed_spec()
SEED_TOTAL = Decimal("2177.86")


def _parse(path: Path, relative: str = "2024/table.txt"):
    return parse_table(read_source_rows(path), relative_path=PurePosixPath(relative))


@pytest.mark.parametrize("unit", ["元", "千元", "亿元", "万美元"])
def test_money_units_other_than_wan_yuan_are_refused(unit, tmp_path):
    lines = render(dataclasses.replace(SEED, money_unit=unit))
    path = write_text(tmp_path / "table.txt", lines)
    with pytest.raises(TableError) as refused:
        _parse(path)
    assert refused.value.category == IssueCategory.NOT_A_TARGET_TABLE
    assert unit in str(refused.value) and "万元" in str(refused.value)
    assert refused.value.line == line_index(lines, f"单位：{unit}") + 1


def test_wan_yuan_is_accepted(tmp_path):
    table = _parse(write_text(tmp_path / "table.txt", render(SEED)))
    assert sum(p.amounts.total for p in table.projects) == SEED_TOTAL


def test_projects_straight_under_the_grand_total_belong_to_the_department(tmp_path):
    lines = render(SEED)
    del lines[line_index(lines, SEED.units[0].name)]  # no 资金使用单位 row: projects follow 合计
    table = _parse(write_text(tmp_path / "table.txt", lines))
    assert len(table.projects) == 10 and len(table.indicators) == 37
    # The department is the unit, without its "（本级）" (its own office) suffix.
    assert SEED.department == "广州市越秀区政务服务数据管理局（本级）"
    assert {p.unit_name for p in table.projects} == {"广州市越秀区政务服务数据管理局"}
    assert [(u.name, u.amounts.total) for u in table.units] == [("广州市越秀区政务服务数据管理局", SEED_TOTAL)]
    assert sum(p.amounts.total for p in table.projects) == SEED_TOTAL


@pytest.mark.parametrize(
    "relative", ["2025/seed.txt", "2025年/seed.txt", "2025年度/seed.txt", "2025年度/区属单位/第一批/seed.txt"]
)
def test_year_folders_and_their_subfolders_give_the_fiscal_year(relative, tmp_path):
    raw = tmp_path / "raw"
    (raw / relative).parent.mkdir(parents=True)
    (raw / relative).write_bytes(SEED_PATH.read_bytes())  # its title says 2024: the folder wins
    files = discover_raw_files(raw)
    assert [f.source_path for f in files] == [relative]
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        outcome = stage_raw_files(con, files, now=datetime.now(UTC))
        rows = con.execute("select fiscal_year, count(*) from landing.projects group by all").fetchall()
    assert outcome.loaded == [relative]
    assert rows == [(2025, 10)]


def test_budget_variables_override_the_settings_and_dagsters_default_resource(monkeypatch, tmp_path):
    """The settings functions the CLI reads its defaults from, and the warehouse resource Dagster's
    definitions get; runs under the variables: tests/test_daemon.py (Dagster), the dbt test below."""
    from pipelines.defs.resources import default_warehouse

    for name in (settings.RAW_DIR_ENV, settings.WAREHOUSE_ENV, settings.DAGSTER_HOME_ENV):
        monkeypatch.delenv(name, raising=False)
    assert settings.raw_dir() == Path("raw")
    assert settings.warehouse_path() == Path("warehouse/budget.duckdb")
    assert settings.dagster_home() == REPO_ROOT / ".dagster_home"

    monkeypatch.setenv(settings.RAW_DIR_ENV, str(tmp_path / "in"))
    monkeypatch.setenv(settings.WAREHOUSE_ENV, str(tmp_path / "out" / "w.duckdb"))
    monkeypatch.setenv(settings.DAGSTER_HOME_ENV, str(tmp_path / "home"))
    assert settings.raw_dir() == tmp_path / "in"
    assert settings.warehouse_path() == tmp_path / "out" / "w.duckdb"
    assert settings.dagster_home() == tmp_path / "home"
    resource = default_warehouse()
    assert (Path(resource.raw_dir), Path(resource.database)) == (tmp_path / "in", tmp_path / "out" / "w.duckdb")


@pytest.mark.slow
def test_budget_warehouse_overrides_the_database_dbt_connects_to(tmp_path):
    """`dbt debug` opens the database its profile names: the file appears where BUDGET_WAREHOUSE says."""
    database = tmp_path / "elsewhere" / "budget.duckdb"
    database.parent.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUDGET_")}
    env.update(BUDGET_WAREHOUSE=str(database), DBT_LOG_PATH=str(tmp_path / "logs"),
               DBT_TARGET_PATH=str(tmp_path / "target"), DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    dbt_project = REPO_ROOT / "dbt_project"
    debug = subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), "debug", "--project-dir", str(dbt_project),
         "--profiles-dir", str(dbt_project)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert debug.returncode == 0, debug.stdout[-3000:]
    assert str(database) in debug.stdout
    assert database.exists()


@pytest.mark.slow
def test_make_docs_builds_the_dbt_docs_from_a_copy_of_the_published_warehouse(seed_warehouse, tmp_path):
    project = copy_project(tmp_path / "project")
    warehouse = reliability.copy_warehouse(seed_warehouse.database, tmp_path / "warehouse")
    before = reliability.sha256(warehouse)
    made = subprocess.run(
        ["make", "--no-print-directory", "docs"],
        cwd=project, env=environment(project, BUDGET_WAREHOUSE=str(warehouse)),
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert made.returncode == 0, made.stdout[-3000:] + made.stderr[-3000:]
    target = project / "dbt_project" / "target"
    assert (target / "index.html").stat().st_size > 0
    catalog = json.loads((target / "catalog.json").read_text(encoding="utf-8"))
    documented = {node["metadata"]["name"] for node in catalog["nodes"].values() if node["metadata"]["schema"] == "marts"}
    assert set(reliability.MART_TABLES) <= documented
    assert reliability.sha256(warehouse) == before
    assert not (target / "docs-warehouse.duckdb").exists()
