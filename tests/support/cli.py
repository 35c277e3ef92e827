"""Running `budget-warehouse load` as a user does, and reading what it published.

The CLI runs in a subprocess so that its environment settings (BUDGET_RAW_DIR, BUDGET_WAREHOUSE,
DAGSTER_HOME) never leak into the test process. A load takes ~15 s (dbt): share one per module.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from tests.support.paths import REPO_ROOT

_LOAD_TIMEOUT_SECONDS = 600


@dataclass(frozen=True)
class LoadRun:
    exit_code: int
    summary: dict | None  # the --json summary; None when the CLI printed none
    stdout: str
    stderr: str

    def explain(self) -> str:
        """For assertion messages: what the CLI said."""
        return f"exit {self.exit_code}\n--- stdout ---\n{self.stdout[-4000:]}\n--- stderr ---\n{self.stderr[-4000:]}"


def load_cli(
    raw_dir: Path, warehouse: Path, *, dagster_home: Path | None = None, engine: str | None = None,
    env: dict[str, str] | None = None,
) -> LoadRun:
    """`python -m pipelines.cli load --raw-dir … --warehouse … --json` with a private DAGSTER_HOME.

    `engine`: passed as --engine (the Spark engine's tests); None leaves the default.
    `env`: the environment to start from (default os.environ); BUDGET_* settings are dropped.
    """
    home = dagster_home or warehouse.parent / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    env = {k: v for k, v in (os.environ if env is None else env).items() if not k.startswith("BUDGET_")}
    env["DAGSTER_HOME"] = str(home)
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipelines.cli",
            "load",
            "--raw-dir",
            str(raw_dir),
            "--warehouse",
            str(warehouse),
            "--json",
            *(["--engine", engine] if engine else []),
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=_LOAD_TIMEOUT_SECONDS,
        check=False,
    )
    return LoadRun(completed.returncode, _summary(completed.stdout), completed.stdout, completed.stderr)


def query(warehouse: Path, sql: str, parameters: list | dict | None = None) -> list[tuple]:
    """Rows of a query against the published warehouse, opened read-only as users must."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, parameters or []).fetchall()


def _summary(stdout: str) -> dict | None:
    """The JSON object the CLI prints last (tool output may come before it)."""
    lines = stdout.splitlines(keepends=True)
    for index in range(len(lines) - 1, -1, -1):
        if lines[index].rstrip("\r\n") == "{":
            try:
                return json.loads("".join(lines[index:]))
            except json.JSONDecodeError:
                return None
    return None
