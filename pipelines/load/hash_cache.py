"""Content hashes kept between loads, so that a rerun reads only the files whose status changed.

`discover` remembers, within a process, each file's SHA-256 by its (device, inode, size,
mtime_ns, ctime_ns), as git's index does: any write changes ctime, which no tool can set back.
This file keeps that memory from one `budget-warehouse load` to the next, beside the warehouse:
a rerun over 250,000 unchanged files then stats them instead of reading 1.6 GB. It is only ever
a shortcut: a missing, damaged or foreign cache file is ignored whole, and a file whose status
differs in any field is read again.

An entry is a fact about one status of one file, so an entry of a file since removed is never
wrong, only unused: a load appends its new entries (one record for one added file, where writing
the whole cache took half a second at 250,000 files) and writes the file whole again only once
the unused entries outnumber the used ones.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable, Mapping
from pathlib import Path

MAGIC = b"budget-warehouse file hashes v1\n"
# device, inode (unsigned), size, mtime_ns, ctime_ns, SHA-256, bytes read.
_RECORD = struct.Struct("<QQqqq32sq")

StatusKey = tuple[int, int, int, int, int]
Hashes = Mapping[StatusKey, tuple[str, int]]


def cache_path(published: Path) -> Path:
    return published.parent / f".{published.name}.hashes"


def load(path: Path) -> dict[StatusKey, tuple[str, int]]:
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    body = memoryview(data)[len(MAGIC):]
    if not data.startswith(MAGIC) or len(body) % _RECORD.size:
        return {}
    return {
        (device, inode, size, mtime, ctime): (digest.hex(), length)
        for device, inode, size, mtime, ctime, digest, length in _RECORD.iter_unpack(body)
    }


def update(path: Path, kept: Hashes, added: Hashes, used: int, current: Callable[[], Hashes]) -> None:
    """Bring the cache that `load` read as `kept` up to date: `added` appended (entries of files
    `kept` lacks; `used` of its entries are of files listed now), or, once the unused entries
    outnumber the used ones, the whole of `current()` written anew."""
    unused = len(kept) - used
    exists = path.is_file()
    if kept and exists and unused <= used + len(added):
        try:
            if added:
                with open(path, "ab") as handle:
                    handle.write(b"".join(_pack(key, value) for key, value in added.items()))
        except OSError:
            pass  # as in save: the next load reads those files again
    elif added or unused or not exists:
        save(path, current())  # also replaces a missing, damaged or foreign file


def save(path: Path, hashes: Hashes) -> None:
    """Written whole under a temporary name and renamed: a reader never sees half a cache.

    A folder the loader cannot write to costs the next load its shortcut, not the load itself.
    """
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    try:
        with open(partial, "wb") as handle:
            handle.write(MAGIC)
            handle.writelines(_pack(key, value) for key, value in hashes.items())
        os.replace(partial, path)
    except OSError:
        partial.unlink(missing_ok=True)


def _pack(key: StatusKey, value: tuple[str, int]) -> bytes:
    digest, length = value
    return _RECORD.pack(*key, bytes.fromhex(digest), length)
