"""A mart as a folder of Parquet files, one per bucket of departments, rewritten only where rows changed.

`<mart>/part-NN.parquet` holds the rows whose `department_id` falls in bucket NN (a hash of the
id; rows without one are in bucket 00). Only non-empty buckets have a file, except that an empty
mart keeps an empty `part-00.parquet`, so a reader still finds its columns. `<mart>/_manifest.json`
records each bucket's row count, a checksum of its rows, computed by DuckDB, and its file's size:
an export recomputes them (one scan of the mart) and rewrites the buckets whose rows differ or whose
file is missing. So a full rebuild, a removed department, ranks that move for every department, a
crash before the export, or a deleted file all come out right.

One narrowing (`ChangedDepartments`, from pipelines/warehouse/mart_changes.py): when the manifest
names the file the load's build started from, and the build changed only the rows of some
department_ids, only their buckets can differ, and in them only those departments' rows. Each such
bucket is written anew from its old file's other rows and the mart's rows of the changed
departments (read by department_id, not a scan per bucket), and its checksum is taken from that
new file; it replaces the old one only if the checksum differs. Every bucket keeps its recorded
checksum once its file is there with the recorded size. Anything else (another source, a file missing or of
another size, no sizes recorded, a department_id that is not VARCHAR) takes the full path. A killed
export leaves a manifest naming no source (the vouch below), so the next export takes the full path.

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
import pyarrow as pa

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
# The changed departments' ids, registered on the export's connection while their buckets are patched.
_CHANGED_IDS = "_changed_department_ids"

Checksums = dict[int, tuple[int, str]]


@dataclass(frozen=True, slots=True)
class ChangedDepartments:
    """A build that started from the published file `since` changed only the rows of these department_ids."""

    since: dict[str, int]
    department_ids: frozenset[str | None]


@dataclass(frozen=True, slots=True)
class MartExport:
    """What an export did to one mart's folder, in rows and in bucket files."""

    rows: int
    written: int
    kept: int
    removed: int
    checked: int = BUCKETS  # buckets whose checksums were computed: fewer when narrowed to changed departments


def part_name(bucket: int) -> str:
    return f"part-{bucket:02d}.parquet"


def export_mart(
    con: duckdb.DuckDBPyConnection,
    relation: duckdb.DuckDBPyRelation,
    folder: Path,
    *,
    source: Mapping[str, int] | None = None,
    changed: ChangedDepartments | None = None,
) -> MartExport:
    """Bring `folder` to the rows of `relation`; `source` names what they were read from (see is_current)."""
    folder.mkdir(parents=True, exist_ok=True)
    _remove_partials(folder)
    columns = [[name, str(kind)] for name, kind in zip(relation.columns, relation.types, strict=True)]
    manifest = _read_manifest(folder)
    recorded = _recorded_checksums(manifest, columns)
    touched = _touched_buckets(con, relation, folder, manifest, recorded, changed)
    patched: dict[int, Path] = {}
    try:
        if touched is None:
            current = _checksums(relation)
        else:
            assert changed is not None
            patched = _patch_buckets(con, relation, folder, touched, recorded, changed.department_ids)
            current = _patched_checksums(con, relation, recorded, touched, patched)
        current = current or {0: (0, "0")}  # an empty mart: one empty file, with its columns
        sizes = _recorded_sizes(manifest) if recorded else {}
        stale = sorted(
            bucket for bucket, sums in current.items()
            if recorded.get(bucket) != sums or not _as_recorded(folder, bucket, sizes)
        )
        if stale:
            # Vouch no longer for the files about to change: were the export killed between them and
            # the manifest, and the rows then changed back, old checksums would match new files.
            vouched = {bucket: sums for bucket, sums in recorded.items() if bucket not in stale}
            _write_json(folder / MANIFEST, _manifest(relation, columns, vouched, folder, source=None))
        unpatched = [bucket for bucket in stale if bucket not in patched]
        for bucket in [bucket for bucket in stale if bucket in patched]:
            os.replace(patched.pop(bucket), folder / part_name(bucket))
        _write_buckets(con, relation, folder, unpatched)
    finally:
        for partial in patched.values():
            partial.unlink(missing_ok=True)
    removed = 0
    parts = {part_name(bucket) for bucket in current}
    for path in folder.glob("*.parquet"):
        if path.name not in parts:
            path.unlink()  # a bucket that became empty, or a file that is no bucket: not this mart
            removed += 1
    _write_json(folder / MANIFEST, _manifest(relation, columns, current, folder, source=source))
    # The single file of the layout before buckets: a BI tool must not go on reading it.
    folder.with_name(f"{folder.name}.parquet").unlink(missing_ok=True)
    return MartExport(
        rows=sum(rows for rows, _ in current.values()), written=len(stale), kept=len(current) - len(stale), removed=removed,
        checked=BUCKETS if touched is None else len(touched),
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


def _touched_buckets(
    con: duckdb.DuckDBPyConnection,
    relation: duckdb.DuckDBPyRelation,
    folder: Path,
    manifest: dict | None,
    recorded: Checksums,
    changed: ChangedDepartments | None,
) -> set[int] | None:
    """The buckets of the changed departments, when every bucket's file is as recorded; None: full path."""
    if changed is None or not recorded or manifest is None or manifest.get("source") != changed.since:
        return None
    if dict(zip(relation.columns, map(str, relation.types), strict=True)).get("department_id") != "VARCHAR":
        return None  # the buckets below are hashed from VARCHAR ids
    sizes = _recorded_sizes(manifest)
    touched = _buckets_of(con, changed.department_ids)
    # The touched buckets' files too: their rows of the departments that did not change are kept.
    if any(bucket not in sizes or not _as_recorded(folder, bucket, sizes) for bucket in recorded):
        return None
    return touched


def _as_recorded(folder: Path, bucket: int, sizes: dict[int, int]) -> bool:
    """The bucket's file is there, with the size recorded (when one was)."""
    try:
        size = (folder / part_name(bucket)).stat().st_size
    except FileNotFoundError:
        return False
    return (folder / part_name(bucket)).is_file() and sizes.get(bucket, size) == size


def _patch_buckets(
    con: duckdb.DuckDBPyConnection,
    relation: duckdb.DuckDBPyRelation,
    folder: Path,
    touched: set[int],
    recorded: Checksums,
    department_ids: frozenset[str | None],
) -> dict[int, Path]:
    """Each touched bucket's new file, written beside it under a temporary name: its old file's
    rows of the departments that did not change, and the mart's rows of those that did.

    The mart is read only for the changed departments' rows (a filter on department_id, about
    0.2 s on 9.3 million rows), not scanned per bucket to hash and write every row of it
    (2 s at 250,000 departments); the old file is one bucket, 1/64 of the mart.
    """
    ids = pa.table({"department_id": pa.array(sorted(i for i in department_ids if i is not None), pa.string())})
    changed_sql = (
        f"(department_id in (select department_id from {_CHANGED_IDS})"
        f"{' or department_id is null' if None in department_ids else ''})"
    )
    written: dict[int, Path] = {}
    con.register(_CHANGED_IDS, ids)
    try:
        for bucket in sorted(touched):
            partial = folder / f".{part_name(bucket)}.{os.getpid()}.partial"
            written[bucket] = partial
            rows = relation.filter(f"({_bucket_sql(relation)}) = {int(bucket)} and {changed_sql}")
            if recorded.get(bucket, (0, ""))[0] > 0:
                unchanged = con.read_parquet(str(folder / part_name(bucket))).filter(f"not coalesce({changed_sql}, false)")
                rows = unchanged.union(rows)
            rows.write_parquet(str(partial))  # paths are arguments
    except BaseException:
        for partial in written.values():
            partial.unlink(missing_ok=True)
        raise
    finally:
        con.unregister(_CHANGED_IDS)
    return written


def _patched_checksums(
    con: duckdb.DuckDBPyConnection,
    relation: duckdb.DuckDBPyRelation,
    recorded: Checksums,
    touched: set[int],
    patched: dict[int, Path],
) -> Checksums:
    """The recorded checksums of the untouched buckets (but an empty mart's empty file), and the
    touched ones' read from their new files: the same sum of row hashes the mart gives."""
    current = {bucket: sums for bucket, sums in recorded.items() if bucket not in touched and sums[0] > 0}
    for bucket, path in patched.items():
        rows, checksum = _checksum_expression(con.read_parquet(str(path)), relation.columns).fetchall()[0]
        if rows:
            current[bucket] = (rows, checksum)
    return current


def _buckets_of(con: duckdb.DuckDBPyConnection, department_ids: frozenset[str | None]) -> set[int]:
    rows = con.execute(
        f"select distinct {BUCKET_SQL} from (select unnest($ids::varchar[]) as department_id)",
        {"ids": list(department_ids)},
    ).fetchall()
    return {bucket for (bucket,) in rows}


def _checksums(relation: duckdb.DuckDBPyRelation) -> Checksums:
    """Rows and a sum of row hashes per bucket: equal sums mean the same rows (in any order)."""
    per_bucket = relation.aggregate(
        f"{_bucket_sql(relation)} as bucket, count(*) as row_count, {_checksum_sql(relation.columns)} as checksum",
        _bucket_sql(relation),
    )
    return {bucket: (rows, checksum) for bucket, rows, checksum in per_bucket.fetchall()}


def _checksum_sql(columns: list[str]) -> str:
    every_column = ", ".join(quoted_identifier(name) for name in columns)
    return f"sum(hash({every_column})::hugeint)::varchar"


def _checksum_expression(rows: duckdb.DuckDBPyRelation, columns: list[str]) -> duckdb.DuckDBPyRelation:
    return rows.aggregate(f"count(*) as row_count, coalesce({_checksum_sql(columns)}, '0') as checksum")


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
    relation: duckdb.DuckDBPyRelation,
    columns: list[list[str]],
    parts: Checksums,
    folder: Path,
    *,
    source: Mapping[str, int] | None,
) -> dict:
    return {
        "layout": LAYOUT,
        "buckets": BUCKETS,
        "bucketing": _bucket_sql(relation),
        "columns": columns,
        "source": dict(source) if source is not None else None,
        "parts": {
            part_name(bucket): {"rows": rows, "checksum": checksum, **_size(folder / part_name(bucket))}
            for bucket, (rows, checksum) in sorted(parts.items())
        },
    }


def _size(path: Path) -> dict[str, int]:
    try:
        return {"size": path.stat().st_size}
    except FileNotFoundError:
        return {}


def _bucket_sql(relation: duckdb.DuckDBPyRelation) -> str:
    return BUCKET_SQL if "department_id" in relation.columns else _WITHOUT_DEPARTMENT_SQL


def _recorded_checksums(manifest: dict | None, columns: list[list[str]]) -> Checksums:
    """The checksums of the last export, or none when they cannot vouch for the files: no or a
    damaged manifest, another layout or bucket count, other columns or types (rewrite whole)."""
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


def _recorded_sizes(manifest: dict) -> dict[int, int]:
    """Each bucket file's size at the last export (none recorded by an export before sizes were)."""
    try:
        return {
            int(name.removeprefix("part-").removesuffix(".parquet")): int(part["size"])
            for name, part in manifest["parts"].items()
            if "size" in part
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
