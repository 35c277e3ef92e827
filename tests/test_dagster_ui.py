"""The Dagster UI, in a real browser: after `budget-warehouse load`, it shows the load's run, row
counts and check results, the asset graph with the marts and the lineage that feeds them.

Loads the seed with the CLI into a temporary DAGSTER_HOME (holding the committed
.dagster_home/dagster.yaml), as `make load` does into .dagster_home, then starts
`dagster-webserver` on the repository's workspace.yaml against that instance, as `make dev`
does, and drives Debian's headless Chromium through its chromedriver (`make test` installs both;
nothing is downloaded). Screenshots go to the test's temporary folder; `make docs-images` sets
BUDGET_DOCS_IMAGES=docs/img to refresh docs/img/asset-lineage.png and docs/img/file-partitions.png.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import dagster as dg
import pytest

from tests.support.cli import LoadRun, load_cli
from tests.support.loads import LoadedWarehouse, seed_raw_dir
from tests.support.paths import REPO_ROOT

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
COMMITTED_INSTANCE_CONFIG = REPO_ROOT / ".dagster_home" / "dagster.yaml"
DOCS_IMAGES_ENV = "BUDGET_DOCS_IMAGES"
# The lineage of one mart: with every mart's upstream the graph outgrows the window, and Dagster
# draws only the nodes in view.
MARTS = ("budget_by_project",)
# What feeds the marts, layer by layer: the group boxes and one asset of each layer upstream.
UPSTREAM = ("raw_department_files", "projects", "indicators", "stg_projects", "stg_indicators")
GROUPS = ("ingest", "landing", "staging", "marts", "reference")
_STARTUP_SECONDS = 180


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class CliLoad:
    raw_dir: Path
    warehouse: Path
    dagster_home: Path
    run: LoadRun


@pytest.fixture(scope="module")
def cli_load(tmp_path_factory) -> CliLoad:
    """`make load` in miniature: the seed loaded by the CLI into an instance with the committed config."""
    root = tmp_path_factory.mktemp("ui-load")
    raw, warehouse, home = seed_raw_dir(root), root / "warehouse" / "budget.duckdb", root / "dagster_home"
    home.mkdir()
    shutil.copyfile(COMMITTED_INSTANCE_CONFIG, home / "dagster.yaml")
    run = load_cli(raw, warehouse, dagster_home=home)
    assert run.exit_code == 0, run.explain()
    return CliLoad(raw, warehouse, home, run)


def _image_path(tmp_path: Path, name: str) -> Path:
    folder = Path(os.environ.get(DOCS_IMAGES_ENV) or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


@pytest.fixture
def webserver(cli_load, tmp_path) -> Iterator[str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUDGET_")}
    env.update(
        DAGSTER_HOME=str(cli_load.dagster_home),
        BUDGET_WAREHOUSE=str(cli_load.warehouse),
        BUDGET_RAW_DIR=str(cli_load.raw_dir),
    )
    log = (tmp_path / "webserver.log").open("w")
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("dagster-webserver")),
            "-w",
            "workspace.yaml",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(server, url, tmp_path / "webserver.log")
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _wait_until_serving(server: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + _STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"dagster-webserver exited with {server.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{url}/server_info", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"dagster-webserver did not answer within {_STARTUP_SECONDS}s:\n{log.read_text()[-4000:]}")


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    assert not missing, (
        f"{', '.join(missing)} missing: `make browser` installs Debian's chromium and chromium-driver"
    )
    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        "--window-size=2400,1400",
    ):
        options.add_argument(flag)
    # An explicit driver path: Selenium Manager never looks for (or downloads) a driver.
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _lineage_url(base: str) -> str:
    """Global asset lineage of the marts and everything upstream, with every group expanded."""
    marts = " or ".join(f'key:"marts/{mart}"' for mart in MARTS)
    selection = urllib.parse.quote(f"+({marts})", safe="")
    expanded = ",".join(f"global@global:{group}" for group in GROUPS)
    return f"{base}/asset-groups~{selection}/?{urllib.parse.urlencode({'expanded': expanded})}"


def _label(name: str) -> str:
    return f"//*[normalize-space(text())='{name}']"


def test_asset_graph_shows_the_marts_and_their_lineage(webserver, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(_lineage_url(webserver))
    wait = WebDriverWait(browser, _STARTUP_SECONDS)
    # The code location loads in the background; the graph renders once it has.
    for name in (*MARTS, *UPSTREAM):
        wait.until(
            ec.visibility_of_element_located((By.XPATH, _label(name))), message=f"asset {name} on the graph"
        )
    _dismiss_welcome_dialog(browser)
    for group in ("ingest", "landing", "staging", "marts"):
        assert browser.find_elements(By.XPATH, _label(group)), f"group {group} is drawn"
    # Edges are laid out after the nodes: the arrows between the mart and the assets upstream.
    wait.until(
        lambda b: len(b.find_elements(By.CSS_SELECTOR, _EDGES)) >= len(UPSTREAM), message="the lineage's edges are drawn"
    )
    _wait_until_nothing_loads(browser)
    assert browser.save_screenshot(str(_image_path(tmp_path, "asset-lineage.png")))


def test_the_cli_load_shows_in_the_ui_with_its_run_row_counts_and_checks(webserver, browser, cli_load):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    with dg.DagsterInstance.from_config(str(cli_load.dagster_home)) as instance:
        [run] = instance.get_runs(dg.RunsFilter(job_name="load_warehouse"))
    assert run.status == dg.DagsterRunStatus.SUCCESS
    wait = WebDriverWait(browser, _STARTUP_SECONDS)

    browser.get(f"{webserver}/runs")
    wait.until(
        ec.visibility_of_element_located((By.XPATH, _label(run.run_id[:8]))), message="the CLI's run is listed"
    )
    # The run's row: its id, tags, job, who launched it, then its status.
    listed = browser.find_element(By.TAG_NAME, "body").text
    assert re.search(rf"{run.run_id[:8]}\n(?:.*\n){{0,3}}load_warehouse\n(?:.*\n){{0,2}}Success\n", listed), listed

    browser.get(f"{webserver}/assets/marts/budget_by_project")
    wait.until(ec.visibility_of_element_located((By.XPATH, _label("Row count"))), message="the row count")
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "Row count\n10\n" in body, body[:2000]
    checks = len(_dbt_checks_of("budget_by_project"))
    assert checks >= 4  # since 0.8.1 one test per model and kind: not null, expressions, keys, values
    assert f"Latest check results\n{checks}\n" in body, body[:2000]

    browser.get(f"{webserver}/assets/marts/budget_by_project?view=checks")
    # The list of the mart's checks, each with the result of its latest evaluation: the load's.
    wait.until(
        lambda b: f"Checks ({checks})" in (text := b.find_element(By.TAG_NAME, "body").text)
        and text.count("\nSucceeded\n") == checks,
        message=f"{checks} checks, every one shown as succeeded",
    )


def _dbt_checks_of(model: str) -> list[str]:
    """The dbt tests attached to a model, from the manifest: each is an asset check in the UI."""
    import json

    from pipelines.defs.project import ensure_manifest

    manifest = json.loads(ensure_manifest().read_text(encoding="utf-8"))
    return [
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and node.get("attached_node") == f"model.budget_warehouse.{model}"
    ]


def test_each_raw_file_is_a_partition_of_the_file_asset(webserver, browser, cli_load, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    [seed_file] = [p for p in cli_load.raw_dir.rglob("*") if p.is_file()]
    browser.get(f"{webserver}/assets/ingest/raw_department_files?view=partitions")
    partition = WebDriverWait(browser, _STARTUP_SECONDS).until(
        ec.element_to_be_clickable((By.XPATH, f"//*[contains(text(), '{seed_file.stem}')]")),
        message="the seed file's partition is listed",
    )
    _dismiss_welcome_dialog(browser)
    partition.click()
    # The selected partition's page shows the landing step's observation of the file.
    WebDriverWait(browser, 30).until(
        ec.presence_of_element_located((By.XPATH, "//*[normalize-space(text())='loaded']")),
        message="the partition shows the file's status",
    )
    _wait_until_nothing_loads(browser)
    assert browser.save_screenshot(str(_image_path(tmp_path, "file-partitions.png")))


# Dagster's lineage edges: SVG paths ending in its arrow marker.
_EDGES = "path[marker-end^='url(#arrow']"


def _wait_until_nothing_loads(browser) -> None:
    """Before a screenshot: no spinner is shown (Dagster's spinners are role=progressbar)."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def spinning(b) -> bool:
        try:
            return any(element.is_displayed() for element in b.find_elements(By.CSS_SELECTOR, "[role='progressbar']"))
        except StaleElementReferenceException:
            return True  # the page changed while being looked at: look again

    WebDriverWait(browser, 60).until_not(spinning, message="the page's spinners are gone")


def _dismiss_welcome_dialog(browser) -> None:
    """Dagster's first-visit "join the community" dialog comes up late and covers the page."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    skip = (By.XPATH, "//button[normalize-space()='Skip']")
    try:
        WebDriverWait(browser, 5).until(ec.element_to_be_clickable(skip)).click()
    except TimeoutException:
        return  # not shown in this browser profile
    WebDriverWait(browser, 10).until_not(ec.presence_of_element_located(skip))


def _latest_metadata(seed: LoadedWarehouse, *path: str) -> dict:
    import dagster as dg

    events = [
        e.step_materialization_data.materialization
        for e in seed.result.get_asset_materialization_events()
        if e.step_materialization_data.materialization.asset_key == dg.AssetKey(list(path))
    ]
    assert events, f"{'/'.join(path)} was materialized"
    return {key: value.value for key, value in events[-1].metadata.items()}


def test_landing_tables_show_row_counts_departments_years_and_first_rows(seed_warehouse):
    projects = _latest_metadata(seed_warehouse, "landing", "projects")
    assert projects["dagster/row_count"] == 10
    assert (projects["departments"], projects["fiscal_years"]) == (1, "2024")
    header, _rule, *rows = projects["preview"].splitlines()
    assert "| project_name |" in header and "source_sha256" not in header
    assert len(rows) == 5 and all("广州市越秀区政务服务数据管理局" in row for row in rows)


def test_marts_show_row_counts_and_first_rows_after_dbt_builds_them(seed_warehouse):
    mart = _latest_metadata(seed_warehouse, "marts", "budget_by_project")
    assert mart["dagster/row_count"] == 10
    assert "| project_id |" in mart["preview"]


def test_marts_are_stale_after_26_hours():
    import dagster as dg

    from pipelines.defs.definitions import build_definitions

    graph = build_definitions().resolve_asset_graph()
    for mart in MARTS:
        policy = graph.get(dg.AssetKey(["marts", mart])).freshness_policy
        assert policy is not None, mart
        assert policy.fail_window.to_timedelta() == timedelta(hours=26), mart
