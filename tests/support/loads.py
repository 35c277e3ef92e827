"""Running a real load (Dagster's own in-process runner, dbt through dagster-dbt) in a temp folder."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb

from tests.support.paths import SEED_PATH


@dataclass(frozen=True)
class LoadedWarehouse:
    raw_dir: Path
    database: Path
    result: dg.ExecuteInProcessResult

    def query(self, sql: str, parameters: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.database), read_only=True) as con:
            return con.execute(sql, parameters or []).fetchall()


def seed_raw_dir(root: Path) -> Path:
    raw = root / "raw"
    (raw / "2024").mkdir(parents=True)
    shutil.copyfile(SEED_PATH, raw / "2024" / SEED_PATH.name)
    return raw


def run_load_job(raw_dir: Path, database: Path, dagster_home: Path) -> dg.ExecuteInProcessResult:
    """The same job the CLI and the schedule run, on a throwaway Dagster instance."""
    from pipelines.defs.definitions import build_definitions
    from pipelines.defs.load_requests import prepare_in_process_load
    from pipelines.defs.resources import BudgetWarehouse

    dagster_home.mkdir(parents=True, exist_ok=True)
    warehouse = BudgetWarehouse(database=str(database), raw_dir=str(raw_dir))
    defs = build_definitions(warehouse)
    with dg.instance_for_test(temp_dir=str(dagster_home)) as instance:
        _, target = prepare_in_process_load(warehouse, instance)
        return defs.resolve_job_def("load_warehouse").execute_in_process(
            instance=instance, raise_on_error=False, **target
        )


def environment_for(raw_dir: Path, database: Path, dagster_home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "BUDGET_RAW_DIR": str(raw_dir),
        "BUDGET_WAREHOUSE": str(database),
        "DAGSTER_HOME": str(dagster_home),
    }


@dataclass(frozen=True)
class EditedSeedLoad:
    database: Path
    result: dg.ExecuteInProcessResult

    def failed_checks(self) -> set[str]:
        """The asset checks (pandera's and dbt's tests) that did not pass, warnings included."""
        return {e.check_name for e in self.result.get_asset_check_evaluations() if not e.passed}

    def failing_findings(self) -> set[str]:
        """The columns and expressions that dbt's merged tests (not_null_columns,
        expressions_are_true, accepted_values_columns: one test a model) found failing, warnings
        included: each failed test's query run again on the published warehouse. A first load's
        build is a full one, whose tests read every row."""
        target = self.database.parent / f".{self.database.stem}.dbt-target"
        results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
        failed = self.failed_checks()
        found: set[str] = set()
        with duckdb.connect(str(self.database), read_only=True) as con:
            for result in results:
                if result["unique_id"].split(".")[2] in failed and result.get("compiled_code"):
                    found.update(str(row[0]) for row in con.execute(result["compiled_code"]).fetchall())
        return found


def load_edited_seed(root: Path, edit: Callable[[str], str]) -> EditedSeedLoad:
    """The seed's table as a department might have typed it (`edit` rewrites its text), loaded."""
    raw = seed_raw_dir(root)
    [table] = (raw / "2024").iterdir()
    original = table.read_text(encoding="utf-8")
    edited = edit(original)
    assert edited != original, "the edit changed nothing: the seed's text is not what it expects"
    table.write_text(edited, encoding="utf-8")
    database = root / "warehouse" / "budget.duckdb"
    return EditedSeedLoad(database, run_load_job(raw, database, root / "dagster_home"))
