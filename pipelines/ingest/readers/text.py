"""Tab-separated text (.txt/.tsv), and the cell cleaning every reader shares.

Every physical line becomes a SourceRow, blank ones included, so that line numbers in
error messages are the ones a person sees when opening the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pipelines.ingest.decoding import LINE_BREAK
from pipelines.ingest.rows import SourceRow

# \s covers U+3000 (full-width space) and U+00A0 (no-break space) in str patterns; a
# zero-width space or stray BOM is invisible in every viewer, so it is padding too.
_PADDING = re.compile(r"^[\s\u200b\ufeff]+|[\s\u200b\ufeff]+$")


def clean_cell(raw: str) -> str:
    """A cell as a person reads it: no padding, line breaks inside it written as \\n."""
    if "\r" in raw:  # only \r\n and \r are rewritten
        raw = LINE_BREAK.sub("\n", raw)
    if "\u200b" in raw or "\ufeff" in raw:
        return _PADDING.sub("", raw)
    return raw.strip()  # \s is str.isspace(): the same padding, without a regex per cell


def to_cells(raw: Iterable[str]) -> tuple[str, ...]:
    """Cleaned cells minus trailing empty ones, so every format gives the same tuple."""
    cells = [clean_cell(cell) for cell in raw]
    while cells and not cells[-1]:
        cells.pop()
    return tuple(cells)


def read_tab_separated(text: str) -> list[SourceRow]:
    """One row per physical line (CRLF, CR or LF), cells split on tabs."""
    lines = LINE_BREAK.split(text)
    if lines and not lines[-1]:
        lines.pop()  # the break ending the last line does not start another one
    return [
        SourceRow(number, to_cells(line.split("\t")))
        for number, line in enumerate(lines, 1)
    ]
