"""The deployment runs by itself: the real `dagster-daemon` (not `dagster dev`), with the committed
dagster.yaml, notices a file dropped into raw/ and its sensor's run puts it in the marts.

The daemon runs in its own process group with a temporary DAGSTER_HOME, raw/ and warehouse, and
the sensor ticking every few seconds (BUDGET_SENSOR_INTERVAL_SECONDS); the test waits for the
sensor's first tick on an empty raw/, drops the seed table in, and waits (bounded) for the run the
sensor requests to publish it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import dagster as dg
import pytest

from tests.support.cli import query
from tests.support.paths import REPO_ROOT, SEED_PATH

pytestmark = pytest.mark.slow

COMMITTED_INSTANCE_CONFIG = REPO_ROOT / ".dagster_home" / "dagster.yaml"
# The sensor ticks every 60 s in a deployment, every _SENSOR_INTERVAL_SECONDS here; a load takes
# ~20 s. Generous bounds: a stuck daemon fails, never hangs.
_SENSOR_INTERVAL_SECONDS = 2
_FIRST_TICK_SECONDS = 240
_RUN_SECONDS = 420
_POLL_SECONDS = 2.0


@dataclass(frozen=True)
class Daemon:
    process: subprocess.Popen
    home: Path
    raw: Path
    warehouse: Path
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-6000:]


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[Daemon]:
    home, raw, warehouse = tmp_path / "dagster_home", tmp_path / "raw", tmp_path / "warehouse" / "budget.duckdb"
    home.mkdir()
    shutil.copyfile(COMMITTED_INSTANCE_CONFIG, home / "dagster.yaml")
    (raw / "2024").mkdir(parents=True)
    _create_storage(home)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUDGET_")}
    env.update(DAGSTER_HOME=str(home), BUDGET_RAW_DIR=str(raw), BUDGET_WAREHOUSE=str(warehouse),
               BUDGET_SENSOR_INTERVAL_SECONDS=str(_SENSOR_INTERVAL_SECONDS))
    log = tmp_path / "daemon.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("dagster-daemon")), "run", "-w", "workspace.yaml"],
            cwd=REPO_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its runs and their dbt are stopped with it
        )
    try:
        yield Daemon(process, home, raw, warehouse, log)
    finally:
        _stop(process)


def _create_storage(home: Path) -> None:
    """Create the instance's SQLite tables before the daemon starts: the daemon and this test
    creating them at the same moment fail with "table already exists"."""
    with dg.DagsterInstance.from_config(str(home)):
        pass


def _stop(process: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 30)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _sensor_ticks(instance: dg.DagsterInstance) -> list:
    states = [s for s in instance.all_instigator_state() if s.name == "raw_files_changed"]
    return [tick for state in states for tick in instance.get_ticks(state.instigator_origin_id, state.selector_id)]


def _wait(what: str, daemon: Daemon, seconds: float, found):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if daemon.process.poll() is not None:
            pytest.fail(f"dagster-daemon exited with {daemon.process.returncode}:\n{daemon.output()}")
        if result := found():
            return result
        time.sleep(_POLL_SECONDS)
    pytest.fail(f"{what} within {seconds:.0f}s: no\n{daemon.output()}")


def test_the_daemon_loads_a_file_dropped_into_raw(daemon: Daemon) -> None:
    with dg.DagsterInstance.from_config(str(daemon.home)) as instance:
        _wait("the sensor ticked on the empty raw/", daemon, _FIRST_TICK_SECONDS, lambda: _sensor_ticks(instance))
        assert instance.get_runs(dg.RunsFilter(job_name="load_warehouse")) == []

        (daemon.raw / "2024" / SEED_PATH.name).write_bytes(SEED_PATH.read_bytes())

        def finished_run():
            runs = instance.get_runs(dg.RunsFilter(job_name="load_warehouse"))
            done = [r for r in runs if r.status in (dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE)]
            return done[0] if done else None

        run = _wait("the sensor's run finished", daemon, _RUN_SECONDS, finished_run)
        assert run.status == dg.DagsterRunStatus.SUCCESS, daemon.output()
        assert run.tags.get("dagster/sensor_name") == "raw_files_changed"

    assert query(
        daemon.warehouse,
        "select department_name, project_count, total_amount from marts.department_comparison",
    ) == [("广州市越秀区政务服务数据管理局（本级）", 10, Decimal("2177.86"))]


_PRINT_SENSOR_INTERVAL = (
    "from pipelines.definitions import defs; "
    "print(defs.resolve_sensor_def('raw_files_changed').minimum_interval_seconds)"
)


def _sensor_interval(value: str | None) -> subprocess.CompletedProcess[str]:
    """The interval of the sensor in the definitions the daemon loads (workspace.yaml's module)."""
    env = {k: v for k, v in os.environ.items() if k != "BUDGET_SENSOR_INTERVAL_SECONDS"}
    if value is not None:
        env["BUDGET_SENSOR_INTERVAL_SECONDS"] = value
    return subprocess.run(
        [sys.executable, "-c", _PRINT_SENSOR_INTERVAL],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )


def test_the_sensor_ticks_every_60_seconds_unless_the_variable_says_otherwise() -> None:
    assert _sensor_interval(None).stdout.strip() == "60"
    assert _sensor_interval(str(_SENSOR_INTERVAL_SECONDS)).stdout.strip() == str(_SENSOR_INTERVAL_SECONDS)
    refused = _sensor_interval("0")
    assert refused.returncode != 0 and "BUDGET_SENSOR_INTERVAL_SECONDS='0'" in refused.stderr, refused.stderr[-2000:]


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_make_serve_runs_the_webserver_and_the_daemon_until_stopped(tmp_path: Path) -> None:
    """`python -m pipelines.serve` (what `make serve` runs): the UI answers, the daemon beats, SIGTERM stops both."""
    import urllib.request

    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(COMMITTED_INSTANCE_CONFIG, home / "dagster.yaml")
    _create_storage(home)
    (tmp_path / "raw").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUDGET_")}
    env.update(DAGSTER_HOME=str(home), BUDGET_RAW_DIR=str(tmp_path / "raw"),
               BUDGET_WAREHOUSE=str(tmp_path / "warehouse" / "budget.duckdb"))
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        serve = subprocess.Popen(
            [sys.executable, "-m", "pipelines.serve", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
            cwd=REPO_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )
    daemon = Daemon(serve, home, tmp_path / "raw", tmp_path / "warehouse", log)
    try:
        def answers() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=5) as response:
                    return response.status == 200
            except OSError:
                return False

        _wait("the webserver answered", daemon, _FIRST_TICK_SECONDS, answers)
        launch = _permission(port, "launch_pipeline_execution")
        assert launch == {"permission": "launch_pipeline_execution", "value": False}, "the UI is read-only"
        with dg.DagsterInstance.from_config(str(home)) as instance:
            _wait("the daemon sent heartbeats", daemon, _FIRST_TICK_SECONDS,
                  lambda: "SENSOR" in instance.get_daemon_heartbeats())
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=90) == 0, daemon.output()
        def left_running() -> list[str]:
            found = subprocess.run(["pgrep", "-s", str(serve.pid)], capture_output=True, text=True, check=False)
            return found.stdout.split()

        deadline = time.monotonic() + 30  # code servers stop on their parent's signal, not at once
        while left_running() and time.monotonic() < deadline:
            time.sleep(1)
        assert left_running() == [], "the webserver's or the daemon's processes outlived make serve"
    finally:
        _stop(serve)


def _permission(port: int, name: str) -> dict:
    """One of the UI's permissions, as the UI itself asks for them (Dagster's GraphQL)."""
    import json
    import urllib.request

    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": "{ permissions { permission value } }"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        permissions = json.load(response)["data"]["permissions"]
    (found,) = [p for p in permissions if p["permission"] == name]
    return found


def test_serve_starts_the_webserver_read_only_unless_told_to_launch_runs() -> None:
    from pipelines import serve

    _, webserver = serve.commands(workspace="workspace.yaml", host="127.0.0.1", port=3000)
    assert webserver[0].endswith("/dagster-webserver")
    assert webserver[1:] == ["--read-only", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", "3000"]
    _, launching = serve.commands(workspace="workspace.yaml", host="127.0.0.1", port=3000, launch_runs=True)
    assert "--read-only" not in launching
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    assert "$(if $(SERVE_LAUNCH_RUNS),--launch-runs)" in makefile, "make serve is read-only unless asked"


def _unit_settings(name: str) -> dict[str, list[str]]:
    """A unit's [Service] settings, every value of a repeated key kept (systemd's own syntax)."""
    settings: dict[str, list[str]] = {}
    section = None
    for line in (REPO_ROOT / "deploy" / f"{name}.service").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
        elif section == "Service" and line and not line.startswith("#"):
            key, _, value = line.partition("=")
            settings.setdefault(key, []).append(value)
    return settings


# The sandbox both units keep (docs/operations.md, "systemd").
HARDENING = {
    "NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes",
    "PrivateDevices": "yes", "PrivateUsers": "yes", "PrivateMounts": "yes", "CapabilityBoundingSet": "",
    "RestrictSUIDSGID": "yes", "ProtectKernelTunables": "yes", "ProtectKernelModules": "yes",
    "ProtectKernelLogs": "yes", "ProtectControlGroups": "yes", "ProtectClock": "yes", "ProtectHostname": "yes",
    "ProtectProc": "invisible", "RestrictNamespaces": "yes", "RestrictRealtime": "yes", "LockPersonality": "yes",
    "RemoveIPC": "yes", "SystemCallArchitectures": "native", "IPAddressDeny": "any", "IPAddressAllow": "localhost",
    "UMask": "0027",
}


@pytest.mark.parametrize(
    ("name", "writable"),
    [("budget-dagster-daemon", ["warehouse", ".dagster_home"]), ("budget-dagster-webserver", [".dagster_home"])],
)
def test_the_systemd_units_are_sandboxed(name: str, writable: list[str]) -> None:
    settings = _unit_settings(name)
    assert {key: settings.get(key) for key in HARDENING} == {key: [value] for key, value in HARDENING.items()}
    assert settings["SystemCallFilter"] == ["@system-service", "~@privileged"]
    assert settings["MemoryMax"][0].endswith("G")
    environment = dict(value.split("=", 1) for value in settings["Environment"])
    home = environment["DAGSTER_HOME"]
    warehouse_dir = environment["BUDGET_WAREHOUSE"].rsplit("/", 1)[0]
    root = home.rsplit("/", 1)[0]
    assert settings["ReadWritePaths"] == [" ".join(f"{root}/{path}" for path in writable)]
    assert (home, warehouse_dir) == (f"{root}/.dagster_home", f"{root}/warehouse")
    assert environment["BUDGET_RAW_DIR"] not in settings["ReadWritePaths"][0], "raw/ is only read"
    assert (settings["User"], settings["Group"]) == (["budget"], ["budget"])


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here")
@pytest.mark.parametrize("name", ["budget-dagster-daemon", "budget-dagster-webserver"])
def test_systemd_rates_the_units_4_or_safer(name: str) -> None:
    """`systemd-analyze security` scores exposure from 0 (safest) to 10; 4.0 or lower is the aim."""
    import re

    rated = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", str(REPO_ROOT / "deploy" / f"{name}.service")],
        capture_output=True, text=True, check=False,
    )
    score = re.search(r"Overall exposure level for \S+: (\d+\.\d)", rated.stdout)
    assert score is not None, rated.stdout + rated.stderr
    assert float(score[1]) <= 4.0, rated.stdout


def test_the_systemd_units_run_the_daemon_and_the_webserver_on_one_instance() -> None:
    import configparser

    units = {}
    for name in ("budget-dagster-daemon", "budget-dagster-webserver"):
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.optionxform = str
        parser.read(REPO_ROOT / "deploy" / f"{name}.service", encoding="utf-8")
        units[name] = parser
    daemon, webserver = units["budget-dagster-daemon"], units["budget-dagster-webserver"]
    assert daemon["Service"]["ExecStart"].split()[1:] == ["run", "-w", "workspace.yaml"]
    assert daemon["Service"]["ExecStart"].split()[0].endswith("/.venv/bin/dagster-daemon")
    assert webserver["Service"]["ExecStart"].split()[0].endswith("/.venv/bin/dagster-webserver")
    assert webserver["Service"]["ExecStart"].split()[1:] == [
        "--read-only", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", "3000"
    ], "read-only, on the loopback only"
    for unit in units.values():
        service = unit["Service"]
        assert service["Restart"] == "on-failure"
        assert unit["Install"]["WantedBy"] == "multi-user.target"
    # Both read the same instance, warehouse and raw/ (Environment= lines, parsed by hand: repeated keys).
    environments = [
        sorted(line for line in (REPO_ROOT / "deploy" / f"{name}.service").read_text(encoding="utf-8").splitlines()
               if line.startswith("Environment="))
        for name in units
    ]
    assert environments[0] == environments[1]
    assert any(line.startswith("Environment=DAGSTER_HOME=") and line.endswith("/.dagster_home") for line in environments[0])
