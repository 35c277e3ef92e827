"""Two files claiming the same document: neither replaces what is published.

A document is a fiscal year, a department (by its stable key: （本级） and renames do not make
two departments, pipelines/ingest/departments.py) and a kind: a 目标表 (`targets`) and a 自评表
(`self_evaluation`) of one department and year are two documents, not a conflict.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping

from pipelines.ingest.departments import department_key

Identity = tuple[int, str, str]  # (fiscal_year, department_name as printed, kind)


def find_conflicts(
    candidates: Mapping[str, Identity], published: Mapping[str, Identity]
) -> dict[str, list[str]]:
    """Each conflicted path with the other paths claiming its identity.

    A path's claim is its new version's identity if it is a candidate, else what it published.
    """
    claims = {**published, **candidates}
    documents = {path: (year, department_key(department), kind) for path, (year, department, kind) in claims.items()}
    # Counted first: grouping every path only to find the few shared documents cost a third more.
    shared = {document for document, count in Counter(documents.values()).items() if count > 1}
    by_document: dict[tuple[int, str, str], list[str]] = defaultdict(list)
    for path, document in documents.items():
        if document in shared:
            by_document[document].append(path)
    return {path: sorted(other for other in paths if other != path) for paths in by_document.values() for path in paths}
