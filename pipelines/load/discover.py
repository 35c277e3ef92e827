"""Which files under raw/ are department tables to load, and their content hashes."""

from __future__ import annotations

import errno
import gc
import hashlib
import os
import stat
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from operator import attrgetter
from pathlib import Path, PurePosixPath

from pipelines.ingest.errors import IssueCategory
from pipelines.ingest.readers import SUPPORTED_SUFFIXES

# Editors, Office and downloads leave these beside real files; they are never tables.
_TEMPORARY_PREFIXES = ("~$", ".~", "~")
_TEMPORARY_SUFFIXES = (".partial", ".part", ".tmp", ".crdownload", ".swp", ".bak")


@dataclass(frozen=True, slots=True)
class RawFile:
    """A candidate input file; `source_path` (relative to raw/, POSIX) is its identity."""

    source_path: str
    # The file's path as listed: text, since building a Path for each of 250,000 files costs more
    # than listing them (a load with nothing to do lists every file).
    location: str | Path
    sha256: str
    size_bytes: int

    @property
    def absolute_path(self) -> Path:
        return Path(self.location)

    @property
    def relative_path(self) -> PurePosixPath:
        return PurePosixPath(self.source_path)


@dataclass(frozen=True, slots=True)
class SkippedEntry:
    """An entry under raw/ that is not read, and why: it becomes a landing.load_issues row.

    It has no content hash (nothing was read), so its row carries an empty source_sha256.
    """

    source_path: str
    category: IssueCategory
    message: str

    @property
    def is_error(self) -> bool:
        # A link out of raw/ or to a folder is skipped on purpose: worth a warning, not a failure.
        return self.category not in (IssueCategory.OUTSIDE_RAW, IssueCategory.LINKED_FOLDER)


@dataclass(frozen=True, slots=True)
class Discovery:
    files: list[RawFile]
    skipped: list[SkippedEntry]


def discover_raw_files(raw_dir: Path) -> list[RawFile]:
    """Every table file under raw_dir, sorted by path; symlinks leaving raw_dir are not followed."""
    return scan_raw_dir(raw_dir).files


def scan_raw_dir(raw_dir: Path) -> Discovery:
    """The table files under raw_dir, and the entries that look like tables but cannot be read.

    Never raises for a single entry: raw/ is a shared drop folder, and one symlink loop, FIFO or
    locked folder must not stop every other department. Only a raw_dir that is not a listable
    folder raises: reading nothing from it would remove every file's rows.
    """
    root = Path(os.path.realpath(raw_dir))
    if _listings is not None and (listed := _listings.get(str(root))) is not None:
        return listed
    if not root.is_dir():
        raise FileNotFoundError(f"raw directory {raw_dir} does not exist")
    files: list[RawFile] = []
    skipped: list[SkippedEntry] = []
    with _collector_paused():
        for entry in _walk(str(root), root, skipped):
            if not _is_candidate_name(entry.name):
                if (problem := _folder_link_problem(entry, root)) is not None:
                    skipped.append(_skip(entry.path, root, *problem))
                continue
            try:
                described = _describe(entry, root, skipped)
            except OSError as error:  # anything the checks below did not foresee: reported, never raised
                skipped.append(_skip(entry.path, root, IssueCategory.UNREADABLE, f"cannot read: {_reason(error)}"))
                continue
            if described is not None:
                files.append(described)
    discovery = Discovery(files=sorted(files, key=_BY_SOURCE_PATH), skipped=sorted(skipped, key=_BY_SOURCE_PATH))
    if _listings is not None:
        _listings[str(root)] = discovery
    return discovery


# The listings of the current `one_listing()` block, by folder; None outside one.
_listings: dict[str, Discovery] | None = None


@contextmanager
def one_listing() -> Iterator[None]:
    """Within this block each folder is listed once: every later scan returns that listing.

    A load lists raw/ to check it against the warehouse, to plan its run and to stage, and at
    250,000 files each listing stats every file (seconds). With one listing the plan and the
    landing step also see the same files; what arrives meanwhile is the next load's.
    """
    global _listings
    outer = _listings
    _listings = {} if outer is None else outer
    try:
        yield
    finally:
        _listings = outer


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while the listing builds one object per file: none of them
    form cycles, and at 250,000 files its passes over every object alive cost a third of a second."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _walk(directory: str, root: Path, skipped: list[SkippedEntry]) -> Iterator[os.DirEntry]:
    """Entries below `directory`, hidden folders skipped, symlinked folders not entered.

    scandir's entries carry the file type and one cached stat: listing 10,000 files costs a
    third of the system calls that Path.is_symlink/is_file/stat would.
    """
    try:
        with os.scandir(directory) as listing:
            entries = sorted(listing, key=_BY_NAME)
    except OSError as error:
        if directory == str(root):
            # Not one entry but all of raw/: listing nothing would remove every file's rows.
            raise PermissionError(
                error.errno, f"raw directory {directory} cannot be listed ({_reason(error)})"
            ) from error
        skipped.append(
            _skip(
                directory, root, IssueCategory.UNREADABLE_FOLDER,
                f"folder cannot be listed ({_reason(error)}): none of its files are loaded; "
                "give the loader read and execute permission on it",
            )
        )
        return
    for entry in entries:
        try:
            is_folder = entry.is_dir(follow_symlinks=False)
        except OSError:
            is_folder = False
        if is_folder:
            if not entry.name.startswith("."):
                yield from _walk(entry.path, root, skipped)
        else:
            yield entry


def _is_candidate_name(name: str) -> bool:
    """Hidden, temporary and foreign files are ignored by name, whatever they are."""
    if name.startswith(".") or name.startswith(_TEMPORARY_PREFIXES):
        return False
    lowered = name.lower()
    dot = lowered.rfind(".")  # os.path.splitext's suffix for a name without leading dots, at a third of its cost
    return not lowered.endswith(_TEMPORARY_SUFFIXES) and dot > 0 and lowered[dot:] in SUPPORTED_SUFFIXES


_BY_NAME = attrgetter("name")
_BY_SOURCE_PATH = attrgetter("source_path")


# (device, inode, size, mtime, ctime) -> (sha256, size) of files this process has hashed. A load
# lists raw/ twice (to plan, then to stage) and the sensor every minute; a file whose inode
# status is unchanged is not read again. Any write changes ctime, which no tool can set back.
# The CLI keeps this memory from one load to the next (pipelines/load/hash_cache.py).
_hashed: dict[tuple[int, ...], tuple[str, int]] = {}
_MAX_REMEMBERED = 1_000_000
# A file changed this recently is not remembered (git's "racily clean" entries): on a file system
# that keeps whole seconds, a second write within the same second of the same size would leave
# every field of its status as it was.
_RACY_NS = 2_000_000_000


# The keys of the files listed since remember_hashes(): what a kept cache is written from, so that
# it holds raw/ as it is now, not every version of every file it ever held.
_listed_keys: set[tuple[int, ...]] = set()


def remembered_hashes() -> dict[tuple[int, ...], tuple[str, int]]:
    """The hashes of the files listed since `remember_hashes`."""
    return {key: _hashed[key] for key in _listed_keys if key in _hashed}


def hashes_listed_beyond(kept: Mapping[tuple[int, ...], tuple[str, int]]) -> tuple[dict[tuple[int, ...], tuple[str, int]], int]:
    """The hashes of files listed since `remember_hashes` that `kept` lacks, and how many of the
    listed files `kept` has: what a kept cache needs appended, counted without copying it."""
    fresh = _listed_keys - kept.keys()
    return {key: _hashed[key] for key in fresh if key in _hashed}, len(_listed_keys) - len(fresh)


def remember_hashes(hashes: Mapping[tuple[int, ...], tuple[str, int]]) -> None:
    """Hashes recorded by an earlier process, trusted only while a file's status is unchanged."""
    _forget_if_full(len(hashes))
    _listed_keys.clear()
    _hashed.update(hashes)


def _forget_if_full(adding: int) -> None:
    if len(_hashed) + adding > _MAX_REMEMBERED:
        _hashed.clear()
        _listed_keys.clear()


def _describe(entry: os.DirEntry, root: Path, skipped: list[SkippedEntry]) -> RawFile | None:
    """The file to load, or None: vanished, or skipped (then `skipped` says why)."""
    path = entry.path
    if entry.is_symlink():
        problem = _link_problem(entry.path, root)
        if problem is not None:
            skipped.append(_skip(entry.path, root, *problem))
            return None
    try:
        status = entry.stat()
    except FileNotFoundError:
        return None  # renamed or removed since the walk listed it (a download finishing)
    except OSError:
        status = None
    if status is not None and not stat.S_ISREG(status.st_mode):
        skipped.append(_skip(entry.path, root, IssueCategory.SPECIAL_FILE, _special_message(status.st_mode)))
        return None
    key = None if status is None else (
        status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns
    )
    if key is None or (known := _hashed.get(key)) is None:
        try:
            known = _hash_regular_file(Path(path))
        except FileNotFoundError:
            return None
        except _NotRegular as special:
            skipped.append(_skip(entry.path, root, IssueCategory.SPECIAL_FILE, _special_message(special.mode)))
            return None
        except OSError:
            # Unreadable (permissions, I/O): listed with the hash of no bytes, so that parsing it
            # quarantines it with the OS's reason, and once readable its new hash has it parsed.
            known, key = (hashlib.sha256(b"").hexdigest(), 0), None
        if key is not None and time.time_ns() - max(key[3], key[4]) > _RACY_NS:
            _forget_if_full(1)
            _hashed[key] = known
    if key is not None:
        _listed_keys.add(key)
    return RawFile(
        source_path=_source_path(path, root),
        location=path,
        sha256=known[0],
        size_bytes=known[1],
    )


def _link_problem(link: str, root: Path) -> tuple[IssueCategory, str] | None:
    """Why a symlink is not followed, or None for a link to a file inside raw/."""
    try:
        os.stat(link)
    except OSError as error:
        if error.errno == errno.ELOOP:
            return IssueCategory.SYMLINK_LOOP, (
                f"symbolic link loop ({_link_target(link)}): it never reaches a file; remove or correct the link"
            )
        if error.errno in (errno.ENOENT, errno.ENOTDIR):
            return IssueCategory.DANGLING_SYMLINK, (
                f"dangling symbolic link ({_link_target(link)}): its target does not exist; remove the link or restore its target"
            )
        return None  # permissions and the like: reading it reports the OS's reason
    target = Path(os.path.realpath(link))
    if not target.is_relative_to(root):
        return IssueCategory.OUTSIDE_RAW, (
            "symbolic link leads outside raw/ and is not read (files outside raw/ are never read, so a "
            "shared drop folder cannot pull other data in); copy what it points to into raw/ to load it"
        )
    if target.is_dir():
        return IssueCategory.LINKED_FOLDER, (
            "symbolic link to a folder is not entered (its files load under their own path in raw/)"
        )
    return None


def _folder_link_problem(entry: os.DirEntry, root: Path) -> tuple[IssueCategory, str] | None:
    """A link to a folder, named like one (`2025` → elsewhere): its files would silently be missing."""
    if entry.name.startswith(".") or not entry.is_symlink():
        return None
    try:
        if not os.path.isdir(entry.path):
            return None
    except OSError:
        return None
    problem = _link_problem(entry.path, root)
    return problem if problem is not None and problem[0] in (IssueCategory.OUTSIDE_RAW, IssueCategory.LINKED_FOLDER) else None


def _link_target(link: str) -> str:
    try:
        return f"→ {os.readlink(link)}"
    except OSError:
        return "target unknown"


class _NotRegular(OSError):
    def __init__(self, mode: int) -> None:
        super().__init__("not a regular file")
        self.mode = mode


_HASH_CHUNK = 1 << 20


def _hash_regular_file(path: Path) -> tuple[str, int]:
    """SHA-256 and size, read in chunks (a huge file never sits in memory whole).

    Opened non-blocking and checked after opening: a FIFO swapped in after the listing would
    otherwise block the load forever on open().
    """
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(descriptor, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise _NotRegular(mode)
        digest = hashlib.sha256()
        size = 0
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _special_message(mode: int) -> str:
    kind = (
        "a named pipe (FIFO)" if stat.S_ISFIFO(mode)
        else "a socket" if stat.S_ISSOCK(mode)
        else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "a folder" if stat.S_ISDIR(mode)
        else "not a regular file"
    )
    return f"{kind}, not a file: it is never opened (reading it could block the load); replace it with the table file"


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def _skip(path: str, root: Path, category: IssueCategory, message: str) -> SkippedEntry:
    return SkippedEntry(source_path=_source_path(path, root), category=category, message=message)


def _source_path(path: str, root: Path) -> str:
    """The path relative to raw/, as text the warehouse can store.

    Linux names are bytes; one that is not UTF-8 (copied from an old GBK share) comes back from
    the OS with surrogate escapes, which DuckDB refuses, and one such file would fail the whole
    load. Its stored name shows the undecodable bytes as \\xNN instead.
    """
    prefix = _prefix(str(root))  # keyed by text: hashing a Path per file cost a second at 250,000 files
    relative = path[len(prefix):] if path.startswith(prefix) else os.path.relpath(path, root)
    try:
        relative.encode("utf-8")
        return relative  # every name that is UTF-8 already: no second copy
    except UnicodeEncodeError:
        return relative.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


@lru_cache(maxsize=8)
def _prefix(root: str) -> str:
    return os.path.join(root, "")
