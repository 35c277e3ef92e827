"""What one file's content may do to a load: nothing beyond that file.

Readers and layouts raise TableError for what they recognise as wrong. Anything else they raise on
some file (an IndexError on a head block no one foresaw, a RecursionError in a library) is a bug
met on that file's content; it becomes that file's `parser_error`, naming the exception and where
it was raised, and every other file loads. A file that takes longer than its time budget (a
pathological PDF) becomes `too_slow`. Interrupts (Ctrl-C, SIGTERM) are not contained: they stop
the load.
"""

from __future__ import annotations

import ctypes
import os
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from pipelines.contract.issues import LoadIssue, Severity
from pipelines.ingest.errors import IssueCategory
from pipelines.load.discover import RawFile
from pipelines.load.tuning import positive_from_env

T = TypeVar("T")

FILE_SECONDS = 60.0
FILE_SECONDS_ENV = "BUDGET_FILE_SECONDS"


def file_seconds_from_env() -> float:
    """FILE_SECONDS, or BUDGET_FILE_SECONDS when set (seconds > 0)."""
    return positive_from_env(FILE_SECONDS_ENV, FILE_SECONDS, float, what="a number of seconds")


class _OverBudget(BaseException):
    """A BaseException, so that no `except Exception` inside a reader swallows the budget."""


def contained(file: RawFile, work: Callable[[], T], *, seconds: float | None = None) -> T | LoadIssue:
    """work(), or the issue that quarantines `file` when work raises or runs out of time."""
    budget = _Budget(seconds)
    try:
        with _time_budget(seconds, budget):
            result = work()
    except _OverBudget:
        return too_slow(file, seconds or 0.0)
    except Exception as error:  # noqa: BLE001 - the barrier: anything one file raises is that file's
        if budget.expired:  # a library that caught the budget's exception and failed on
            return too_slow(file, seconds or 0.0)
        return parser_error(file.source_path, file.sha256, error)
    # A library may catch even a BaseException (a bare except) and go on: what it then returns
    # was read past the budget, and is not loaded either.
    return too_slow(file, seconds or 0.0) if budget.expired else result


class _Budget:
    """The verdict on a file's time, whatever became of the watchdog's exception: over when the
    watchdog fired, or when the work took longer than its seconds (a long C call can end before
    the watchdog thread gets to run)."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.started = time.monotonic()
        self.fired = False

    @property
    def expired(self) -> bool:
        return self.fired or (bool(self.seconds) and time.monotonic() - self.started > self.seconds)


def parser_error(source_path: str, sha256: str, error: BaseException) -> LoadIssue:
    return LoadIssue(
        source_path=source_path,
        source_sha256=sha256,
        category=IssueCategory.PARSER_ERROR,
        severity=Severity.ERROR,
        message=(
            f"the loader failed on this file's content: {type(error).__name__}: {_text(error)}"
            f"{_where(error)}; the file is not loaded (every other file is); please report it with "
            "the file attached"
        ),
    )


def too_slow(file: RawFile, seconds: float) -> LoadIssue:
    return LoadIssue(
        source_path=file.source_path,
        source_sha256=file.sha256,
        category=IssueCategory.TOO_SLOW,
        severity=Severity.ERROR,
        message=(
            f"reading it took over its time budget of {seconds:g} s ({FILE_SECONDS_ENV}): not loaded, "
            "so that one pathological file cannot hold up the others; raise the budget to load it"
        ),
    )


def _text(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return (text[:300] + "…") if len(text) > 300 else (text or "(no message)")


def _where(error: BaseException) -> str:
    """The innermost frame of the project's own code, so that a report can find the bug."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f"{os.sep}pipelines{os.sep}" in f.filename]
    if not frames:
        return ""
    frame = frames[-1]
    relative = frame.filename[frame.filename.rfind(f"{os.sep}pipelines{os.sep}") + 1:]
    return f" (raised in {relative}:{frame.lineno})"


@contextmanager
def _time_budget(seconds: float | None, budget: _Budget) -> Iterator[None]:
    """_OverBudget raised in this thread once `seconds` of wall time have passed, and again every
    half second until the work ends (a library may swallow one).

    A watchdog thread raises it asynchronously (CPython's PyThreadState_SetAsyncExc): unlike
    SIGALRM, this works in any thread, and loads parse in worker threads as well as in processes.
    As with a signal, it lands when the parser next runs Python code, not inside one C call.
    """
    if not seconds:
        yield
        return
    target = threading.get_ident()
    done = threading.Event()
    guard = threading.Lock()
    fired = []

    def watch() -> None:
        wait = seconds
        while not done.wait(wait):
            with guard:
                if done.is_set():
                    return
                budget.fired = True
                fired.append(True)
                _raise_in(target, _OverBudget)
            wait = 0.5

    watchdog = threading.Thread(target=watch, name="file-budget", daemon=True)
    watchdog.start()
    try:
        yield
    finally:
        with guard:
            done.set()
            if fired:
                _raise_in(target, None)  # one not delivered yet is withdrawn, so it cannot land elsewhere


def _raise_in(thread_id: int, exception: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exception) if exception is not None else ctypes.c_void_p(0)
    )
