"""Money cells: 万元 with thousands separators, exact to the fen, never float."""

from __future__ import annotations

import re
from decimal import Decimal

from pipelines.ingest.errors import IssueCategory, TableError

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
# Thousands separators, where they belong: 1,234.56 and 12,345, never 12,34 or 1,2345.
_GROUPED = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
# Blanks that exports put inside numbers, and the Swiss apostrophe; the full-width comma is a comma.
_NOISE = str.maketrans({" ": None, "\u3000": None, "\u00a0": None, "'": None, "，": ","})
# 100 万亿 (10^14) yuan, above any budget a table can hold: far below DECIMAL(18,2)'s 10^16, so
# that the sums of even MAX_ROWS such cells (pipelines/ingest/limits.py) still fit the warehouse.
MAX_AMOUNT = Decimal("1e10")
# Cells that mean "nothing here" in published tables.
_EMPTY_MARKERS = frozenset({"", "-", "—", "－", "--", "——", "/"})
_CENT = Decimal("0.01")


def parse_amount(text: str, *, line: int, column: str) -> Decimal:
    """An empty cell is 0; anything else must be a number with at most two decimals."""
    cleaned = text.translate(_NOISE)
    if cleaned in _EMPTY_MARKERS:
        return Decimal("0.00")
    cleaned = cleaned.replace("．", ".").replace("－", "-")
    if "," in cleaned:
        if not _GROUPED.fullmatch(cleaned):
            raise TableError(
                IssueCategory.BAD_AMOUNT,
                f"{column} {_quote(text)} has its thousands separators in the wrong place "
                "(groups of three digits expected, as in 1,234.56)",
                line=line,
            )
        cleaned = cleaned.replace(",", "")
    if not _NUMBER.fullmatch(cleaned):
        raise TableError(IssueCategory.BAD_AMOUNT, f"{column} {_quote(text)} is not a number", line=line)
    value = Decimal(cleaned)
    # Before quantize: past 26 integer digits it exceeds the 28-digit context and raises
    # decimal.InvalidOperation instead of a TableError (found by tests/test_fuzz_parsers.py).
    if abs(value) >= MAX_AMOUNT:
        raise TableError(
            IssueCategory.BAD_AMOUNT,
            f"{column} {_quote(text)} is too large: 万元 below {MAX_AMOUNT:,.0f} expected",
            line=line,
        )
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


# A head block's funds cell as departments write it: '250万', '854万(高标准农田建设400万元,…)', or
# several lines whose first holds the total ('资金总额: 250' over '一、预算资金:250').
_LABEL_PREFIX = re.compile(r"^[^\d\-－]*?[:：]\s*")
_BREAKDOWN = re.compile(r"[（(].*$", re.DOTALL)
_AMOUNT_WORD = re.compile(r"(-?[\d,，.．\s]*\d)\s*(万元|万|元)?")
_WAN = ("万元", "万", None)


def parse_written_amount(text: str, *, line: int, column: str) -> Decimal:
    """The total of a funds cell in 万元, as printed in a head block.

    Its first line holds the total (a label before a colon is dropped); a breakdown in brackets
    after it, and the lines under it, are the parts, not the total. The same total printed twice
    ('854万854万') is one total; two different ones are a bad_amount, and so is a total in 元
    (the form's unit is 万元).
    """
    first = next((part.strip() for part in text.splitlines() if part.strip()), "")
    total = _BREAKDOWN.sub("", _LABEL_PREFIX.sub("", first)).strip()
    words = list(_AMOUNT_WORD.finditer(total))
    if not words or "".join(word.group(0) for word in words).replace(" ", "") != total.replace(" ", ""):
        return parse_amount(total, line=line, column=column)  # not only amounts: its own message
    if any(word.group(2) == "元" for word in words):
        raise TableError(
            IssueCategory.BAD_AMOUNT,
            f"{column} {_quote(text)} is in 元, in a form whose amounts are 万元: not loaded",
            line=line,
        )
    values = {parse_amount(word.group(1), line=line, column=column) for word in words}
    if len(values) > 1:
        raise TableError(
            IssueCategory.BAD_AMOUNT,
            f"{column} {_quote(text)} holds different totals ({', '.join(f'{v}' for v in sorted(values))})",
            line=line,
        )
    return values.pop()
