"""Which files under raw/ are department tables to load, and their content hashes."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pipelines.ingest.readers import SUPPORTED_SUFFIXES

# Editors, Office and downloads leave these beside real files; they are never tables.
_TEMPORARY_PREFIXES = ("~$", ".~", "~")
_TEMPORARY_SUFFIXES = (".partial", ".part", ".tmp", ".crdownload", ".swp", ".bak")


@dataclass(frozen=True, slots=True)
class RawFile:
    """A candidate input file; `source_path` (relative to raw/, POSIX) is its identity."""

    source_path: str
    absolute_path: Path
    sha256: str
    size_bytes: int

    @property
    def relative_path(self) -> PurePosixPath:
        return PurePosixPath(self.source_path)


def discover_raw_files(raw_dir: Path) -> list[RawFile]:
    """Every table file under raw_dir, sorted by path; symlinks leaving raw_dir are not followed."""
    root = raw_dir.resolve()
    if not root.is_dir():
        raise FileNotFoundError(f"raw directory {raw_dir} does not exist")
    found = [
        described
        for entry in _walk(str(root))
        if _is_candidate(entry, root) and (described := _describe(entry, root)) is not None
    ]
    return sorted(found, key=lambda f: f.source_path)


def _walk(directory: str) -> Iterator[os.DirEntry]:
    """Entries below `directory`, hidden folders skipped, symlinked folders not entered.

    scandir's entries carry the file type and one cached stat: listing 10,000 files costs a
    third of the system calls that Path.is_symlink/is_file/stat would.
    """
    try:
        with os.scandir(directory) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError:
        return  # an unreadable folder is skipped, as os.walk does
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if not entry.name.startswith("."):
                yield from _walk(entry.path)
        else:
            yield entry


def _is_candidate(entry: os.DirEntry, root: Path) -> bool:
    name = entry.name
    if name.startswith(".") or name.startswith(_TEMPORARY_PREFIXES):
        return False
    if name.lower().endswith(_TEMPORARY_SUFFIXES) or Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
        return False
    if entry.is_symlink() and not Path(entry.path).resolve().is_relative_to(root):
        return False
    try:
        return entry.is_file()
    except OSError:
        return False


# (device, inode, size, mtime, ctime) -> (sha256, size) of files this process has hashed. A load
# lists raw/ twice (to plan, then to stage) and the sensor every minute; a file whose inode
# status is unchanged is not read again. Any write changes ctime, which no tool can set back.
_hashed: dict[tuple[int, ...], tuple[str, int]] = {}
_MAX_REMEMBERED = 200_000


def _describe(entry: os.DirEntry, root: Path) -> RawFile | None:
    path = Path(entry.path)
    try:
        status = entry.stat()
    except FileNotFoundError:
        return None  # renamed or removed since the walk listed it (a download finishing)
    except OSError:
        status = None
    key = None if status is None else (
        status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns
    )
    if key is None or (known := _hashed.get(key)) is None:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError:
            # Unreadable (permissions, I/O): listed with the hash of no bytes, so that parsing it
            # quarantines it with the OS's reason, and once readable its new hash has it parsed.
            data, key = b"", None
        known = (hashlib.sha256(data).hexdigest(), len(data))
        if key is not None:
            if len(_hashed) >= _MAX_REMEMBERED:
                _hashed.clear()
            _hashed[key] = known
    return RawFile(
        source_path=_source_path(path, root),
        absolute_path=path,
        sha256=known[0],
        size_bytes=known[1],
    )


def _source_path(path: Path, root: Path) -> str:
    """The path relative to raw/, as text the warehouse can store.

    Linux names are bytes; one that is not UTF-8 (copied from an old GBK share) comes back from
    the OS with surrogate escapes, which DuckDB refuses, and one such file would fail the whole
    load. Its stored name shows the undecodable bytes as \\xNN instead.
    """
    relative = path.relative_to(root).as_posix()
    return relative.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
