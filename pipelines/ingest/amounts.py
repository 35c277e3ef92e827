"""Money cells: 万元 with thousands separators, exact to the fen, never float."""

from __future__ import annotations

import re
from decimal import Decimal

from pipelines.ingest.errors import IssueCategory, TableError

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
# Separators and blanks that exports put inside numbers: ASCII/full-width commas, spaces.
_NOISE = str.maketrans("", "", ",，  \u3000\u00a0'")
# Cells that mean "nothing here" in published tables.
_EMPTY_MARKERS = frozenset({"", "-", "—", "－", "--", "——", "/"})
_CENT = Decimal("0.01")


def parse_amount(text: str, *, line: int, column: str) -> Decimal:
    """An empty cell is 0; anything else must be a number with at most two decimals."""
    cleaned = text.translate(_NOISE)
    if cleaned in _EMPTY_MARKERS:
        return Decimal("0.00")
    cleaned = cleaned.replace("．", ".").replace("－", "-")
    if not _NUMBER.fullmatch(cleaned):
        raise TableError(IssueCategory.BAD_AMOUNT, f"{column} {_quote(text)} is not a number", line=line)
    value = Decimal(cleaned)
    # Before quantize: past 26 integer digits it exceeds the 28-digit context and raises
    # decimal.InvalidOperation instead of a TableError (found by tests/test_fuzz_parsers.py).
    if abs(value) >= Decimal("1e16"):
        raise TableError(IssueCategory.BAD_AMOUNT, f"{column} {_quote(text)} is too large", line=line)
    if value != value.quantize(_CENT):
        raise TableError(
            IssueCategory.BAD_AMOUNT,
            f"{column} {_quote(text)} has more than two decimal places (万元 to the fen expected)",
            line=line,
        )
    return value.quantize(_CENT)


def _quote(text: str, limit: int = 40) -> str:
    shown = text if len(text) <= limit else text[:limit] + "…"
    return repr(shown)
