"""Seconds of the steps inside a run's steps (the build copy, dbt, the publish, the Parquet export).

Logged as `timing: <what> <seconds> s` lines, which the CLI's summary gathers (`timings`) and the
benchmark reports, so that a cost that grows with the warehouse shows where it is.
"""

from __future__ import annotations

import re
import time

import dagster as dg

PREFIX = "timing: "
_LINE = re.compile(r"^timing: (.+) (\d+(?:\.\d+)?) s$")


def log_timing(context: dg.AssetExecutionContext, what: str, since: float) -> None:
    context.log.info(f"{PREFIX}{what} {time.perf_counter() - since:.2f} s")


def read_timing(message: str) -> tuple[str, float] | None:
    match = _LINE.match(message.strip())
    return (match[1], float(match[2])) if match else None
