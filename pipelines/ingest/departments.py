"""A department's stable identity across spellings, （本级） and renames.

Tables print the same department as 某局（本级）, 某局(本级) or 某局, in full- or half-width, and
机构改革 renames departments. The identity is the name width folded (NFKC), spaces and invisible format
characters (Unicode category Cf: zero-width spaces and joiners, bidi marks, soft hyphens) removed,
（本级） taken off (kept as `is_own_level`), then followed through the renames listed in the dbt
seed dbt_project/seeds/department_aliases.csv (old_name, new_name, from_year); each
old name's row names the newest name, so one look-up suffices. The marts compute
the same with the dbt macro `department_key` (dbt_project/macros/departments.sql).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import cache
from pathlib import Path

ALIASES_PATH = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "department_aliases.csv"
_OWN_LEVEL = re.compile(r"\(本级\)$")
_SPACES = re.compile(r"\s+")


def split_own_level(name: str) -> tuple[str, bool]:
    """('某局', True) for 某局（本级）: the name folded and whether it says 本级."""
    folded = _SPACES.sub("", _without_format_characters(unicodedata.normalize("NFKC", name)))
    base = _OWN_LEVEL.sub("", folded)
    return base, base != folded


def _without_format_characters(text: str) -> str:
    """A zero-width space prints as nothing: two names that print alike are one department."""
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def department_key(name: str) -> str:
    """The current name of the department, folded: what two spellings of one department share."""
    key, _ = split_own_level(name)
    # One rename, as the SQL macro follows it: a seed row names the newest name for each old one.
    return _aliases().get(key, key)


@cache
def _aliases() -> dict[str, str]:
    if not ALIASES_PATH.exists():
        return {}
    with ALIASES_PATH.open(encoding="utf-8", newline="") as handle:
        return {
            split_own_level(row["old_name"])[0]: split_own_level(row["new_name"])[0]
            for row in csv.DictReader(handle)
            if row.get("old_name") and row.get("new_name")
        }
