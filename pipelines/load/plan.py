"""What a load has to do for raw/ as it is now, measured against what the warehouse last took.

The sensor, the nightly schedule and the CLI all plan the same way, so that each of them
registers the same partitions and requests the same run for the same raw/.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pipelines.load.discover import RawFile
from pipelines.warehouse.landing import ListingDiff


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
    diff: ListingDiff,
    existing_keys: Sequence[str],
    key_for: Callable[[str], str],
) -> LoadPlan:
    """`diff`: the files listed against what the warehouse last read of each (loaded or not)."""
    wanted = {key_for(f.source_path) for f in files}
    existing = set(existing_keys)
    to_add = sorted(wanted - existing)
    # In partition order: the registered keys in their order, then the new ones.
    changed_keys = {key_for(path) for path in diff.new_or_changed}
    changed = [key for key in (*existing_keys, *to_add) if key in changed_keys] if changed_keys else []
    return LoadPlan(
        partitions_to_add=to_add,
        partitions_to_delete=sorted(existing - wanted),
        changed_keys=changed,
        removed_paths=list(diff.removed),
        file_count=len(files),
    )
