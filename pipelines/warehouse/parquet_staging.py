"""The Parquet copies of a build, written before the publish and swapped in by renames alone.

A load writes the marts' Parquet copies from its build copy (sealed: as it will be published) into
a staged tree beside the build, `.build/<stem>.<run_id>.duckdb.parquet/`. The tree starts as hard
links to every file of `parquet/` (no bytes copied), and the export replaces, under temporary
names, only the buckets whose rows changed. The publish then renames the build over the DuckDB
file and moves the staged files into `parquet/` one rename each: a full disk or a failed write
stops the load before anything published changed, and the swap itself writes no bytes.

While files move in, each mart's `_manifest.json` is first replaced by one that vouches only for
the buckets that stay (its source: none), so a swap cut short by a kill is noticed by the next
load, which rewrites what is missing from the published file (parquet_export.is_current).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.warehouse import parquet_export
from pipelines.warehouse.parquet_buckets import MANIFEST, MartExport

if TYPE_CHECKING:
    from pipelines.warehouse.mart_changes import MartChanges

# Written into each staged mart folder beside its manifest: the manifest the swap puts first.
_VOUCHED = f".{MANIFEST}.vouched"


@dataclass(frozen=True)
class StagedParquet:
    """A staged tree of Parquet copies, exported from a database file with `source` identity."""

    root: Path
    live: Path
    source: dict[str, int]
    exports: dict[str, MartExport]

    def swap_in(self) -> None:
        """Make `live` what the staged tree holds; renames and unlinks only."""
        self.live.mkdir(parents=True, exist_ok=True)
        staged = {entry.name: entry for entry in self.root.iterdir() if not _hidden(entry)}
        for name, entry in sorted(staged.items()):
            if entry.is_dir():
                _swap_folder(entry, self.live / name)
            elif entry.is_file() and not _same_file(entry, self.live / name):
                os.replace(entry, self.live / name)
        for entry in self.live.iterdir():
            if _hidden(entry) or entry.name in staged:
                continue
            if entry.is_dir():
                shutil.rmtree(entry)
            else:
                entry.unlink(missing_ok=True)
        fsync_path(self.live)
        shutil.rmtree(self.root, ignore_errors=True)


def stage(published: Path, database: Path, root: Path, *, changed: MartChanges | None = None) -> StagedParquet:
    """The marts of `database` (a sealed build, or the published file itself) exported into the
    staged tree `root`, linked from the published Parquet copies. Call it under the load lock."""
    live = parquet_export.parquet_dir(published)
    shutil.rmtree(root, ignore_errors=True)
    _link_tree(live, root)
    source = parquet_export.published_identity(database)
    exports = parquet_export.export_marts(published, database=database, target=root, changed=changed)
    if parquet_export.published_identity(database) != source:
        raise RuntimeError(f"{database} changed while its Parquet copies were written; nothing was published")
    for folder in root.iterdir():
        if folder.is_dir() and not _hidden(folder):
            _write_vouched(folder, live / folder.name)
    return StagedParquet(root=root, live=live, source=source, exports=exports)


def _link_tree(live: Path, root: Path) -> None:
    """`root` mirrors `live`'s visible files as hard links (copies where the file system has none)."""
    root.mkdir(parents=True)
    if not live.is_dir():
        return
    for entry in live.iterdir():
        if _hidden(entry):
            continue
        if entry.is_dir():
            (root / entry.name).mkdir()
            for file in entry.iterdir():
                if file.is_file() and not _hidden(file):
                    _link(file, root / entry.name / file.name)
        elif entry.is_file():
            _link(entry, root / entry.name)


def _link(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOTSUP):
            raise
        shutil.copy2(source, target)


def _write_vouched(staged: Path, live: Path) -> None:
    """The manifest to show while the folder's files move in: the live one, vouching only for the
    buckets whose file stays as it is, and naming no source (so it is never taken as current)."""
    try:
        manifest = json.loads((live / MANIFEST).read_text(encoding="utf-8"))
        parts = manifest["parts"]
        kept = {name: part for name, part in parts.items() if _same_file(staged / name, live / name)}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return  # no usable manifest: none is vouched for, the swap removes it first
    (staged / _VOUCHED).write_text(json.dumps({**manifest, "source": None, "parts": kept}, ensure_ascii=False), encoding="utf-8")


def _swap_folder(staged: Path, live: Path) -> None:
    live.mkdir(exist_ok=True)
    names = {entry.name for entry in staged.iterdir() if entry.is_file() and not _hidden(entry)}
    moving = sorted(name for name in names - {MANIFEST} if not _same_file(staged / name, live / name))
    leaving = sorted(
        entry.name for entry in live.iterdir() if entry.is_file() and not _hidden(entry) and entry.name not in names
    )
    if not moving and not leaving:
        os.replace(staged / MANIFEST, live / MANIFEST)
        return
    if (staged / _VOUCHED).exists():
        os.replace(staged / _VOUCHED, live / MANIFEST)
    else:
        (live / MANIFEST).unlink(missing_ok=True)
    for name in moving:
        os.replace(staged / name, live / name)
    for name in leaving:
        (live / name).unlink(missing_ok=True)
    os.replace(staged / MANIFEST, live / MANIFEST)


def _same_file(one: Path, other: Path) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:
        return False


def _hidden(entry: Path) -> bool:
    """Names readers skip (parquet_buckets): temporary files, scratch folders, the staged manifest."""
    return entry.name.startswith(".")


def fsync_path(path: Path) -> None:
    """A file's or a folder's data and entry on disk (a rename is durable once its folder is)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

