"""How an executor task's results travel back: one Spark row per finding, and Arrow IPC rows.

A task returns one schema (mapInArrow has one output type), so each row says what it carries:
- `identity`: a good file's (fiscal year, department, kind), which conflicts are decided on;
- `issue`: a LoadIssue (parse error, pandera finding);
- `outcome`: one pandera check's failing-row count and examples over the task's files;
- `rows`: one landing table's rows of the task's good files, typed as landing.sql says (Arrow IPC).
Findings are small and go to the driver; rows stay on the executors until written as Parquet.
"""

from __future__ import annotations

import json

import pyarrow as pa

from pipelines.contract.issues import LoadIssue, Severity
from pipelines.ingest.errors import IssueCategory
from pipelines.load.validate import CheckOutcome

IDENTITY, ISSUE, OUTCOME, ROWS = "identity", "issue", "outcome", "rows"
SCHEMA = pa.schema(
    [
        ("order_key", pa.int64()),  # issues keep the DuckDB engine's order: stage, table, file
        ("source_path", pa.string()),
        ("record", pa.string()),
        ("table_name", pa.string()),
        ("payload", pa.binary()),
    ]
)
SPARK_DDL = "order_key bigint, source_path string, record string, table_name string, payload binary"


def encode_issue(issue: LoadIssue) -> bytes:
    return _json(
        [issue.source_path, issue.source_sha256, issue.category.value, issue.severity.value, issue.message,
         issue.line, issue.fiscal_year, issue.department_name, issue.page]
    )


def decode_issue(payload: bytes) -> LoadIssue:
    path, sha, category, severity, message, line, year, department, page = json.loads(payload)
    return LoadIssue(
        source_path=path, source_sha256=sha, category=IssueCategory(category), severity=Severity(severity),
        message=message, line=line, fiscal_year=year, department_name=department, page=page,
    )


def encode_outcome(outcome: CheckOutcome) -> bytes:
    return _json([outcome.table, outcome.check, outcome.severity.value, outcome.failing_rows, list(outcome.examples)])


def decode_outcome(payload: bytes) -> CheckOutcome:
    table, check, severity, failing, examples = json.loads(payload)
    return CheckOutcome(table=table, check=check, severity=Severity(severity), failing_rows=failing, examples=tuple(examples))


def encode_identity(identity: tuple[int, str, str]) -> bytes:
    return _json(list(identity))


def decode_identity(payload: bytes) -> tuple[int, str, str]:
    year, department, kind = json.loads(payload)
    return (year, department, kind)


def encode_rows(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def decode_rows(payload: bytes) -> pa.Table:
    return pa.ipc.open_stream(payload).read_all()


def merge_outcomes(outcomes: list[CheckOutcome]) -> list[CheckOutcome]:
    """Each check once over all tasks, as validate_frames reports it over all files at once."""
    merged: dict[tuple[str, str], CheckOutcome] = {}
    for outcome in outcomes:
        key = (outcome.table, outcome.check)
        if (seen := merged.get(key)) is None:
            merged[key] = outcome
        else:
            merged[key] = CheckOutcome(
                table=seen.table, check=seen.check, severity=seen.severity,
                failing_rows=seen.failing_rows + outcome.failing_rows,
                examples=(seen.examples + outcome.examples)[:10],
            )
    return list(merged.values())


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")
