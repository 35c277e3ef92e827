"""Any published file of a department as grids of cells (pipelines/ingest/rows.py).

One reader per format, chosen by the file's suffix in READERS: a new format is one module and
one line here. Readers know bytes and cells, never 绩效: which grid is a target table, and in
which form, is for the layouts (pipelines/ingest/layouts/). Every failure to turn bytes into
cells is a TableError UNREADABLE naming the file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pipelines.ingest import limits
from pipelines.ingest.decoding import decode_text
from pipelines.ingest.errors import IssueCategory, TableError
from pipelines.ingest.readers.delimited import looks_like_csv, read_delimited
from pipelines.ingest.readers.docx import read_docx_grids, refuse_binary_word
from pipelines.ingest.readers.excel import read_workbook_grids
from pipelines.ingest.readers.html import looks_like_html, read_html_grids
from pipelines.ingest.readers.pdf import read_pdf_grids
from pipelines.ingest.readers.text import read_tab_separated
from pipelines.ingest.rows import Grid, SourceRow

__all__ = [
    "READERS",
    "SUPPORTED_SUFFIXES",
    "primary_grid",
    "read_grids",
    "read_grids_from_bytes",
    "read_source_rows",
    "read_source_rows_from_bytes",
]

Reader = Callable[[bytes], list[Grid]]
_MARKER = "绩效"  # in the title and header of every form of the target table


def _text_grids(data: bytes) -> list[Grid]:
    limits.check_text(data)
    text, _encoding = decode_text(data)
    as_csv = looks_like_csv(text)
    limits.check_text_grid(text, "," if as_csv else "\t")
    rows = read_delimited(text) if as_csv else read_tab_separated(text)
    return [Grid(tuple(rows))]


def _csv_grids(data: bytes) -> list[Grid]:
    limits.check_text(data)
    text, _encoding = decode_text(data)
    limits.check_text_grid(text, ",")
    return [Grid(tuple(read_delimited(text)))]


def _workbook_or_page_grids(data: bytes) -> list[Grid]:
    # Web systems' "Excel" exports are HTML pages under an .xls name.
    return read_html_grids(data) if looks_like_html(data) else read_workbook_grids(data)


READERS: dict[str, Reader] = {
    ".txt": _text_grids,
    ".tsv": _text_grids,
    ".csv": _csv_grids,
    ".xlsx": _workbook_or_page_grids,
    ".xls": _workbook_or_page_grids,
    ".htm": read_html_grids,
    ".html": read_html_grids,
    ".pdf": read_pdf_grids,
    ".docx": read_docx_grids,
    # Registered so that discovery finds them, and quarantines them with what to do instead.
    ".doc": refuse_binary_word,
    ".wps": refuse_binary_word,
}
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(READERS)


def read_grids(path: Path) -> list[Grid]:
    """The grids of a file, in the format its suffix (any case) names."""
    name = str(path)
    _check_suffix(path.suffix, name)
    try:
        limits.check_file_size(path.stat().st_size)  # before a byte of it is in memory
        data = path.read_bytes()
    except TableError as exc:
        raise exc.at(name) from None
    except OSError as exc:
        raise TableError(
            IssueCategory.UNREADABLE,
            f"cannot read file: {exc.strerror or exc}",
            path=name,
        ) from exc
    return read_grids_from_bytes(data, suffix=path.suffix, name=name)


def read_grids_from_bytes(data: bytes, *, suffix: str, name: str = "<input>") -> list[Grid]:
    """The grids of file content in memory; suffix ".csv" or "csv" picks the format."""
    normalised = _check_suffix(suffix, name)
    try:
        if not data:
            raise TableError(IssueCategory.UNREADABLE, "file is empty")
        grids = [grid for grid in READERS[normalised](data) if not grid.is_blank]
        if not grids:
            raise TableError(IssueCategory.UNREADABLE, "file has only blank lines")
    except TableError as exc:
        raise exc.at(name) from exc.__cause__
    return grids


def primary_grid(grids: list[Grid]) -> Grid:
    """The grid a person would open first: the first mentioning 绩效, else the first."""
    return next((grid for grid in grids if grid.mentions(_MARKER)), grids[0])


def read_source_rows(path: Path) -> list[SourceRow]:
    """The rows of a file's primary grid (one-table formats: the file's rows)."""
    return list(primary_grid(read_grids(path)).rows)


def read_source_rows_from_bytes(data: bytes, *, suffix: str, name: str = "<input>") -> list[SourceRow]:
    return list(primary_grid(read_grids_from_bytes(data, suffix=suffix, name=name)).rows)


def _check_suffix(suffix: str, name: str) -> str:
    normalised = "." + suffix.lower().lstrip(".")
    if normalised not in READERS:
        raise TableError(
            IssueCategory.UNREADABLE,
            f"unsupported file type {suffix or '(no suffix)'!r}; "
            f"expected one of {', '.join(sorted(READERS))}",
            path=name,
        )
    return normalised
