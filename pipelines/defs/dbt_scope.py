"""How much a load's dbt build rebuilds and tests: only what changed, or everything.

The incremental marts rebuild the rows of the files in landing.load_changes (pipelines/load/
changes.py) and their row-level dbt tests read only those rows. Everything is rebuilt and every
test reads every row on a full rebuild: the first build, and whenever the dbt project changed
(models, macros, seeds such as department_aliases, tests; pipelines/warehouse/fingerprints.py).
The nightly schedule's run tests every row too, even when nothing changed since a scoped build.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.load import changes
from pipelines.warehouse import fingerprints

# Tag of a run whose dbt build must run every test on every row (the nightly schedule sets it).
FULL_TESTS_TAG = "budget/dbt_tests"
FULL_TESTS = "all"
# Read by the macro get_where_subquery (dbt_project/macros/incremental/): "changes" scopes the
# row-level tests of the incremental marts to the changed files' rows; unset, every row.
TEST_SCOPE_ENV = "BUDGET_DBT_TEST_SCOPE"
# build_state: whether every test has run on every row since the last scoped build.
_TESTS_KEY = "dbt_tests"
# The tag of the tests attached to a seed, which an incremental build leaves out.
SEED_TESTS_TAG = "seed_tests"
# dbt's threads on an incremental build (the profile's 2 on a full one): see BuildScope.
SCOPED_THREADS = 4


@dataclass(frozen=True, slots=True)
class BuildScope:
    full_refresh: bool
    scoped_tests: bool

    @property
    def args(self) -> list[str]:
        refresh = ["--full-refresh"] if self.full_refresh else []
        return ["build", *refresh, *self._scoped_args, *self._log_args]

    @property
    def _scoped_args(self) -> list[str]:
        """An incremental build leaves out the unit tests, the seeds and the seeds' own tests (tag
        SEED_TESTS_TAG, dbt_project/seeds/_seeds.yml): they can change only with the dbt project,
        which forces a full build. It runs SCOPED_THREADS nodes at a time: its ~90 nodes each read
        a few changed rows, so it waits on dbt's per-node work (compile, connection, Dagster
        event), not on memory or CPU; a full build keeps the profile's 2 threads, held back by the
        memory its queries over every row take under BUDGET_DBT_MEMORY_LIMIT."""
        if not self.scoped_tests:
            return []
        return [
            "--exclude-resource-type", "unit_test", "--exclude-resource-type", "seed",
            "--exclude", f"tag:{SEED_TESTS_TAG}",
            "--threads", str(SCOPED_THREADS),
        ]

    @property
    def _log_args(self) -> list[str]:
        """No debug log file (<target>/dbt.log, ~1 MB a build) on an incremental build: writing it
        cost ~0.35 s of dbt's ~5 s at 10,000 departments. A failed load still shows dbt's errors
        (its stdout, which the load's summary keeps) and each node's SQL (<target>/run/); full
        builds, the nightly run's among them, keep the log. run_results.json and manifest.json
        stay: the record of what the last build did (tests/support/reliability.py reads it)."""
        return ["--log-level-file", "none"] if self.scoped_tests else []

    def prepare(self, target_path: Path) -> None:
        """Before an incremental build, which writes no dbt.log: an older build's log there would
        be what dagster-dbt's failure message points to."""
        if self.scoped_tests:
            for log in target_path.glob("dbt.log*"):  # and its rotated copies
                log.unlink(missing_ok=True)

    @property
    def environment(self) -> dict[str, str]:
        return {TEST_SCOPE_ENV: "changes" if self.scoped_tests else ""}


def build_scope(con: duckdb.DuckDBPyConnection, tags: Mapping[str, str]) -> BuildScope:
    """From the build copy, before dbt runs: models changed since the marts were built?"""
    full_refresh = fingerprints.read(con, fingerprints.MODELS) != fingerprints.model_fingerprint()
    return BuildScope(full_refresh=full_refresh, scoped_tests=not full_refresh and not wants_full_tests(tags))


def record_build(con: duckdb.DuckDBPyConnection, scope: BuildScope) -> None:
    """After a successful build: remember whether only the changed rows were tested."""
    fingerprints.write(con, _TESTS_KEY, "changes" if scope.scoped_tests else FULL_TESTS)


def wants_full_tests(tags: Mapping[str, str]) -> bool:
    return tags.get(FULL_TESTS_TAG) == FULL_TESTS


def full_tests_due(con: duckdb.DuckDBPyConnection, tags: Mapping[str, str]) -> bool:
    """A nightly run with nothing new still builds, when the last builds tested only changed rows."""
    return wants_full_tests(tags) and fingerprints.read(con, _TESTS_KEY) == "changes"


def marts_current(con: duckdb.DuckDBPyConnection, tags: Mapping[str, str]) -> bool:
    """The marts are what the dbt project and the landing rows make: nothing for dbt to do."""
    current = fingerprints.read(con, fingerprints.MODELS) == fingerprints.model_fingerprint()
    current = current and not full_tests_due(con, tags)
    # Changes a landing-only run published are still to reach the marts.
    return current and not changes.pending(con)
