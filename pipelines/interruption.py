"""Ctrl-C (SIGINT) and SIGTERM stop a load at once and change nothing that is published.

`run_interruptibly` runs the load in a worker thread while the main thread waits for it and
owns both signals: Dagster's own handlers only install themselves on the main thread, where
they would hold a signal back until the running step ends. On a signal the main thread
closes the gate that publishing passes (`uninterrupted`), waiting if a publish is half-way,
kills every process the load started (the parse workers, dbt, Dagster's log helpers) and gives
the load a few seconds to record its run as failed and remove its build; then the process
ends. The published warehouse and its Parquet copies are as before, and the kernel drops the
load lock with the process.

The worker thread, and so every process the load starts, blocks SIGINT: a Ctrl-C reaches the
whole foreground process group, and Dagster's helper scripts would print its traceback.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing import resource_tracker
from pathlib import Path

# What a shell reports for a process ended by the signal: 128 + its number.
EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}
# How long a stopped load may take to record its failed run and clean up after its children died.
WIND_DOWN_SECONDS = 3.0
_POLL_SECONDS = 0.2

_gate = threading.Lock()
# This process's load: the signal that stopped it (None: none), and whether it had published.
_state: dict[str, int | bool | None] = {"stopped_by": None, "published": False}


class LoadInterrupted(KeyboardInterrupt):
    """Raised in the load where it would publish after a stop signal; Dagster treats it as an interrupt."""


@contextmanager
def uninterrupted() -> Iterator[None]:
    """A step that must finish once begun (a publish): a stop signal waits for it, and none begins after one."""
    with _gate:
        if _state["stopped_by"] is not None:
            raise LoadInterrupted(f"stopped by {signal.Signals(_state['stopped_by']).name}")
        yield


def note_published() -> None:
    """Called inside `uninterrupted` once the publish is done: a stop after it says so."""
    _state["published"] = True


def run_interruptibly(work: Callable[[], int], *, announce: Callable[[int, bool], str]) -> int:
    """work()'s exit code, or 130 (SIGINT) / 143 (SIGTERM) after one line from `announce`, which is
    told the signal and whether the load had published before it came."""
    if threading.current_thread() is not threading.main_thread():
        return work()
    _state.update(stopped_by=None, published=False)
    received: list[int] = []
    previous = {sig: signal.signal(sig, lambda signum, _frame: received.append(signum)) for sig in EXIT_CODES}
    outcome: dict[str, object] = {}

    def load() -> None:
        # multiprocessing's tracker unblocks SIGINT in the thread that first starts it: started first.
        resource_tracker.ensure_running()
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            outcome["code"] = work()
        except BaseException as error:  # noqa: BLE001 - handed to the main thread as it is
            outcome["error"] = error

    worker = threading.Thread(target=load, name="load", daemon=True)
    # The terminal as it is now: while a run captures its logs, Dagster points fds 1 and 2 at files.
    stderr = os.dup(2)
    try:
        worker.start()
        while worker.is_alive() and not received:
            worker.join(_POLL_SECONDS)
        if not received:
            if "error" in outcome:
                raise outcome["error"]  # type: ignore[misc]
            return outcome["code"]  # type: ignore[return-value]
        return _stop(received[0], worker, announce, stderr)
    finally:
        os.close(stderr)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _stop(signum: int, worker: threading.Thread, announce: Callable[[int, bool], str], stderr: int) -> int:
    with _gate:  # a publish under way ends first; none starts after this
        _state["stopped_by"] = signum
    _tell_dagster()
    _kill_descendants()
    _silence_output()  # the load's own failure report would follow the line below
    os.write(stderr, (announce(signum, bool(_state["published"])) + "\n").encode())
    worker.join(WIND_DOWN_SECONDS)
    _kill_descendants()  # any the load started while it wound down
    return EXIT_CODES[signum]


def _tell_dagster() -> None:
    """Dagster's run then stops before its next step, as after its own interrupt handler."""
    from dagster._utils import interrupts

    interrupts._received_interrupt["received"] = True


def _silence_output() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for fd in (1, 2):
            os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def _kill_descendants() -> None:
    """SIGKILL every process this one started, and theirs: none of them may write on after the stop."""
    for pid in _descendants(os.getpid()):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="ascii", errors="replace")
        except OSError:
            continue
        # pid (comm) state ppid …: comm may hold spaces and parentheses, so split after its last ")".
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 1 and fields[1].isdigit():
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, pending = [], list(children.get(root, []))
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending.extend(children.get(pid, []))
    return found
