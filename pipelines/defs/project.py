"""The dbt project and its manifest, which dagster-dbt needs to know the models."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from pipelines.warehouse import settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_executable() -> str:
    """The dbt installed beside this Python, so a venv works without being activated."""
    return str(Path(sys.executable).with_name("dbt"))


def ensure_manifest() -> Path:
    """Run `dbt parse` when the manifest is missing or older than a model, so a fresh clone just works.

    Loads do not reuse this parse: each warehouse's loads keep their own dbt target folder, whose
    partial parse matches the profile they render (pipelines/defs/assets/dbt.py).
    """
    manifest = dbt_project.manifest_path
    sources = [
        p for p in DBT_PROJECT_DIR.rglob("*") if p.suffix in {".sql", ".yml", ".csv"} and "target" not in p.parts
    ]
    newest = max((p.stat().st_mtime for p in sources), default=0.0)
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        subprocess.run(
            [dbt_executable(), "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR),
             "--profiles-dir", str(DBT_PROJECT_DIR)],
            check=True,
            cwd=DBT_PROJECT_DIR,
            # Parsing renders the profile but never opens the database.
            env={**os.environ, settings.DBT_DATABASE_ENV: ":memory:"},
        )
    return manifest
