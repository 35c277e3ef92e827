"""Bringing the landing tables in line with raw/: parse what changed, keep what did not.

Rules (see docs/warehouse.md, "How a load decides"):
- a file whose content hash is unchanged is not parsed again;
- a new or changed file is parsed and validated; if it is good its rows replace the file's old rows;
- a broken file is quarantined; an earlier good version of the same file stays published;
- a removed file's rows leave;
- two files claiming the same fiscal year and department are both reported and neither
  replaces what was published before.

Changed files are parsed, validated and set aside in batches (pipelines/load/parallel.py,
incoming.py), so memory does not grow with their number; only each file's identity, its
issues and the checks' counts are kept for the whole load, which is what the conflict rule
and the summary need. The landing tables change in one transaction at the end.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

import duckdb

from pipelines.contract.issues import LoadIssue, Severity
from pipelines.ingest.errors import DISCOVERY_CATEGORIES, IssueCategory
from pipelines.load import changes
from pipelines.load.checked import append_contained, quarantined, validate_contained
from pipelines.load.conflicts import find_conflicts
from pipelines.load.discover import RawFile, SkippedEntry
from pipelines.load.incoming import IncomingRows, incoming_rows
from pipelines.load.parallel import batch_files_from_env, frame_files, iter_framed
from pipelines.load.validate import CheckOutcome, merge_outcomes, validate_frames
from pipelines.warehouse import fingerprints, landing

Progress = Callable[[int, int], None]
# DuckDB's memory while the load's rows pass through it (its default is 80 % of RAM).
LOAD_MEMORY_LIMIT = "1GB"


@dataclass(slots=True)
class StageOutcome:
    discovered: int = 0
    unchanged: int = 0
    parsed: int = 0
    loaded: list[str] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)
    conflicted: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    issues: list[LoadIssue] = field(default_factory=list)
    checks: list[CheckOutcome] = field(default_factory=list)
    # Entries under raw/ that were not read (symlink loops, FIFOs, …), as load issues.
    skipped: list[LoadIssue] = field(default_factory=list)
    skipped_changed: bool = False
    # Wall seconds of each stage of this call: parse (with frames), validate, stage (the writes).
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.loaded or self.removed or self.quarantined or self.conflicted or self.skipped_changed)


def stage_raw_files(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[RawFile],
    *,
    now: datetime,
    progress: Progress | None = None,
    skipped: Sequence[SkippedEntry] | None = None,
    batch_files: int | None = None,
) -> StageOutcome:
    """`skipped`: what discovery could not read; None leaves the recorded discovery issues alone.

    `batch_files`: changed files parsed and validated at once (default BUDGET_LOAD_BATCH_FILES,
    else pipelines.load.parallel.BATCH_FILES); the result does not depend on it.
    """
    landing.ensure_landing_schema(con)
    outcome, to_parse, parser = _plan(con, files, skipped)
    current = {f.source_path for f in files}

    seconds = dict.fromkeys(("parse", "validate", "stage"), 0.0)
    identities: dict[str, tuple[int, str, str]] = {}
    parse_issues: list[LoadIssue] = []
    check_issues: list[LoadIssue] = []
    # Every check is reported, passing or not, even when no file changed.
    batch_outcomes = [validate_frames(frame_files([]).frames).outcomes]
    broken: set[str] = set()
    with _memory_limit(con, LOAD_MEMORY_LIMIT), incoming_rows(con) as incoming:
        batches = iter_framed(to_parse, batch_files=batch_files or batch_files_from_env(), progress=progress)
        while True:
            clock = time.perf_counter()
            framed = next(batches, None)
            seconds["parse"] += time.perf_counter() - clock
            if framed is None:
                break
            clock = time.perf_counter()
            validation = validate_contained(framed.frames)
            seconds["validate"] += time.perf_counter() - clock
            clock = time.perf_counter()
            bad = {i.source_path for i in framed.issues} | validation.quarantined_paths
            set_aside = append_contained(
                framed.frames, bad,
                lambda frames, exclude: incoming.append(frames, exclude=exclude, loaded_at=now),
                incoming.remove,
            )
            bad |= quarantined(set_aside)
            identities.update(framed.identities)
            parse_issues += framed.issues + set_aside
            check_issues += validation.issues
            batch_outcomes.append(validation.outcomes)
            broken |= bad
            seconds["stage"] += time.perf_counter() - clock
            del framed, validation

        clock = time.perf_counter()
        outcome.checks = merge_outcomes(batch_outcomes)
        candidates = {path: identity for path, identity in identities.items() if path not in broken}
        published = {
            path: identity
            for path, identity in landing.read_published_identities(con).items()
            if path in current
        }
        conflicts = find_conflicts(candidates, published)
        conflict_issues = conflict_issues_of(conflicts, files, candidates, published)
        to_load = sorted(path for path in candidates if path not in conflicts)

        outcome.loaded = to_load
        outcome.quarantined = sorted(broken)
        outcome.conflicted = sorted(conflicts)
        outcome.issues = [*outcome.skipped, *parse_issues, *check_issues, *conflict_issues]

        _apply(
            con, files, identities, incoming, outcome,
            now=now, conflicts=conflicts, replace_skipped=skipped is not None,
        )
    fingerprints.write(con, fingerprints.PARSER, parser)
    seconds["stage"] += time.perf_counter() - clock
    outcome.seconds = seconds
    return outcome


def unchanged_outcome(
    con: duckdb.DuckDBPyConnection, files: Sequence[RawFile], *, skipped: Sequence[SkippedEntry] | None = None
) -> StageOutcome | None:
    """What `stage_raw_files` would report if nothing changed, found by reading only (a read-only
    connection to the published file, so that a no-change load need not copy it); None when a
    file, a removal, an unreadable entry or the parser code changed."""
    outcome, to_parse, _ = _plan(con, files, skipped)
    if to_parse or outcome.removed or outcome.skipped_changed:
        return None
    outcome.checks = validate_frames(frame_files([]).frames).outcomes
    outcome.issues = [*outcome.skipped]
    outcome.seconds = dict.fromkeys(("parse", "validate", "stage"), 0.0)
    return outcome


def _plan(
    con: duckdb.DuckDBPyConnection, files: Sequence[RawFile], skipped: Sequence[SkippedEntry] | None
) -> tuple[StageOutcome, list[RawFile], str]:
    """The outcome so far (removed, unchanged, skipped), the files to parse, and the parser's fingerprint."""
    diff = landing.diff_files(con, files)
    outcome = StageOutcome(discovered=len(files))
    if skipped is not None:
        outcome.skipped = [skipped_issue(entry) for entry in skipped]
        recorded = landing.read_issue_keys(con, sorted(c.value for c in DISCOVERY_CATEGORIES))
        outcome.skipped_changed = recorded != {(i.source_path, i.category.value, i.message) for i in outcome.skipped}
    outcome.removed = diff.removed
    parser = fingerprints.parser_fingerprint()
    # Rows parsed by other parser code may differ from what this code reads: read everything again.
    parser_changed = fingerprints.read(con, fingerprints.PARSER) != parser
    again = {*diff.new_or_changed, *diff.in_conflict}
    to_parse = list(files) if parser_changed else [f for f in files if f.source_path in again]
    outcome.unchanged = len(files) - len(to_parse)
    outcome.parsed = len(to_parse)
    return outcome, to_parse, parser


@contextmanager
def _memory_limit(con: duckdb.DuckDBPyConnection, limit: str) -> Iterator[None]:
    """DuckDB may otherwise cache up to 80 % of RAM while rows pass through; what does not fit
    goes to its temporary files. The connection's own setting comes back afterwards."""
    ((before,),) = con.execute("select current_setting('memory_limit')").fetchall()
    con.execute(f"set memory_limit = '{_size(limit)}'")
    try:
        yield
    finally:
        con.execute(f"set memory_limit = '{_size(before)}'")


def _size(text: str) -> str:
    """A DuckDB size such as '1GB' or '953.6 MiB': checked, since SET takes no parameter."""
    if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]?i?B", text.strip()):
        raise ValueError(f"not a memory size: {text!r}")
    return text.strip()


def skipped_issue(entry: SkippedEntry) -> LoadIssue:
    # Nothing was read, so there is no content hash: the row carries an empty source_sha256.
    return LoadIssue(
        source_path=entry.source_path,
        source_sha256="",
        category=entry.category,
        severity=Severity.ERROR if entry.is_error else Severity.WARNING,
        message=entry.message,
    )


def conflict_issues_of(
    conflicts: dict[str, list[str]],
    files: Sequence[RawFile],
    candidates: dict[str, tuple[int, str, str]],
    published: dict[str, tuple[int, str, str]],
) -> list[LoadIssue]:
    by_path = {f.source_path: f for f in files}
    issues = []
    for path, others in sorted(conflicts.items()):
        year, department, _ = candidates.get(path) or published[path]
        keeps = "its earlier published version stays" if path in published else "it is not loaded"
        issues.append(
            LoadIssue(
                source_path=path,
                source_sha256=by_path[path].sha256,
                category=IssueCategory.CONFLICT,
                severity=Severity.ERROR,
                message=(
                    f"{department} {year} is also claimed by {', '.join(others)}; "
                    f"remove or rename one of them ({keeps})"
                ),
                fiscal_year=year,
                department_name=department,
            )
        )
    return issues


def _apply(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[RawFile],
    identities: dict[str, tuple[int, str, str]],
    incoming: IncomingRows,
    outcome: StageOutcome,
    *,
    now: datetime,
    conflicts: dict[str, list[str]],
    replace_skipped: bool = False,
) -> None:
    """One transaction: a failure half-way leaves the landing tables as they were."""
    issue_paths = {i.source_path for i in outcome.issues}
    parsed_paths = set(identities) | issue_paths
    loaded = set(outcome.loaded)
    registry = landing.read_registry(con, sorted(parsed_paths | set(conflicts)))
    # What was read of each file: a file that changed while it was read has no hash to record, so
    # that the next load reads it again whatever it then holds.
    unread = {i.source_path for i in outcome.issues if i.category is IssueCategory.CHANGED_DURING_LOAD}
    con.execute("begin transaction")
    try:
        changes.record(con, outcome, replace_skipped=replace_skipped)
        landing.delete_rows(con, [*outcome.removed, *outcome.loaded])
        incoming.move_to_landing(outcome.loaded)
        registry_rows = []
        quarantined = set(outcome.quarantined)  # a list: one lookup per file would be quadratic
        for file in files:
            path = file.source_path
            if path not in parsed_paths and path not in conflicts:
                continue
            year, department, _ = identities.get(path, (None, None, None))
            status = "conflict" if path in conflicts else "quarantined" if path in quarantined else "loaded"
            previous = registry.get(path)
            published_sha = file.sha256 if path in loaded else (previous.published_sha256 if previous else None)
            read_sha = "" if path in unread else file.sha256
            registry_rows.append((path, read_sha, file.size_bytes, status, year, department, published_sha, now))
        landing.replace_registry(con, registry_rows, removed=outcome.removed)
        if replace_skipped:
            # Recomputed from the listing on every load: a fixed or removed entry's row leaves.
            landing.delete_issue_categories(con, sorted(c.value for c in DISCOVERY_CATEGORIES))
        landing.replace_issues(
            con,
            outcome.issues,
            for_paths=sorted(parsed_paths | set(outcome.removed)),
            category=IssueCategory.CONFLICT.value,
            detected_at=now,
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
