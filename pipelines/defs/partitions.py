"""One Dagster partition per file under raw/, keyed by its path relative to raw/."""

from __future__ import annotations

import hashlib
import re

import dagster as dg

RAW_FILES = dg.DynamicPartitionsDefinition(name="raw_files")

# Above this many new or changed files a load records no per-file events (see load_requests.py).
# 100 since every CLI load keeps its run (issue 16): at 1,000 a first load of 1,000 departments took
# 55 s instead of 22 s on Dagster's SQLite storage (docs/benchmarks.md).
MAX_FILES_PER_PARTITIONED_RUN = 100

# Dagster refuses these in partition keys (dagster/_core/definitions/partitions/utils/base.py).
_REFUSED = {"...": "…", "\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v", "\0": "\\0"}
# One scan of a path for any of them: a plan keys every file under raw/ (250,000 at a time).
_ANY_REFUSED = re.compile("|".join(re.escape(refused) for refused in _REFUSED))


def partition_key(source_path: str) -> str:
    """The file's path as its key; a path Dagster would refuse gets a readable, distinct stand-in.

    A name with a tab, a newline or "..." in it is legal on Linux and must not stop the load, so
    those characters are shown escaped, and a short hash of the real path keeps the key unique.
    """
    if _ANY_REFUSED.search(source_path) is None:
        return source_path
    shown = source_path
    for refused, stand_in in _REFUSED.items():
        shown = shown.replace(refused, stand_in)
    return f"{shown} #{hashlib.sha256(source_path.encode('utf-8')).hexdigest()[:8]}"
