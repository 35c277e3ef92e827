"""A mart as a folder of Parquet files, one per bucket of departments, rewritten only where rows changed.

`<mart>/part-NN.parquet` holds the rows whose `department_id` falls in bucket NN (a hash of the
id; rows without one are in bucket 00). Only non-empty buckets have a file, except that an empty
mart keeps an empty `part-00.parquet`, so a reader still finds its columns. `<mart>/_manifest.json`
records each bucket's row count and a checksum of its rows, computed by DuckDB: an export
recomputes them (one scan of the mart) and rewrites the buckets whose rows differ or whose file is
missing. Nothing trusts a hint of what changed, so a full rebuild, a removed department, ranks that
move for every department, a crash before the export, or a deleted file all come out right.

Readers skip names starting with `_` or `.` (pyarrow, Spark) or not ending in `.parquet` (a
DuckDB glob): the manifest and the temporary files of a write are never read as data.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

BUCKETS = 64
MANIFEST = "_manifest.json"
# Bumped when the bucketing or the checksum changes meaning: every folder is then rewritten whole.
LAYOUT = 1
# Past this many buckets to write, one partitioned write beats a scan of the mart per bucket.
PARTITIONED_FROM = BUCKETS // 4
# DuckDB flushes a partition's rows after this many (default 524,288). 64 partitions of that
# size overrun the 1 GB limit and spill: indicator_targets at 250,000 departments took 104 s,
# 38 s at 16,384 and 21 s at 8,192 (13 s as one file), in row groups of about 15,000 rows.
PARTITION_FLUSH_ROWS = 8_192
BUCKET_SQL = f"case when department_id is null then 0 else hash(department_id) % {BUCKETS} end"
# Every mart has department_id (docs/warehouse.md); one without it would be a single bucket, 00.
_WITHOUT_DEPARTMENT_SQL = "cast(0 as integer)"  # not a bare 0: GROUP BY 0 names a position
_PARTITION_COLUMN = "__bucket"

Checksums = dict[int, tuple[int, str]]


@dataclass(frozen=True, slots=True)
class MartExport:
    """What an export did to one mart's folder, in rows and in bucket files."""

    rows: int
    written: int
    kept: int
    removed: int


def part_name(bucket: int) -> str:
    return f"part-{bucket:02d}.parquet"


def export_mart(
    con: duckdb.DuckDBPyConnection,
    relation: duckdb.DuckDBPyRelation,
    folder: Path,
    *,
    source: Mapping[str, int] | None = None,
) -> MartExport:
    """Bring `folder` to the rows of `relation`; `source` names what they were read from (see is_current)."""
    folder.mkdir(parents=True, exist_ok=True)
    _remove_partials(folder)
    columns = [[name, str(kind)] for name, kind in zip(relation.columns, relation.types, strict=True)]
    recorded = _recorded_checksums(folder, columns)
    current = _checksums(relation) or {0: (0, "0")}  # an empty mart: one empty file, with its columns
    stale = sorted(
        bucket for bucket, sums in current.items()
        if recorded.get(bucket) != sums or not (folder / part_name(bucket)).is_file()
    )
    if stale:
        # Vouch no longer for the files about to change: were the export killed between them and
        # the manifest, and the rows then changed back, old checksums would match new files.
        vouched = {bucket: sums for bucket, sums in recorded.items() if bucket not in stale}
        _write_json(folder / MANIFEST, _manifest(relation, columns, vouched, source=None))
    _write_buckets(con, relation, folder, stale)
    removed = 0
    parts = {part_name(bucket) for bucket in current}
    for path in folder.glob("*.parquet"):
        if path.name not in parts:
            path.unlink()  # a bucket that became empty, or a file that is no bucket: not this mart
            removed += 1
    _write_json(folder / MANIFEST, _manifest(relation, columns, current, source=source))
    # The single file of the layout before buckets: a BI tool must not go on reading it.
    folder.with_name(f"{folder.name}.parquet").unlink(missing_ok=True)
    return MartExport(
        rows=sum(rows for rows, _ in current.values()), written=len(stale), kept=len(current) - len(stale), removed=removed
    )


def is_current(folder: Path, *, source: Mapping[str, int]) -> bool:
    """Whether the folder was exported from `source` and still holds every bucket file it listed.

    Cheap (one small file and a stat per bucket): it runs on every load with nothing to do.
    """
    manifest = _read_manifest(folder)
    if manifest is None or manifest.get("layout") != LAYOUT or manifest.get("source") != dict(source):
        return False
    return all((folder / name).is_file() for name in manifest.get("parts", {}))


def remove_dropped(target: Path, *, keep: set[str]) -> None:
    """A mart dropped from the dbt project must not linger as Parquet that looks current (a folder,
    or its single file of the layout before buckets), nor what a killed export left half-written
    (exports run under the load lock, so none is being written now)."""
    for path in target.iterdir():
        if path.is_dir() and path.name not in keep and not path.name.startswith("."):
            if (path / MANIFEST).exists() or any(path.glob("part-*.parquet")):
                shutil.rmtree(path)
        elif path.is_file() and path.suffix == ".parquet" and path.stem not in keep:
            path.unlink(missing_ok=True)  # a dropped mart's file (a kept mart's went with its export)
        elif path.is_file() and path.name.startswith(".") and path.name.endswith(".parquet.partial"):
            path.unlink(missing_ok=True)


def describe(exports: Mapping[str, MartExport], target: Path) -> str:
    """One log line for a load: how much of the Parquet copies it had to write."""
    written = sum(export.written for export in exports.values())
    kept = sum(export.kept for export in exports.values())
    removed = sum(export.removed for export in exports.values())
    return (
        f"Parquet copies of {len(exports)} mart(s) in {target}: wrote {written} bucket file(s), "
        f"kept {kept} unchanged, removed {removed}"
    )


def _checksums(relation: duckdb.DuckDBPyRelation) -> Checksums:
    """Rows and a sum of row hashes per bucket: equal sums mean the same rows (in any order)."""
    every_column = ", ".join(quoted_identifier(name) for name in relation.columns)
    per_bucket = relation.aggregate(
        f"{_bucket_sql(relation)} as bucket, count(*) as row_count, sum(hash({every_column})::hugeint)::varchar as checksum",
        _bucket_sql(relation),
    )
    return {bucket: (rows, checksum) for bucket, rows, checksum in per_bucket.fetchall()}


def _write_buckets(con: duckdb.DuckDBPyConnection, relation: duckdb.DuckDBPyRelation, folder: Path, buckets: list[int]) -> None:
    """Each bucket written under a temporary dot-name and renamed into place: a reader sees it whole."""
    pending = list(buckets)
    if len(pending) > PARTITIONED_FROM:
        pending = _write_partitioned(con, relation, folder, pending)
    for bucket in pending:
        partial = folder / f".{part_name(bucket)}.{os.getpid()}.partial"
        try:
            relation.filter(f"({_bucket_sql(relation)}) = {int(bucket)}").write_parquet(str(partial))  # paths are arguments
            os.replace(partial, folder / part_name(bucket))
        finally:
            partial.unlink(missing_ok=True)


def _write_partitioned(
    con: duckdb.DuckDBPyConnection, relation: duckdb.DuckDBPyRelation, folder: Path, buckets: list[int]
) -> list[int]:
    """Many buckets in one pass over the mart; returns the buckets it wrote no file for (no rows)."""
    scratch = folder / f".partitioned.{os.getpid()}"
    shutil.rmtree(scratch, ignore_errors=True)
    listed = ", ".join(str(int(bucket)) for bucket in buckets)
    tagged = relation.project(f"*, {_bucket_sql(relation)} as {_PARTITION_COLUMN}").filter(f"{_PARTITION_COLUMN} in ({listed})")
    con.execute(f"set partitioned_write_flush_threshold = {PARTITION_FLUSH_ROWS}")
    try:
        tagged.write_parquet(str(scratch), partition_by=[_PARTITION_COLUMN])
        unwritten = []
        for bucket in buckets:
            files = sorted((scratch / f"{_PARTITION_COLUMN}={bucket}").glob("*.parquet"))
            if len(files) != 1:
                unwritten.append(bucket)  # none (an empty bucket) or several: written on their own
                continue
            os.replace(files[0], folder / part_name(bucket))
        return unwritten
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _manifest(
    relation: duckdb.DuckDBPyRelation, columns: list[list[str]], parts: Checksums, *, source: Mapping[str, int] | None
) -> dict:
    return {
        "layout": LAYOUT,
        "buckets": BUCKETS,
        "bucketing": _bucket_sql(relation),
        "columns": columns,
        "source": dict(source) if source is not None else None,
        "parts": {part_name(bucket): {"rows": rows, "checksum": checksum} for bucket, (rows, checksum) in sorted(parts.items())},
    }


def _bucket_sql(relation: duckdb.DuckDBPyRelation) -> str:
    return BUCKET_SQL if "department_id" in relation.columns else _WITHOUT_DEPARTMENT_SQL


def _recorded_checksums(folder: Path, columns: list[list[str]]) -> Checksums:
    """The checksums of the last export, or none when they cannot vouch for the files: no or a
    damaged manifest, another layout or bucket count, other columns or types (rewrite whole)."""
    manifest = _read_manifest(folder)
    if manifest is None or manifest.get("layout") != LAYOUT or manifest.get("buckets") != BUCKETS:
        return {}
    if manifest.get("columns") != columns:
        return {}
    try:
        return {
            int(name.removeprefix("part-").removesuffix(".parquet")): (int(part["rows"]), str(part["checksum"]))
            for name, part in manifest["parts"].items()
        }
    except (KeyError, TypeError, ValueError, AttributeError):
        return {}


def _read_manifest(folder: Path) -> dict | None:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def _write_json(path: Path, content: dict) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        partial.write_text(json.dumps(content, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _remove_partials(folder: Path) -> None:
    for path in folder.glob(".*"):
        if path.name.startswith(".partitioned.") and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        elif path.name.endswith(".partial"):
            path.unlink(missing_ok=True)


def quoted_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
