"""A skipped test is a test that did not run: in CI it fails, and every run says how many there were.

CI runs as root on a machine that has what every test needs (tmpfs mounts, root's permission
overrides to drop, the seed), so a skip there means a behaviour went untested while the suite
looked green. Set CI (as CI services do, and .ci/run does) to turn each skip into a failure that
keeps its reason. Elsewhere a test that cannot run skips, saying why. Every run ends with the
count of skipped tests.
"""

from __future__ import annotations

import os

import pytest

CI_ENV = "CI"


def in_ci() -> bool:
    return os.environ.get(CI_ENV, "").strip().lower() not in ("", "0", "false", "no")


def _as_failure(report: pytest.TestReport | pytest.CollectReport) -> None:
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    report.outcome = "failed"
    report.longrepr = f"skipped under {CI_ENV}={os.environ[CI_ENV]}, where every test must run: {reason}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> pytest.TestReport:
    report = yield
    if report.skipped and in_ci() and not hasattr(report, "wasxfail"):
        _as_failure(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> pytest.CollectReport:
    report = yield
    if report.skipped and in_ci():
        _as_failure(report)
    return report


def pytest_unconfigure(config: pytest.Config) -> None:
    """After pytest's own last line, which leaves out a count of zero."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or not hasattr(reporter, "stats"):
        return
    skipped = len(reporter.stats.get("skipped", []))
    rule = "a skip fails the run" if in_ci() else f"under {CI_ENV}=true a skip fails the run"
    reporter.write_line(f"{skipped} skipped ({rule})", yellow=bool(skipped), green=not skipped)
