"""The driver's part of a Spark load: distribute the files, decide, write the landing.

Executors parse, validate and type (parse_task.py); only their findings (identities, issues,
check outcomes: a few bytes a file) come back here, where the DuckDB engine's own rules decide
what is quarantined or in conflict (pipelines/load/stage.py, conflicts.py), with its messages.
The rows stay on the executors and are written as Parquet from there.

Every Spark load reads all of raw/ and rewrites the landing (docs/scale-out.md, "What differs from
the DuckDB engine"); what the previous load published is read first (history.py), so that a file
that breaks or comes into conflict keeps its earlier version, as on the DuckDB engine.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from functools import partial

from pipelines.contract.issues import Severity
from pipelines.engines.spark import history, landing_writer, records
from pipelines.engines.spark.landing_schema import ROW_TABLES, landing_connection
from pipelines.engines.spark.parse_task import FILE_DDL, parse_batches
from pipelines.ingest.errors import IssueCategory
from pipelines.load.conflicts import find_conflicts
from pipelines.load.discover import Discovery
from pipelines.load.parallel import CHUNK_FILES, FILE_COST
from pipelines.load.stage import StageOutcome, conflict_issues_of, skipped_issue
from pipelines.warehouse import landing

Progress = Callable[[int, int], None]


def stage_on_spark(
    session, discovery: Discovery, *, now: datetime, landing_dir: str, progress: Progress | None = None
) -> StageOutcome:
    files = discovery.files
    outcome = StageOutcome(discovered=len(files), parsed=len(files))
    outcome.skipped = [skipped_issue(entry) for entry in discovery.skipped]
    outcome.skipped_changed = bool(outcome.skipped)
    previous = history.read_history(landing_dir, {f.source_path for f in files})
    results = _parse_on_executors(session, discovery, now=now).persist()
    try:
        findings = results.where(results.record != records.ROWS).orderBy("order_key").collect()
        if progress is not None:
            progress(len(files), len(files))
        identities = {
            row.source_path: records.decode_identity(row.payload) for row in findings if row.record == records.IDENTITY
        }
        found = [records.decode_issue(row.payload) for row in findings if row.record == records.ISSUE]
        outcome.checks = records.merge_outcomes(
            [records.decode_outcome(row.payload) for row in findings if row.record == records.OUTCOME]
        )
        broken = {i.source_path for i in found if i.severity is Severity.ERROR}
        candidates = {path: identity for path, identity in identities.items() if path not in broken}
        conflicts = find_conflicts(candidates, previous.identities)
        outcome.loaded = sorted(path for path in candidates if path not in conflicts)
        outcome.quarantined = sorted(broken)
        outcome.conflicted = sorted(conflicts)
        outcome.issues = [
            *outcome.skipped, *found, *conflict_issues_of(conflicts, files, candidates, previous.identities)
        ]
        # Files that broke or came into conflict keep the rows of their earlier published version.
        kept = {path for path in (*broken, *conflicts) if path in previous.identities}
        earlier = history.earlier_rows(landing_dir, kept)
        for table in ROW_TABLES:
            landing_writer.write_row_table(
                results, table, landing_dir=landing_dir, excluded=set(conflicts) | set(broken)
            )
            if table in earlier:
                landing_writer.append_rows(session, table, earlier[table], landing_dir=landing_dir)
    finally:
        results.unpersist()
    _write_file_tables(session, discovery, identities, outcome, previous, now=now, landing_dir=landing_dir)
    return outcome


def _parse_on_executors(session, discovery: Discovery, *, now: datetime):
    """The files as a DataFrame of paths, in slices of about CHUNK_FILES text tables' cost."""
    files = discovery.files
    rows = [(i, f.source_path, str(f.absolute_path), f.sha256, f.size_bytes) for i, f in enumerate(files)]
    cost = sum(FILE_COST.get(f.absolute_path.suffix.lower(), 1) for f in files)
    slices = max(1, min(len(files), max(session.sparkContext.defaultParallelism, math.ceil(cost / CHUNK_FILES))))
    paths = session.sparkContext.parallelize(rows, slices).toDF(FILE_DDL)
    return paths.mapInArrow(partial(parse_batches, loaded_at=now), records.SPARK_DDL)


def _write_file_tables(
    session, discovery: Discovery, identities, outcome: StageOutcome, previous: history.PublishedHistory, *, now, landing_dir
) -> None:
    """raw_files and load_issues, through the same landing functions as the DuckDB engine."""
    conflicts = set(outcome.conflicted)
    quarantined = set(outcome.quarantined)
    parsed = set(identities) | {i.source_path for i in outcome.issues}
    registry = []
    for file in discovery.files:
        if file.source_path not in parsed and file.source_path not in conflicts:
            continue
        year, department, _ = identities.get(file.source_path, (None, None, None))
        status = "conflict" if file.source_path in conflicts else "quarantined" if file.source_path in quarantined else "loaded"
        earlier = previous.registry.get(file.source_path)
        published = file.sha256 if status == "loaded" else (earlier.published_sha256 if earlier else None)
        registry.append((file.source_path, file.sha256, file.size_bytes, status, year, department, published, now))
    with landing_connection() as con:
        landing.replace_registry(con, registry, removed=[])
        landing.replace_issues(
            con, outcome.issues, for_paths=[], category=IssueCategory.CONFLICT.value, detected_at=now
        )
        for table in ("raw_files", "load_issues"):
            rows = con.sql(f"select * from landing.{table}").to_arrow_table()  # constant table names
            landing_writer.write_file_table(session, table, rows, landing_dir=landing_dir)

