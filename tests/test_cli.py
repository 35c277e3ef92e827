"""`budget-warehouse load` as scripts and people use it: progress, the final table, --json, --quiet, exit codes.

--json and --quiet are held to their word through a real load (Dagster and dbt, into a fresh
warehouse, the CLI in a subprocess as a user runs it). Loads that find raw/ unchanged skip dbt, so
the default output's test starts from a copy of the session's seed warehouse and runs the CLI
in-process (a few seconds); one test adds a broken file and runs the CLI in a subprocess, with dbt.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import dagster as dg
import pytest

from pipelines import cli
from tests.support.cli import query
from tests.support.loads import LoadedWarehouse, seed_raw_dir
from tests.support.paths import REPO_ROOT

pytestmark = pytest.mark.slow

EXIT_OK, EXIT_FAILED, EXIT_QUARANTINED = 0, 1, 3
# The dbt step's time in a run's summary: absent when a load finds nothing changed and skips dbt.
_DBT_STEP = "step warehouse_dbt_models"


def _cli(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    home = tmp_path / "dagster_home"
    home.mkdir(exist_ok=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUDGET_")}
    env["DAGSTER_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "load", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture
def in_process(monkeypatch, capsys, tmp_path):
    """`main(["load", …])` in this process; the settings it exports are undone after the test.

    Its runs go to a temporary DAGSTER_HOME, never to the project's .dagster_home."""
    for name in ("BUDGET_RAW_DIR", "BUDGET_WAREHOUSE", "BUDGET_DBT_DATABASE"):
        monkeypatch.setenv(name, "unset-by-test")
    monkeypatch.delenv("BUDGET_DBT_DATABASE")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))

    def run(*args: str) -> tuple[int, str, str]:
        code = cli.main(["load", *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def _copy_of(seed: LoadedWarehouse, tmp_path: Path) -> Path:
    database = tmp_path / "warehouse" / "budget.duckdb"
    database.parent.mkdir()
    shutil.copyfile(seed.database, database)
    return database


def test_json_prints_only_the_summary_of_a_real_load(tmp_path):
    raw, database = seed_raw_dir(tmp_path), tmp_path / "warehouse" / "budget.duckdb"
    run = _cli("--raw-dir", str(raw), "--warehouse", str(database), "--json", tmp_path=tmp_path)
    assert run.returncode == EXIT_OK, run.stderr[-3000:]
    summary = json.loads(run.stdout)  # stdout is the JSON document and nothing else
    assert summary["success"] is True
    assert (summary["files"], summary["parsed_files"], summary["unchanged_files"]) == (1, 1, 0)
    assert _DBT_STEP in summary["seconds"], "dbt built the marts in this run"
    assert (summary["files"], summary["departments"], summary["projects"], summary["indicators"]) == (
        1,
        1,
        10,
        37,
    )
    assert summary["total_amount"] == "2177.86"  # Decimal, serialized exactly
    assert summary["mart_rows"]["budget_by_project"] == 10
    assert run.stderr == "", "--json prints no progress, and Dagster and dbt print nothing"


def test_quiet_prints_nothing_through_a_real_load(tmp_path):
    raw, database = seed_raw_dir(tmp_path), tmp_path / "warehouse" / "budget.duckdb"
    run = _cli("--raw-dir", str(raw), "--warehouse", str(database), "--quiet", tmp_path=tmp_path)
    assert run.returncode == EXIT_OK, run.stderr[-3000:]
    assert (run.stdout, run.stderr) == ("", "")
    with dg.DagsterInstance.from_config(str(tmp_path / "dagster_home")) as instance:
        [load] = instance.get_runs(dg.RunsFilter(job_name="load_warehouse"))
        steps = {stats.step_key for stats in instance.get_run_step_stats(load.run_id)}
    assert _DBT_STEP.removeprefix("step ") in steps, "dbt built the marts in this run"
    assert query(database, "select count(*), sum(indicator_count), sum(total_amount) from marts.budget_by_project") == [
        (10, 37, Decimal("2177.86"))
    ]


def test_default_output_shows_progress_on_stderr_and_a_table_on_stdout(seed_warehouse, tmp_path, in_process):
    database = _copy_of(seed_warehouse, tmp_path)
    code, out, err = in_process("--raw-dir", str(seed_warehouse.raw_dir), "--warehouse", str(database))
    assert code == EXIT_OK, err[-3000:]
    progress = err.splitlines()
    assert any("1 file(s) under raw/: 0 new or changed, 0 removed" in line for line in progress), err
    assert any("parsing, validating (pandera) and staging" in line for line in progress), err
    assert any("nothing changed under raw/" in line for line in progress), err
    assert all(line.startswith("[") for line in progress[1:]), "every progress line shows the elapsed time"
    assert " - dagster - " not in err, "Dagster's own log lines stay out of the way"
    table = dict(line.strip().rsplit(None, 1) for line in out.splitlines()[1:])
    assert (table["projects"], table["indicators"], table["total (万元)"]) == ("10", "37", "2,177.86")


def test_a_quarantined_file_exits_3_and_is_named(seed_warehouse, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(seed_warehouse.raw_dir, raw)
    (raw / "2024" / "不是绩效目标表.txt").write_text("这不是一张项目支出绩效目标表\n", encoding="utf-8")
    database = _copy_of(seed_warehouse, tmp_path)
    run = _cli("--raw-dir", str(raw), "--warehouse", str(database), "--quiet", tmp_path=tmp_path)
    assert run.returncode == EXIT_QUARANTINED, run.stderr[-3000:]
    assert run.stdout == ""
    assert "不是绩效目标表.txt" in run.stderr


def test_a_missing_raw_dir_exits_1(tmp_path, in_process):
    code, _, err = in_process(
        "--raw-dir", str(tmp_path / "nowhere"), "--warehouse", str(tmp_path / "w.duckdb")
    )
    assert code == EXIT_FAILED
    assert "does not exist" in err


def test_a_damaged_warehouse_is_named_with_the_fix_and_the_next_load_rebuilds_it(seed_warehouse, tmp_path, in_process):
    database = _copy_of(seed_warehouse, tmp_path)
    with open(database, "r+b") as handle:  # cut short, as a full disk or an interrupted copy leaves it
        handle.truncate(database.stat().st_size * 6 // 10)
    code, out, err = in_process("--raw-dir", str(seed_warehouse.raw_dir), "--warehouse", str(database))
    assert code == EXIT_FAILED, err[-3000:]
    (said,) = [line for line in err.splitlines() if "is damaged" in line]
    assert said.startswith(f"load FAILED: the warehouse {database} is damaged and cannot be read (DuckDB: "), said
    assert said.endswith(
        f"move it away (mv {database} {database}.damaged) and load again: the next load rebuilds it from raw/"
    ), said
    assert "IOException" not in err and "Traceback" not in err
    files = [line.split("raw/", 1)[1].strip() for line in out.splitlines() if "files under raw/" in line]
    assert files == ["not counted (the load failed first)"], out

    database.rename(database.with_name("budget.duckdb.damaged"))
    code, out, err = in_process("--raw-dir", str(seed_warehouse.raw_dir), "--warehouse", str(database), "--json")
    assert code == EXIT_OK, err[-3000:]
    summary = json.loads(out)
    assert (summary["projects"], summary["indicators"], summary["total_amount"]) == (10, 37, "2177.86")


def test_a_load_while_another_holds_the_lock_stops_before_its_run(seed_warehouse, tmp_path, in_process):
    from pipelines.warehouse import publish

    database = _copy_of(seed_warehouse, tmp_path)
    with publish.load_lock(database):
        code, out, err = in_process("--raw-dir", str(seed_warehouse.raw_dir), "--warehouse", str(database))
        json_code, json_out, _ = in_process(
            "--raw-dir", str(seed_warehouse.raw_dir), "--warehouse", str(database), "--json"
        )
    expected = (
        f"another load is running on {database} (it holds {database.parent / '.budget.duckdb.lock'}); this load "
        "stopped without changing anything: run it again once that one has finished"
    )
    assert (code, out) == (EXIT_FAILED, "")
    assert err.splitlines()[-1] == f"load FAILED: {expected}"
    assert "Error" not in err and "pipelines." not in err
    summary = json.loads(json_out)
    assert (json_code, summary["success"], summary["error"]) == (EXIT_FAILED, False, expected)
    assert (summary["projects"], summary["total_amount"]) == (10, "2177.86"), "the published warehouse, unchanged"
    assert not (tmp_path / "dagster_home" / "history").exists(), "no Dagster run was started"


def test_the_failure_line_has_no_python_class_path():
    from pipelines.run_load import without_class_path

    message = "pipelines.warehouse.publish.LoadInProgressError: another load is running on /w/budget.duckdb"
    assert without_class_path(message, "LoadInProgressError") == "another load is running on /w/budget.duckdb"
    assert without_class_path("OSError: [Errno 28] No space left", "OSError") == "[Errno 28] No space left"
    assert without_class_path("no prefix here", "ValueError") == "no prefix here"


def test_dbt_lines_are_shown_only_when_dbt_failed():
    from pipelines.run_load import dbt_tail

    succeeded = ["Finished running 61 models in 0 hours 0 minutes and 4.20 seconds (4.20s).", "", "Completed successfully"]
    warned = ["", "Completed with 2 warnings:", "", "Warning in test x"]
    failed = ["", "Completed with 1 error, 0 partial successes, and 0 warnings:", "", "Failure in test fault_injected"]
    assert dbt_tail(succeeded) == []
    assert dbt_tail(warned) == []
    assert dbt_tail(failed) == failed


def test_a_warning_shows_once_as_a_warning():
    import logging

    import dagster as dg

    from pipelines.run_load import _ProgressReporter

    said: list[str] = []
    entry = dg.EventLogEntry(
        error_info=None, level=logging.WARNING, user_message="warning: 2024/a.txt, line 11: subtotal 1 ≠ 2 [x]",
        run_id="r", timestamp=0.0,
    )
    _ProgressReporter(said.append)(entry)
    assert said == ["warning: 2024/a.txt, line 11: subtotal 1 ≠ 2 [x]"]
