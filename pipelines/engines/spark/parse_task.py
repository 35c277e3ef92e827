"""One executor task: the project's own parse, frames, pandera validation and landing typing.

The task gets a batch of files by path (every executor reads raw/ from shared storage) and runs
exactly what the DuckDB engine runs in its worker processes (pipelines/load/parallel.py and
validate.py), then types the good files' rows through landing.sql in an in-memory DuckDB, so
that both engines land the same values in the same types.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pyarrow as pa

from pipelines.engines.spark import records
from pipelines.engines.spark.landing_schema import ROW_TABLES, landing_connection
from pipelines.load.checked import append_contained, validate_contained
from pipelines.load.discover import RawFile
from pipelines.load.frames import StagingFrames
from pipelines.load.parallel import frame_files
from pipelines.warehouse import landing

# The DataFrame of files a load distributes: one row per file, by path.
FILE_DDL = "file_index int, source_path string, absolute_path string, sha256 string, size_bytes bigint"
# order_key = stage * _STAGE + …: parse issues in file order, then pandera findings task by task
# (files in order), as stage.py lists them.
_STAGE, _TASK = 10**15, 10**6


def parse_batches(batches: Iterator[pa.RecordBatch], *, loaded_at: datetime) -> Iterator[pa.RecordBatch]:
    """mapInArrow's function: file batches in, records.SCHEMA batches out."""
    for batch in batches:
        rows = batch.to_pydict()
        files = [
            RawFile(source_path=path, location=absolute, sha256=sha, size_bytes=size)
            for path, absolute, sha, size in zip(
                rows["source_path"], rows["absolute_path"], rows["sha256"], rows["size_bytes"], strict=True
            )
        ]
        if files:
            yield _records(files, rows["file_index"], loaded_at=loaded_at)


def _records(files: list[RawFile], indexes: list[int], *, loaded_at: datetime) -> pa.RecordBatch:
    framed = frame_files(files)
    validation = validate_contained(framed.frames)
    index_of = dict(zip((f.source_path for f in files), indexes, strict=True))
    first = min(indexes)
    out: list[tuple[int, str | None, str, str | None, bytes]] = []
    for path, identity in framed.identities.items():
        out.append((index_of[path], path, records.IDENTITY, None, records.encode_identity(identity)))
    broken = {i.source_path for i in framed.issues} | validation.quarantined_paths
    with landing_connection() as con:
        set_aside = append_contained(
            framed.frames, broken,
            lambda frames, exclude: _insert(con, frames, exclude, loaded_at=loaded_at),
            lambda paths: _remove(con, paths),
        )
        for table in ROW_TABLES:
            typed = con.sql(f"select * from landing.{table}").to_arrow_table()  # constant table names
            if typed.num_rows:
                out.append((first, None, records.ROWS, table, records.encode_rows(typed)))
    for issue in [*framed.issues, *set_aside]:
        out.append((_STAGE + index_of[issue.source_path], issue.source_path, records.ISSUE, None, records.encode_issue(issue)))
    for position, issue in enumerate(validation.issues):
        key = 2 * _STAGE + first * _TASK + position
        out.append((key, issue.source_path, records.ISSUE, None, records.encode_issue(issue)))
    for outcome in validation.outcomes:
        out.append((first, None, records.OUTCOME, outcome.table, records.encode_outcome(outcome)))
    columns = list(zip(*out, strict=True)) if out else [[] for _ in records.SCHEMA]
    return pa.RecordBatch.from_arrays(
        [pa.array(list(values), type=field.type) for values, field in zip(columns, records.SCHEMA, strict=True)],
        schema=records.SCHEMA,
    )



def _insert(con, frames: StagingFrames, exclude: set[str], *, loaded_at: datetime) -> None:
    for table in ROW_TABLES:
        frame = getattr(frames, table)
        landing.insert_frame(con, table, frame[~frame["source_path"].isin(exclude)], loaded_at=loaded_at)


def _remove(con, paths: list[str]) -> None:
    for table in ROW_TABLES:  # constant names
        con.execute(f"delete from landing.{table} where source_path in (select unnest($p::varchar[]))", {"p": paths})
