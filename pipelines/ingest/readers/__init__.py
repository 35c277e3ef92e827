"""Any published form of a 项目支出绩效目标表 as a list of SourceRow.

Text, CSV and workbooks all come out as SourceRow, so the table parser never sees
formats or encodings. Every failure to turn bytes into rows is a TableError UNREADABLE
naming the file.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.ingest.decoding import decode_text
from pipelines.ingest.errors import IssueCategory, TableError
from pipelines.ingest.readers.delimited import looks_like_csv, read_delimited
from pipelines.ingest.readers.excel import read_workbook
from pipelines.ingest.readers.html import looks_like_html, read_html_table
from pipelines.ingest.readers.text import read_tab_separated
from pipelines.ingest.rows import SourceRow

__all__ = ["SUPPORTED_SUFFIXES", "read_source_rows", "read_source_rows_from_bytes"]

_TAB_SEPARATED = frozenset({".txt", ".tsv"})
_WORKBOOKS = frozenset({".xlsx", ".xls"})
_WEB_PAGES = frozenset({".htm", ".html"})
SUPPORTED_SUFFIXES: frozenset[str] = _TAB_SEPARATED | _WORKBOOKS | _WEB_PAGES | {".csv"}


def read_source_rows(path: Path) -> list[SourceRow]:
    """The rows of a file, in the format its suffix (any case) names."""
    name = str(path)
    _check_suffix(path.suffix, name)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TableError(
            IssueCategory.UNREADABLE,
            f"cannot read file: {exc.strerror or exc}",
            path=name,
        ) from exc
    return read_source_rows_from_bytes(data, suffix=path.suffix, name=name)


def read_source_rows_from_bytes(
    data: bytes, *, suffix: str, name: str = "<input>"
) -> list[SourceRow]:
    """The rows of file content in memory; suffix ".csv" or "csv" picks the format."""
    normalised = _check_suffix(suffix, name)
    try:
        rows = _read(data, normalised)
        if all(row.is_blank for row in rows):
            raise TableError(IssueCategory.UNREADABLE, "file has only blank lines")
    except TableError as exc:
        raise exc.at(name) from exc.__cause__
    return rows


def _check_suffix(suffix: str, name: str) -> str:
    normalised = "." + suffix.lower().lstrip(".")
    if normalised not in SUPPORTED_SUFFIXES:
        raise TableError(
            IssueCategory.UNREADABLE,
            f"unsupported file type {suffix or '(no suffix)'!r}; "
            f"expected one of {', '.join(sorted(SUPPORTED_SUFFIXES))}",
            path=name,
        )
    return normalised


def _read(data: bytes, suffix: str) -> list[SourceRow]:
    if not data:
        raise TableError(IssueCategory.UNREADABLE, "file is empty")
    if suffix in _WEB_PAGES or (suffix in _WORKBOOKS and looks_like_html(data)):
        return read_html_table(data)  # web systems' "Excel" exports are HTML pages
    if suffix in _WORKBOOKS:
        return read_workbook(data)
    text, _encoding = decode_text(data)
    if suffix == ".csv" or looks_like_csv(text):
        return read_delimited(text)
    return read_tab_separated(text)
