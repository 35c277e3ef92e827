"""What a load has to do for raw/ as it is now, measured against what the warehouse last took.

The sensor, the nightly schedule and the CLI all plan the same way, so that each of them
registers the same partitions and requests the same run for the same raw/.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from pipelines.load.discover import RawFile


@dataclass(frozen=True, slots=True)
class LoadPlan:
    partitions_to_add: list[str]
    partitions_to_delete: list[str]
    # Keys of new and changed files, in the order of the partitions once the new ones are added.
    changed_keys: list[str]
    removed_paths: list[str]
    file_count: int

    @property
    def has_changes(self) -> bool:
        return bool(self.changed_keys or self.removed_paths)

    @property
    def partition_range(self) -> tuple[str, str] | None:
        """The smallest run of partitions covering every changed file (None: nothing to parse)."""
        return (self.changed_keys[0], self.changed_keys[-1]) if self.changed_keys else None

    def describe(self) -> str:
        return (
            f"{self.file_count} file(s) under raw/: {len(self.changed_keys)} new or changed, "
            f"{len(self.removed_paths)} removed"
        )


def plan_load(
    files: Sequence[RawFile],
    taken: Mapping[str, str],
    existing_keys: Sequence[str],
    key_for: Callable[[str], str],
) -> LoadPlan:
    """`taken` maps each file the warehouse has seen to the SHA-256 it last read (loaded or not)."""
    keys = {f.source_path: key_for(f.source_path) for f in files}
    wanted = set(keys.values())
    existing = set(existing_keys)
    to_add = sorted(wanted - existing)
    order = {key: position for position, key in enumerate([*(k for k in existing_keys if k in wanted), *to_add])}
    changed = sorted(
        (keys[f.source_path] for f in files if taken.get(f.source_path) != f.sha256),
        key=order.__getitem__,
    )
    current = {f.source_path for f in files}
    return LoadPlan(
        partitions_to_add=to_add,
        partitions_to_delete=sorted(existing - wanted),
        changed_keys=changed,
        removed_paths=sorted(path for path in taken if path not in current),
        file_count=len(files),
    )
