"""`make serve`: dagster-webserver and dagster-daemon side by side, as long-lived processes.

The daemon runs the `raw_files_changed` sensor, the `nightly_load` schedule and the run queue;
the webserver is the UI. If either exits, the other is stopped and this exits with its status, so
a supervisor (systemd, docker) sees the failure. In production run the two as separate services
(deploy/*.service); this is the same pair for one terminal.

The UI is read-only unless --launch-runs is given: anyone who reaches its port could otherwise
launch, cancel and re-execute loads and switch the schedule off (docs/operations.md).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

_POLL_SECONDS = 1.0
_STOP_SECONDS = 30


def commands(*, workspace: str, host: str, port: int, launch_runs: bool = False) -> list[list[str]]:
    bin_dir = Path(sys.executable).parent
    return [
        [str(bin_dir / "dagster-daemon"), "run", "-w", workspace],
        [
            str(bin_dir / "dagster-webserver"), *([] if launch_runs else ["--read-only"]),
            "-w", workspace, "-h", host, "-p", str(port),
        ],
    ]


def main(argv: list[str] | None = None) -> int:
    # -h is the host, as for dagster-webserver; --help still prints the usage.
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.serve", description=__doc__.splitlines()[0], add_help=False
    )
    parser.add_argument("--help", action="help")
    parser.add_argument("-w", "--workspace", default="workspace.yaml")
    parser.add_argument("-h", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=3000)
    parser.add_argument(
        "--launch-runs", action="store_true",
        help="let the UI launch, cancel and re-execute runs (default: read-only; put an authenticating proxy in front)",
    )
    args = parser.parse_args(argv)
    # Each in a process group of its own, so that stopping it also stops the code servers it started.
    processes = [
        subprocess.Popen(command, process_group=0)
        for command in commands(workspace=args.workspace, host=args.host, port=args.port, launch_runs=args.launch_runs)
    ]
    stopping = False

    def stop(signum, _frame) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while not stopping and all(process.poll() is None for process in processes):
            time.sleep(_POLL_SECONDS)
    finally:
        for process in processes:
            _signal_group(process, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            _signal_group(process, signal.SIGKILL)  # whatever of its group outlived it
    exited = [process.returncode for process in processes if process.returncode not in (0, -signal.SIGTERM)]
    return 0 if stopping else (exited[0] if exited else 1)


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass


if __name__ == "__main__":
    sys.exit(main())
