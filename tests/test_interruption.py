"""SIGINT and SIGTERM at each stage of a real `budget-warehouse load` (docs/reliability.md, "Interruption").

Each load starts from a published warehouse with its Parquet copies and has 1,000 generated
departments to add, enough for the parse worker pool. Once a stage's progress line appears on
stderr, the test sends the signal: SIGINT to the process group, as Ctrl-C in a terminal does;
SIGTERM to the loader alone, as `kill <pid>` does. Every time the load must exit 130 or 143 with
one line after its progress lines and no traceback, leave the published file byte for byte and
its Parquet folder file for file as they were (or, stopped once the publish was done, both
holding the load), leave no process behind and release the lock. A last load then converges.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from pipelines.warehouse import publish
from tests.support import reliability

pytestmark = pytest.mark.slow

GENERATED_DEPARTMENTS = 1000
# The progress line that marks each stage (pipelines/cli.py, pipelines/run_load.py).
STAGES = {
    "discovery": "checking raw/ against the published warehouse",
    "parsing": "parsing, validating",
    "staging": "] staged: ",
    "dbt": "dbt build: staging views, marts and their tests",
    "export": "writing the marts' Parquet copies",
    "publish": "publishing the warehouse and its Parquet copies",
}
EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}
_TIMEOUT_SECONDS = 600


@pytest.fixture(scope="module")
def published(seed_warehouse, tmp_path_factory) -> tuple[Path, Path]:
    """raw/ with the seed and 1,000 more departments; the seed's warehouse and Parquet copies."""
    root = tmp_path_factory.mktemp("interruption")
    raw = reliability.raw_with_generated(
        seed_warehouse.raw_dir, root / "raw", departments=GENERATED_DEPARTMENTS, seed=29
    )
    return raw, reliability.copy_published(seed_warehouse.database, root / "published")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_at_each_stage_stops_the_load_and_changes_nothing_published(published, tmp_path, sig):
    raw, source = published
    warehouse = reliability.copy_published(source, tmp_path / "warehouse")
    before, parquet_before = reliability.sha256(warehouse), reliability.parquet_files(warehouse)
    assert parquet_before and reliability.parquet_differences(warehouse) == {}

    for stage, line in STAGES.items():
        process = reliability.start_load(raw, warehouse, progress=True)
        stderr = _signal_at(process, line, sig)
        stdout = process.stdout.read()
        process.wait(timeout=_TIMEOUT_SECONDS)
        said = f"at {stage}: exit {process.returncode}\n{stderr}\n{stdout}"

        assert process.returncode == EXIT_CODES[sig], said
        lines = stderr.splitlines()
        *progress, last = lines
        assert last.startswith(f"interrupted by {sig.name}"), said
        assert all(text.startswith(("[", "loading ")) for text in progress), said
        assert "Traceback" not in stderr and "Error" not in stderr, said
        published = "after the publish" in last  # the load may then have printed its summary already
        assert published or stdout == "", said
        assert _session_processes(process.pid) == [], said
        with publish.load_lock(warehouse):
            pass  # released: the kernel dropped it with the process
        if published:
            assert stage == "publish", said
            assert reliability.parquet_differences(warehouse) == {}, said
            return  # the warehouse holds the load now: the stages after it are covered above
        assert reliability.sha256(warehouse) == before, said
        assert reliability.parquet_files(warehouse) == parquet_before, said

    finished = reliability.finish_load(reliability.start_load(raw, warehouse))
    assert finished.exit_code == 0, finished.explain()
    assert finished.summary["departments"] == 1 + GENERATED_DEPARTMENTS
    assert finished.summary["total_amount"] > 2177.86
    assert reliability.parquet_differences(warehouse) == {}
    assert reliability.build_debris(warehouse) == []


def _signal_at(process: subprocess.Popen[str], line: str, sig: signal.Signals) -> str:
    """Everything the load printed on stderr; the signal goes out as soon as `line` appears."""
    seen, sent = [], False
    for text in process.stderr:
        seen.append(text)
        if not sent and line in text:
            if sig == signal.SIGINT:
                os.killpg(process.pid, sig)  # Ctrl-C: the whole foreground process group
            else:
                process.send_signal(sig)  # `kill <pid>`: the loader alone
            sent = True
    assert sent, f"the load never printed {line!r}:\n{''.join(seen)}"
    return "".join(seen)



def _session_processes(session: int) -> list[int]:
    """Processes still in the load's session (it was started in its own): none may outlive it."""
    deadline = time.monotonic() + 10  # a killed child is reaped by init, not at once
    while True:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if os.getsid(int(entry.name)) == session:
                        found.append(int(entry.name))
                except OSError:
                    continue
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)

