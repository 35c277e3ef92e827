"""Choosing the engine: --engine, $BUDGET_ENGINE and the Dagster resource, and what a wrong choice says.

A wrong engine name or an unreachable Spark master is one line and exit status 1 (argparse's 2 for
a wrong --engine), before Dagster, dbt or a JVM start, and nothing is written.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.defs.resources import BudgetWarehouse, default_warehouse
from pipelines.engines import EngineError
from pipelines.engines.spark.session import check_master
from tests.support.paths import REPO_ROOT, SEED_PATH


def _cli(*args: str, tmp_path: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BUDGET_")}
    environment["DAGSTER_HOME"] = str(tmp_path / "dagster_home")
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "load", "--raw-dir", str(SEED_PATH.parent.parent),
         "--warehouse", str(tmp_path / "wh" / "budget.duckdb"), *args],
        cwd=REPO_ROOT, env=environment, capture_output=True, text=True, timeout=120, check=False,
    )


def _closed_port() -> int:
    """A local port nobody listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unknown_engine_option_is_refused_with_the_choices(tmp_path: Path) -> None:
    run = _cli("--engine", "oracle", tmp_path=tmp_path)
    assert run.returncode == 2
    assert "invalid choice: 'oracle' (choose from 'duckdb', 'spark')" in run.stderr


def test_an_unknown_engine_in_the_environment_is_one_line_and_exit_1(tmp_path: Path) -> None:
    run = _cli(tmp_path=tmp_path, env={"BUDGET_ENGINE": "oracle"})
    assert run.returncode == 1
    assert run.stderr.strip() == "error: $BUDGET_ENGINE 'oracle' is not an engine; choose one of: duckdb, spark"
    assert not (tmp_path / "wh").exists()


def test_an_unreachable_spark_master_fails_at_once_naming_its_url(tmp_path: Path) -> None:
    url = f"spark://127.0.0.1:{_closed_port()}"
    run = _cli("--engine", "spark", "--spark-master", url, tmp_path=tmp_path)
    assert run.returncode == 1
    assert run.stderr.strip() == (
        f"error: --spark-master {url} cannot be reached (Connection refused); "
        "start the master or pass the URL of a running one"
    )
    assert not (tmp_path / "wh").exists()


def test_the_master_from_the_environment_is_named_as_such(tmp_path: Path) -> None:
    url = f"spark://127.0.0.1:{_closed_port()}"
    run = _cli(tmp_path=tmp_path, env={"BUDGET_ENGINE": "spark", "BUDGET_SPARK_MASTER": url})
    assert run.returncode == 1
    assert run.stderr.startswith(f"error: Spark master ($BUDGET_SPARK_MASTER or local[2]) {url} cannot be reached")


@pytest.mark.parametrize("url", ["local", "local[2]", "local[*]", "local[4,2]", "yarn", "k8s://https://10.0.0.1:6443"])
def test_masters_spark_finds_by_itself_are_accepted(url: str) -> None:
    assert check_master(url) is None


@pytest.mark.parametrize("url", ["localhost:7077", "http://master:8080", "local[two]"])
def test_what_is_not_a_master_url_is_refused_with_the_forms_that_are(url: str) -> None:
    assert check_master(url) == (
        f"--spark-master {url!r} is not a Spark master URL; use local[N], spark://HOST:PORT, yarn or "
        "k8s://https://HOST:PORT"
    )


def test_the_resource_takes_its_engine_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BUDGET_ENGINE", raising=False)
    assert default_warehouse().engine_name == "duckdb"
    monkeypatch.setenv("BUDGET_ENGINE", "spark")
    assert default_warehouse().uses_spark


def test_a_resource_configured_with_an_unknown_engine_says_which(tmp_path: Path) -> None:
    warehouse = BudgetWarehouse(database=str(tmp_path / "w.duckdb"), raw_dir=str(tmp_path), engine="oracle")
    with pytest.raises(EngineError, match="the warehouse resource's engine 'oracle' is not an engine"):
        _ = warehouse.uses_spark


def test_the_asset_graph_is_the_same_whichever_the_engine(tmp_path: Path) -> None:
    from pipelines.defs.definitions import build_definitions

    def graph(engine: str) -> dict:
        warehouse = BudgetWarehouse(database=str(tmp_path / "w.duckdb"), raw_dir=str(tmp_path), engine=engine)
        assets = build_definitions(warehouse).resolve_asset_graph()
        return {key: sorted(assets.get(key).parent_keys) for key in assets.get_all_asset_keys()}

    duckdb_graph = graph("duckdb")
    assert len(duckdb_graph) > 20
    assert graph("spark") == duckdb_graph
