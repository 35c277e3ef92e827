"""Finding labelled cells (项目名称：…, 主管部门 | …) by their text, whatever their position.

The per-project forms (目标表 and 自评表) are head blocks of label/value pairs over a grid of
indicators. Regions lay them out differently (the value right of the label, after a colon in
the same cell, or under a column label), so labels are found by text with their variants,
width folded (NFKC) and spaces removed, never by position.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipelines.ingest.rows import SourceRow

_SPACES = re.compile(r"\s+")
# Decorations around a label: 其中：财政拨款, 项目资金（万元）, 主管部门：, *项目名称.
_PREFIX = re.compile(r"^(?:[*★]|其中[:,]?)+")
_ORIGINAL_PREFIX = re.compile(r"^(?:[*★]|其中\s*[：:，,]?\s*)+")
_NOTE = re.compile(r"\([^()]*\)$")
_SUFFIX = re.compile(r"(?:\((?:万元|元|万)\))+$")


def fold(text: str) -> str:
    """Width folded, spaces removed: '主管部门 ：' and '主管部门:' compare equal."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


def label_of(cell: str) -> tuple[str, str]:
    """(label, inline value) of a cell: '项目名称：某项目' -> ('项目名称', '某项目')."""
    folded = _PREFIX.sub("", fold(cell))
    head, colon, _ = folded.partition(":")
    label = _SUFFIX.sub("", head)
    if colon:
        # The inline value keeps its published spelling (only the label was folded).
        original = _ORIGINAL_PREFIX.sub("", cell.strip())
        return label, re.split(r"[：:]", original, maxsplit=1)[1].strip()
    return label, ""


def is_label(cell: str, variants: Iterable[str]) -> bool:
    label, _ = label_of(cell)
    return bool(label) and label in set(variants)


@dataclass(frozen=True, slots=True)
class Found:
    row: SourceRow
    column: int
    value: str


def find_label(
    rows: Sequence[SourceRow], variants: Sequence[str], *, known: Iterable[str] = ()
) -> Found | None:
    """The first cell labelled by one of `variants` (earlier variants first), with its value.

    The value is the text after a colon in the same cell, else the next non-empty cell to the
    right that is not itself a label (`known`), else the cell below in the same column.
    """
    labels = set(known) | set(variants)
    for variant in variants:
        for index, row in enumerate(rows):
            for column, cell in enumerate(row.cells):
                label, inline = label_of(cell)
                if label != variant:
                    continue
                if inline:
                    return Found(row, column, inline)
                right = next((c for c in row.cells[column + 1 :] if c.strip()), "")
                if right and label_of(right)[0] not in labels:
                    return Found(row, column, right.strip())
                # A row of column labels (实施期目标 | 年度目标) with the values on the row below.
                if index + 1 < len(rows):
                    below = rows[index + 1].cell(column).strip()
                    if below and label_of(below)[0] not in labels:
                        return Found(rows[index + 1], column, below)
                return Found(row, column, "")
    return None


def column_of(row: SourceRow, variants: Sequence[str]) -> int | None:
    """The column of a header row whose label is one of `variants` (earlier variants first).

    A parenthetical after the label is a note, not another column: 年度指标值（目标值）, 分值（分）.
    """
    labels = [label_of(cell)[0] for cell in row.cells]
    for names in (labels, [_NOTE.sub("", label) for label in labels]):
        for variant in variants:
            if variant in names:
                return names.index(variant)
    return None


def row_with_columns(rows: Sequence[SourceRow], *required: Sequence[str]) -> int | None:
    """Index of the first row holding a column for each group of variants."""
    for index, row in enumerate(rows):
        if all(column_of(row, variants) is not None for variants in required):
            return index
    return None


VOCABULARY_PATH = Path(__file__).with_name("vocabulary.toml")


@cache
def vocabulary() -> dict[str, dict[str, tuple[str, ...]]]:
    """Every label family of vocabulary.toml, its spellings folded as cells are."""
    with VOCABULARY_PATH.open("rb") as handle:
        data = tomllib.load(handle)
    return {
        section: {family: tuple(dict.fromkeys(fold(s) for s in words)) for family, words in families.items()}
        for section, families in data.items()
    }


def spellings(section: str, family: str) -> tuple[str, ...]:
    """The spellings of one family, earlier first: spellings("grid", "level3")."""
    return vocabulary()[section][family]


def known_labels() -> frozenset[str]:
    """Every spelling of every family: what a user's table is measured against."""
    return frozenset(s for families in vocabulary().values() for group in families.values() for s in group)
