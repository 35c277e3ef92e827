"""Comma-separated exports (.csv, and text files that are CSV under another name).

The csv module does the quoting: amounts such as "2,177.86" and indicator cells with
line breaks arrive quoted. A record spanning several physical lines is numbered by its
first one, which is where a person finds it in an editor.
"""

from __future__ import annotations

import csv
import io
from collections import Counter

from pipelines.ingest.decoding import LINE_BREAK
from pipelines.ingest.errors import IssueCategory, TableError
from pipelines.ingest.readers.text import to_cells
from pipelines.ingest.rows import SourceRow

# In order of preference on ties: comma is the standard, the others localised exports.
_DELIMITERS = (",", "\t", ";")
_SAMPLE_CHARS = 64 * 1024
_COMMA_IS_ENOUGH = 0.5


def looks_like_csv(text: str) -> bool:
    """Tab-less text whose non-blank lines mostly hold commas: a CSV named .txt."""
    if "\t" in text:
        return False
    lines = [line for line in LINE_BREAK.split(text) if line.strip()]
    return bool(lines) and sum("," in line for line in lines) * 2 > len(lines)


def read_delimited(text: str) -> list[SourceRow]:
    """One row per record, numbered by the line it starts on; blank lines kept."""
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=_delimiter(text),
        skipinitialspace=True,
    )
    rows: list[SourceRow] = []
    start = 1
    try:
        for record in reader:
            rows.append(SourceRow(start, to_cells(record)))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise TableError(
            IssueCategory.UNREADABLE, f"malformed CSV record: {exc}", line=start
        ) from exc
    return rows


def _delimiter(text: str) -> str:
    """Comma, unless tab or semicolon splits a sample into consistent records better.

    Sniffing by parsing with the csv module itself respects quoting, so cells full of
    commas or semicolons do not mislead it as csv.Sniffer's character counts can. Comma
    wins once it explains half the records: a comma file whose cells hold tabs and line
    breaks may split into more, meaningless, records under tab.
    """
    sample = text[:_SAMPLE_CHARS]
    scores = {delimiter: _consistency(sample, delimiter) for delimiter in _DELIMITERS}
    if scores[","] >= _COMMA_IS_ENOUGH:
        return ","
    return max(_DELIMITERS, key=scores.__getitem__)


def _consistency(sample: str, delimiter: str) -> float:
    """Share of non-empty records having the commonest width of two or more cells."""
    widths: Counter[int] = Counter()
    try:
        for record in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter):
            if record:
                widths[len(record)] += 1
    except csv.Error:
        pass  # the sample may end inside a quoted cell; what was read still counts
    records = widths.total()
    widths.pop(1, None)
    return max(widths.values(), default=0) / records if records else 0.0
