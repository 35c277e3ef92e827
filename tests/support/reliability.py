"""Loads started, watched and killed as a crash would kill them; the published file compared byte
for byte; the marts read the way a BI tool reads them. Used by the crash, reading and idempotence
tests (docs/reliability.md).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from bench.generate import generate
from tests.support.cli import LoadRun, _summary
from tests.support.paths import REPO_ROOT


def _marts_in_the_dbt_manifest() -> tuple[str, ...]:
    """Every model under dbt_project/models/marts/: a mart added later is checked without editing tests."""
    from pipelines.defs.project import ensure_manifest

    manifest = json.loads(ensure_manifest().read_text(encoding="utf-8"))
    return tuple(
        sorted(
            node["name"]
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node["fqn"][1] == "marts"
        )
    )


MART_TABLES = _marts_in_the_dbt_manifest()
# A stuck watcher must fail the test, not hang CI; a load takes ~15 s, far below these bounds.
_WATCH_LIMIT_SECONDS = 300
_POLL_SECONDS = 0.02


def parquet_files(warehouse: Path) -> dict[str, str]:
    """Every file of the warehouse's Parquet copies, by path, with its SHA-256: to tell whether a
    load changed any of them."""
    folder = warehouse.parent / "parquet"
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def copy_warehouse(source: Path, target_dir: Path) -> Path:
    """A private copy of a published warehouse (the file only; no build, lock or Parquet copies)."""
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / source.name
    shutil.copyfile(source, target)
    return target


def copy_published(source: Path, target_dir: Path) -> Path:
    """A private copy of a published warehouse and its Parquet copies, times kept (the copies name
    the file they were exported from by its size and modification time)."""
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / source.name
    shutil.copy2(source, target)
    shutil.copytree(source.parent / "parquet", target_dir / "parquet", ignore=shutil.ignore_patterns(".*"))
    return target


def parquet_differences(warehouse: Path) -> dict[str, tuple[int, int]]:
    """Each mart whose Parquet folder differs from it: (rows missing from the folder, rows in excess)."""
    differences = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table in MART_TABLES:
            files = str(warehouse.parent / "parquet" / table / "*.parquet")
            counts = tuple(
                con.execute(f"select count(*) from ({query})", [files]).fetchone()[0]  # constant table names
                for query in (f"select * from marts.{table} except all select * from read_parquet(?)",
                              f"select * from read_parquet(?) except all select * from marts.{table}")
            )
            if counts != (0, 0):
                differences[table] = counts
    return differences


def raw_with_generated(seed_raw: Path, target: Path, *, departments: int, seed: int) -> Path:
    """raw/ as seed_raw has it, plus `departments` synthetic tables so a load has work to do."""
    shutil.copytree(seed_raw, target, symlinks=True)
    generate(departments=departments, seed=seed, out=target)
    return target


def build_debris(warehouse: Path) -> list[str]:
    build = warehouse.parent / ".build"
    return sorted(p.name for p in build.iterdir()) if build.exists() else []


def loader_environment(warehouse: Path, dagster_home: Path | None = None) -> dict[str, str]:
    home = dagster_home or warehouse.parent / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUDGET_")}
    env["DAGSTER_HOME"] = str(home)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env


def start_load(
    raw_dir: Path, warehouse: Path, *, progress: bool = False, dagster_home: Path | None = None
) -> subprocess.Popen[str]:
    """`budget-warehouse load --json` in its own process group, so a kill takes dbt down with it.

    `progress`: without --json, so that the progress lines come on stderr (and the table on stdout).
    `dagster_home`: default, a folder beside the warehouse."""
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "load", "--raw-dir", str(raw_dir),
         "--warehouse", str(warehouse), *([] if progress else ["--json"])],
        cwd=REPO_ROOT,
        env=loader_environment(warehouse, dagster_home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def finish_load(process: subprocess.Popen[str]) -> LoadRun:
    stdout, stderr = process.communicate(timeout=_WATCH_LIMIT_SECONDS)
    return LoadRun(process.returncode, _summary(stdout), stdout, stderr)


def kill_load(process: subprocess.Popen[str]) -> None:
    """SIGKILL the loader and every process it started (dbt), as a power cut or the OOM killer would."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.communicate(timeout=_WATCH_LIMIT_SECONDS)


# --- moments to kill at: each returns True once the load has reached it -------------------------

Moment = Callable[[subprocess.Popen[str], Path], bool]


def build_copy_exists(process: subprocess.Popen[str], warehouse: Path) -> bool:
    """The run has copied the published file and is staging raw/ into the copy."""
    return any(name.endswith(".duckdb") for name in build_debris(warehouse))


def dbt_running(process: subprocess.Popen[str], warehouse: Path) -> bool:
    return bool(_dbt_processes(process.pid))


class DbtFinished:
    """dbt has run and exited: the load is checkpointing, publishing or exporting (or has)."""

    __name__ = "dbt_finished"

    def __init__(self) -> None:
        self._seen_running = False

    def __call__(self, process: subprocess.Popen[str], warehouse: Path) -> bool:
        running = bool(_dbt_processes(process.pid))
        self._seen_running = self._seen_running or running
        return self._seen_running and not running


def wait_for(process: subprocess.Popen[str], warehouse: Path, moment: Moment) -> bool:
    """Poll until the moment comes (True) or the load exits first (False)."""
    deadline = time.monotonic() + _WATCH_LIMIT_SECONDS
    while process.poll() is None:
        if moment(process, warehouse):
            return True
        if time.monotonic() > deadline:
            kill_load(process)
            raise TimeoutError(f"the load never reached {getattr(moment, '__name__', moment)}")
        time.sleep(_POLL_SECONDS)
    return False


def kill_at(process: subprocess.Popen[str], warehouse: Path, moment: Moment) -> None:
    """SIGKILL the load once it reaches the moment; fail with what it printed if it ends first."""
    if not wait_for(process, warehouse, moment):
        ended = finish_load(process)
        raise AssertionError(f"the load ended before {getattr(moment, '__name__', moment)}: {ended.explain()}")
    kill_load(process)


def _dbt_processes(session_id: int) -> list[int]:
    """Processes of the loader's session whose command line runs dbt."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == session_id:
            continue
        try:
            if os.getsid(int(entry.name)) != session_id:
                continue
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except (OSError, ProcessLookupError):
            continue
        if any(part.endswith(b"/dbt") or part == b"dbt" for part in command[:2]):
            found.append(int(entry.name))
    return found


# --- reading the marts as a BI tool does -----------------------------------------------------------


def mart_contents(warehouse: Path, *, without_load_times: bool = False) -> dict[str, list[tuple]]:
    """Every row of every mart, sorted, from one read-only connection.

    `without_load_times` leaves out the timestamp columns (when a problem was detected): two
    builds of the same raw/ agree on everything but the moment they ran.
    """
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {table: _sorted_rows(con, table, without_load_times) for table in MART_TABLES}


def mart_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    """(column, type) of a mart, from the warehouse catalog."""
    return con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'marts' and table_name = $table order by ordinal_position",
        {"table": table},
    ).fetchall()


def _sorted_rows(con: duckdb.DuckDBPyConnection, table: str, without_load_times: bool) -> list[tuple]:
    columns = [
        name for name, kind in mart_columns(con, table) if not (without_load_times and kind.startswith("TIMESTAMP"))
    ]
    assert columns, f"marts.{table} is missing from {con}"
    # Names come from the catalog and the dbt manifest, never from input.
    listed = ", ".join(f'"{name}"' for name in columns)
    rows = [tuple(_hashable(value) for value in row) for row in con.execute(f'select {listed} from marts."{table}"').fetchall()]
    return sorted(rows, key=lambda row: tuple((value is None, str(value)) for value in row))


def marts_rebuilt_in_full(warehouse: Path, target_dir: Path, *, project: Path | None = None) -> Path:
    """A copy of the warehouse whose marts dbt rebuilt from scratch (`dbt run --full-refresh`).

    The same landing rows, so the same loaded_at and detected_at: an incremental build must give
    these marts exactly, every column. dbt's target and logs go to target_dir, never the checkout.
    `project`: a copy of the project (tests/support/project_copy.py) whose dbt project to use.
    """
    copy = copy_warehouse(warehouse, target_dir)
    dbt = str(Path(sys.executable).with_name("dbt"))
    project = (project or REPO_ROOT) / "dbt_project"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUDGET_")}
    env["BUDGET_DBT_DATABASE"] = str(copy)
    done = subprocess.run(
        [dbt, "run", "--full-refresh", "--quiet", "--project-dir", str(project), "--profiles-dir", str(project),
         "--target-path", str(target_dir / "dbt-target"), "--log-path", str(target_dir / "dbt-logs")],
        cwd=project, env=env, capture_output=True, text=True, timeout=_WATCH_LIMIT_SECONDS, check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return copy


def dbt_model_runs(warehouse: Path) -> dict[str, str]:
    """How the last load's dbt build made each mart: 'incremental' (only the change set's rows:
    the model's compiled SQL reads landing.load_changes or the changed departments) or 'full'.
    From dbt's run_results.json in the load's target folder beside the warehouse."""
    results = warehouse.parent / f".{warehouse.stem}.dbt-target" / "run_results.json"
    runs = {}
    for result in json.loads(results.read_text(encoding="utf-8"))["results"]:
        unique_id = result["unique_id"]
        if unique_id.startswith("model.budget_warehouse.") and result["status"] == "success":
            code = result.get("compiled_code") or ""
            incremental = "load_changes" in code or "changed_departments" in code
            runs[unique_id.rsplit(".", 1)[-1]] = "incremental" if incremental else "full"
    return runs


def dbt_test_runs(warehouse: Path) -> dict[str, str]:
    """Each test, unit test and seed of the last load's dbt build: 'scoped' (its compiled SQL reads
    only the change set's rows) or 'full'. Nodes the build left out are missing."""
    results = warehouse.parent / f".{warehouse.stem}.dbt-target" / "run_results.json"
    runs = {}
    for result in json.loads(results.read_text(encoding="utf-8"))["results"]:
        unique_id = result["unique_id"]
        if unique_id.split(".", 1)[0] in ("test", "unit_test", "seed"):
            code = result.get("compiled_code") or ""
            runs[unique_id] = "scoped" if "load_changes" in code or "changed_departments" in code else "full"
    return runs


def dbt_results(target: Path) -> dict[str, str]:
    """Each node of the last dbt command with that target folder, and its status (pass, fail, …)."""
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    return {result["unique_id"]: result["status"] for result in results}


def _hashable(value):
    """Lists (e.g. target_quality.findings) as tuples, so that rows can be counted in a set."""
    if isinstance(value, list):
        return tuple(_hashable(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((key, _hashable(item)) for key, item in value.items()))
    return value


@dataclass(frozen=True)
class ReaderReport:
    iterations: int
    errors: list[str]
    inconsistencies: list[str]
    department_counts_seen: list[int]  # in the order first seen


def start_readers(warehouse: Path, stop_file: Path, ready_dir: Path, *, count: int, max_iterations: int):
    ready_dir.mkdir(parents=True, exist_ok=True)
    return [
        subprocess.Popen(
            [sys.executable, "-m", "tests.support.reader", str(warehouse), str(stop_file),
             str(ready_dir / f"reader-{index}"), str(max_iterations)],
            cwd=REPO_ROOT,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for index in range(count)
    ]


def wait_until_readers_read(ready_dir: Path, readers: list[subprocess.Popen[str]]) -> None:
    """Every reader has answered once from the warehouse as it was before the loads."""
    deadline = time.monotonic() + _WATCH_LIMIT_SECONDS
    while len(list(ready_dir.iterdir())) < len(readers):
        if any(reader.poll() is not None for reader in readers) or time.monotonic() > deadline:
            raise AssertionError("a reader exited before its first read: " + _stderr_of(readers))
        time.sleep(_POLL_SECONDS)


def collect_readers(readers: list[subprocess.Popen[str]]) -> list[ReaderReport]:
    reports = []
    for reader in readers:
        stdout, stderr = reader.communicate(timeout=_WATCH_LIMIT_SECONDS)
        assert reader.returncode == 0, f"reader crashed: {stderr[-2000:]}"
        reports.append(ReaderReport(**json.loads(stdout)))
    return reports


def _stderr_of(readers: list[subprocess.Popen[str]]) -> str:
    return "\n".join(r.stderr.read()[-1000:] for r in readers if r.poll() is not None and r.stderr)
