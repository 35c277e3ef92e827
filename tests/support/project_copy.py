"""A private copy of the project (code, dbt project, Makefile, committed Dagster config) in a temp
folder, sharing this checkout's .venv: for tests that break a model or run a make target without
touching the checkout.

Python run from the copy with PYTHONPATH=<copy> imports the copy's `pipelines`, so its dbt project,
its `.dagster_home` and its defaults are the copy's.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.support.paths import REPO_ROOT

_COPIED = ("pipelines", "schemas", "dbt_project", "bench", "workspace.yaml", "pyproject.toml",
           "requirements.lock", "Makefile", ".dagster_home/dagster.yaml")
_NOT_COPIED = shutil.ignore_patterns("target", "logs", "__pycache__", "dbt_packages", "*.egg-info")


def copy_project(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for name in _COPIED:
        source, destination = REPO_ROOT / name, target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, destination, ignore=_NOT_COPIED)
        else:
            shutil.copy2(source, destination)  # mtimes kept: make sees the venv as up to date
    (target / ".venv").symlink_to(REPO_ROOT / ".venv")
    return target


def environment(project: Path, **settings: str) -> dict[str, str]:
    """This process's environment minus the project's settings, importing the copy's code."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUDGET_") and k != "DAGSTER_HOME"}
    env["PYTHONPATH"] = str(project)
    env.update(settings)
    return env
