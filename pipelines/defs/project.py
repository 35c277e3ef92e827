"""The dbt project and its manifest, which dagster-dbt needs to know the models."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_executable() -> str:
    """The dbt installed beside this Python, so a venv works without being activated."""
    return str(Path(sys.executable).with_name("dbt"))


def ensure_manifest() -> Path:
    """Run `dbt parse` when the manifest is missing or older than a model, so a fresh clone just works."""
    manifest = dbt_project.manifest_path
    sources = [p for p in DBT_PROJECT_DIR.rglob("*") if p.suffix in {".sql", ".yml", ".csv"} and "target" not in p.parts]
    newest = max((p.stat().st_mtime for p in sources), default=0.0)
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        subprocess.run(
            [dbt_executable(), "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)],
            check=True,
            cwd=DBT_PROJECT_DIR,
            env=_parse_env(),
        )
    return manifest


def _parse_env() -> dict[str, str]:
    import os

    # Parsing never opens the database, but the profile must still render.
    return {**os.environ, "BUDGET_DBT_DATABASE": os.environ.get("BUDGET_DBT_DATABASE", ":memory:")}
