"""What became of each file a load read, shown on the file's partition in the Dagster UI.

The file asset's materialization is recorded before the landing step decides; this observation
comes after it, so a person looking at one file sees whether it loaded and, if not, why.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator

import dagster as dg

from pipelines.defs.assets.raw_files import RAW_FILES_KEY
from pipelines.defs.partitions import partition_key
from pipelines.load.stage import StageOutcome

_MAX_ISSUES_SHOWN = 10


def file_observations(outcome: StageOutcome, known_keys: Collection[str]) -> Iterator[dg.AssetObservation]:
    """One observation per file read this run whose partition is registered."""
    known = set(known_keys)
    issues = defaultdict(list)
    for issue in outcome.issues:
        issues[issue.source_path].append(issue)
    statuses = [
        *((path, "loaded") for path in outcome.loaded),
        *((path, "quarantined") for path in outcome.quarantined),
        *((path, "conflict") for path in outcome.conflicted),
    ]
    for path, status in statuses:
        key = partition_key(path)
        if key not in known:
            continue  # a load started outside the sensor, schedule and CLI registers no partitions
        found = issues.get(path, [])
        metadata: dict[str, object] = {"status": status, "issue_count": len(found)}
        if found:
            metadata["issues"] = "\n".join(issue.describe() for issue in found[:_MAX_ISSUES_SHOWN])
        yield dg.AssetObservation(asset_key=RAW_FILES_KEY, partition=key, metadata=metadata)
