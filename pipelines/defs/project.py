"""The dbt project and its manifest, which dagster-dbt needs to know the models."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from pipelines.warehouse import publish, settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
# Which database path the last `dbt parse` rendered into the profile (see ensure_manifest).
_PARSED_FOR = DBT_PROJECT_DIR / "target" / ".parsed_for_database"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_executable() -> str:
    """The dbt installed beside this Python, so a venv works without being activated."""
    return str(Path(sys.executable).with_name("dbt"))


def ensure_manifest() -> Path:
    """Run `dbt parse` when the manifest is missing or stale, so a fresh clone just works.

    dbt reuses this parse in every load (dagster-dbt copies its partial_parse.msgpack) only if
    the profile renders the same: so it parses for the path the loads of this warehouse give dbt.
    """
    manifest = dbt_project.manifest_path
    database = str(publish.dbt_database_path(settings.warehouse_path().resolve()))
    sources = [
        p for p in DBT_PROJECT_DIR.rglob("*") if p.suffix in {".sql", ".yml", ".csv"} and "target" not in p.parts
    ]
    newest = max((p.stat().st_mtime for p in sources), default=0.0)
    stale = not manifest.exists() or manifest.stat().st_mtime < newest
    if stale or not _PARSED_FOR.exists() or _PARSED_FOR.read_text() != database:
        subprocess.run(
            [dbt_executable(), "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR),
             "--profiles-dir", str(DBT_PROJECT_DIR)],
            check=True,
            cwd=DBT_PROJECT_DIR,
            # Parsing renders the profile but never opens the database.
            env={**os.environ, settings.DBT_DATABASE_ENV: database},
        )
        _PARSED_FOR.write_text(database)
    return manifest
