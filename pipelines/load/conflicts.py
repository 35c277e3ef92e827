"""Two files claiming the same fiscal year and department: neither replaces what is published."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

Identity = tuple[int, str]  # (fiscal_year, department_name)


def find_conflicts(
    candidates: Mapping[str, Identity], published: Mapping[str, Identity]
) -> dict[str, list[str]]:
    """Each conflicted path with the other paths claiming its identity.

    A path's claim is its new version's identity if it is a candidate, else what it published.
    """
    claims = {**published, **candidates}
    by_identity: dict[Identity, list[str]] = defaultdict(list)
    for path, identity in claims.items():
        by_identity[identity].append(path)
    return {
        path: sorted(other for other in paths if other != path)
        for paths in by_identity.values()
        if len(paths) > 1
        for path in paths
    }
