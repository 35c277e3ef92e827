"""Bringing the landing tables in line with raw/: parse what changed, keep what did not.

Rules (see docs/warehouse.md, "How a load decides"):
- a file whose content hash is unchanged is not parsed again;
- a new or changed file is parsed and validated; if it is good its rows replace the file's old rows;
- a broken file is quarantined; an earlier good version of the same file stays published;
- a removed file's rows leave;
- two files claiming the same fiscal year and department are both reported and neither
  replaces what was published before.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import duckdb

from pipelines.ingest.errors import DISCOVERY_CATEGORIES, IssueCategory
from pipelines.load import changes
from pipelines.load.conflicts import find_conflicts
from pipelines.load.discover import RawFile, SkippedEntry
from pipelines.load.frames import StagingFrames
from pipelines.load.issues import LoadIssue, Severity
from pipelines.load.parallel import parse_and_frame
from pipelines.load.validate import CheckOutcome, validate_frames
from pipelines.warehouse import fingerprints, landing

Progress = Callable[[int, int], None]


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
) -> StageOutcome:
    """`skipped`: what discovery could not read; None leaves the recorded discovery issues alone."""
    landing.ensure_landing_schema(con)
    registry = landing.read_registry(con)
    outcome = StageOutcome(discovered=len(files))
    if skipped is not None:
        outcome.skipped = [_skipped_issue(entry) for entry in skipped]
        recorded = landing.read_issue_keys(con, sorted(c.value for c in DISCOVERY_CATEGORIES))
        outcome.skipped_changed = recorded != {(i.source_path, i.category.value, i.message) for i in outcome.skipped}
    current = {f.source_path for f in files}
    outcome.removed = sorted(path for path in registry if path not in current)
    parser = fingerprints.parser_fingerprint()
    # Rows parsed by other parser code may differ from what this code reads: read everything again.
    parser_changed = fingerprints.read(con, fingerprints.PARSER) != parser
    to_parse = [
        f for f in files
        if parser_changed
        or (entry := registry.get(f.source_path)) is None
        or entry.source_sha256 != f.sha256
        or entry.status == "conflict"
    ]
    outcome.unchanged = len(files) - len(to_parse)
    outcome.parsed = len(to_parse)

    clock = time.perf_counter()
    framed = parse_and_frame(to_parse, progress)
    frames, parse_issues = framed.frames, framed.issues
    outcome.seconds["parse"] = time.perf_counter() - clock
    clock = time.perf_counter()
    validation = validate_frames(frames)
    outcome.seconds["validate"] = time.perf_counter() - clock
    clock = time.perf_counter()
    outcome.checks = validation.outcomes
    broken = {i.source_path for i in parse_issues} | validation.quarantined_paths
    candidates = {path: identity for path, identity in framed.identities.items() if path not in broken}
    published = {
        path: identity
        for path, identity in landing.read_published_identities(con).items()
        if path in current
    }
    conflicts = find_conflicts(candidates, published)
    conflict_issues = _conflict_issues(conflicts, files, candidates, published)
    to_load = sorted(path for path in candidates if path not in conflicts)

    outcome.loaded = to_load
    outcome.quarantined = sorted(broken)
    outcome.conflicted = sorted(conflicts)
    outcome.issues = [*outcome.skipped, *parse_issues, *validation.issues, *conflict_issues]

    _apply(
        con, files, framed.identities, frames, outcome,
        now=now, registry=registry, conflicts=conflicts, replace_skipped=skipped is not None,
    )
    fingerprints.write(con, fingerprints.PARSER, parser)
    outcome.seconds["stage"] = time.perf_counter() - clock
    return outcome


def _skipped_issue(entry: SkippedEntry) -> LoadIssue:
    # Nothing was read, so there is no content hash: the row carries an empty source_sha256.
    return LoadIssue(
        source_path=entry.source_path,
        source_sha256="",
        category=entry.category,
        severity=Severity.ERROR if entry.is_error else Severity.WARNING,
        message=entry.message,
    )


def _conflict_issues(
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
    frames: StagingFrames,
    outcome: StageOutcome,
    *,
    now: datetime,
    registry: dict[str, landing.RegistryEntry],
    conflicts: dict[str, list[str]],
    replace_skipped: bool = False,
) -> None:
    """One transaction: a failure half-way leaves the landing tables as they were."""
    issue_paths = {i.source_path for i in outcome.issues}
    parsed_paths = set(identities) | issue_paths
    loaded = set(outcome.loaded)
    con.execute("begin transaction")
    try:
        changes.record(con, outcome, replace_skipped=replace_skipped)
        landing.delete_rows(con, [*outcome.removed, *outcome.loaded])
        for table in landing.LANDING_TABLES:
            frame = getattr(frames, table)
            landing.insert_frame(con, table, frame[frame["source_path"].isin(loaded)], loaded_at=now)
        registry_rows = []
        for file in files:
            path = file.source_path
            if path not in parsed_paths and path not in conflicts:
                continue
            year, department, _ = identities.get(path, (None, None, None))
            status = "conflict" if path in conflicts else "quarantined" if path in outcome.quarantined else "loaded"
            previous = registry.get(path)
            published_sha = file.sha256 if path in loaded else (previous.published_sha256 if previous else None)
            registry_rows.append((path, file.sha256, file.size_bytes, status, year, department, published_sha, now))
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
