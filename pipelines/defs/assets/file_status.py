"""What became of each file a load read, shown on the file's partition in the Dagster UI.

The file asset's materialization is recorded before the landing step decides; this observation
comes after it, so a person looking at one file sees whether it loaded and, if not, why.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Sequence

import dagster as dg

from pipelines.defs.assets.raw_files import RAW_FILES_KEY
from pipelines.defs.partitions import partition_key
from pipelines.load.discover import RawFile
from pipelines.load.stage import StageOutcome

_MAX_ISSUES_SHOWN = 10


def file_observations(
    outcome: StageOutcome,
    files: Sequence[RawFile],
    registered: Callable[[list[str]], Collection[str]],
    *,
    limit: int,
) -> Iterator[dg.AssetObservation]:
    """One observation per file read this run whose partition is registered (`registered` gives
    those of the keys it is asked about).

    Beyond `limit` files (a bulk load: each event costs Dagster some 11 ms on SQLite) only the
    files that did not load are observed, they being the ones a person has to look at, and of
    those only the first `limit` (50,000 junk files would cost minutes): `unobserved_problems`
    counts the rest, which marts.load_issues lists.
    """
    statuses = [
        *((path, "loaded") for path in outcome.loaded),
        *((path, "quarantined") for path in outcome.quarantined),
        *((path, "conflict") for path in outcome.conflicted),
    ]
    if len(statuses) > limit:
        statuses = [(path, status) for path, status in statuses if status != "loaded"][:limit]
    if not statuses:
        return
    observed = {path for path, _ in statuses}
    hashes = {f.source_path: f.sha256 for f in files if f.source_path in observed}
    issues = defaultdict(list)
    for issue in outcome.issues:
        issues[issue.source_path].append(issue)
    known = set(registered([partition_key(path) for path, _ in statuses]))
    for path, status in statuses:
        key = partition_key(path)
        if key not in known:
            continue  # a load started outside the sensor, schedule and CLI registers no partitions
        found = issues.get(path, [])
        metadata: dict[str, object] = {
            "status": status,
            "sha256": hashes.get(path, ""),
            "issue_count": len(found),
        }
        if found:
            metadata["issues"] = "\n".join(issue.describe() for issue in found[:_MAX_ISSUES_SHOWN])
        yield dg.AssetObservation(asset_key=RAW_FILES_KEY, partition=key, metadata=metadata)


def unobserved_problems(outcome: StageOutcome, *, limit: int) -> int:
    """Files that did not load and get no observation of their own (see file_observations)."""
    problems = len(outcome.quarantined) + len(outcome.conflicted)
    if problems + len(outcome.loaded) <= limit:
        return 0
    return max(0, problems - limit)


# Up to this many keys are looked up one by one; more, and every registered key is read at once
# (250,000 of them take about half a second).
_KEYS_LOOKED_UP_ONE_BY_ONE = 100


def registered_partitions(instance: dg.DagsterInstance, partitions_name: str) -> Callable[[list[str]], Collection[str]]:
    def registered(keys: list[str]) -> Collection[str]:
        if len(keys) <= _KEYS_LOOKED_UP_ONE_BY_ONE:
            return [key for key in keys if instance.has_dynamic_partition(partitions_name, key)]
        return set(instance.get_dynamic_partitions(partitions_name))

    return registered
