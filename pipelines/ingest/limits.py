"""Bounded work per file: limits a reader checks before it spends memory on a file's content.

raw/ is a shared drop folder, so a file may be hostile or broken in ways that cost memory rather
than fail: a 1 MB .xlsx whose sheet XML unpacks to 300 MB (a zip bomb), a sheet whose cells sit
at A1 and XFD1048576 (calamine allocates the whole rectangle, 17 billion cells, and the process
aborts), a 2 GB text file. A file over a limit is quarantined as `too_large` with its measured
size; every other file still loads.

Each limit is far above any real table. The largest published 项目支出绩效目标表 we know of holds
some 2,000 projects: under 10,000 rows of 10-20 columns, a few MB of sheet XML or text.

How readers use it (a new reader calls the check for its kind of input before parsing):
- any zip-based format (.xlsx, .docx, …): `check_archive(data)` before the parsing library sees it;
- text and CSV: `check_text(data)` before decoding; HTML `check_text(data, limit=MAX_HTML_BYTES)`;
- a grid of rows and columns, once its extent is known: `check_grid(rows, columns)`;
- paged formats (PDF): `check_pages(count)` before extracting each page.
`read_grids` checks `check_file_size` before reading any file.
"""

from __future__ import annotations

import io
import re
import zipfile

from pipelines.ingest.errors import IssueCategory, TableError

MiB = 1024 * 1024

# Any table file, before its bytes are read at all (the largest real workbook we know is ~5 MB).
MAX_FILE_BYTES = 256 * MiB
# A text, CSV or HTML table: its bytes (a 2,000-project table is about 1 MB of text).
MAX_TEXT_BYTES = 32 * MiB
# An HTML page: lxml's tree costs some 25x the page (measured: 31 MiB of table, 890 MB peak).
MAX_HTML_BYTES = 12 * MiB
# One part of a zip-based file once decompressed (a sheet's XML, a .docx's document.xml), and all
# parts together. Measured: calamine needs about 3x a sheet's XML in memory.
MAX_ARCHIVE_PART_BYTES = 64 * MiB
MAX_ARCHIVE_TOTAL_BYTES = 160 * MiB
# Parts in one archive (a workbook has a few dozen).
MAX_ARCHIVE_PARTS = 10_000
# Rows of one grid, and cells (rows × columns of its rectangle, as readers allocate it).
MAX_ROWS = 200_000
MAX_CELLS = 4_000_000
# Pages of a paged document (PDF).
MAX_PAGES = 2_000

_CHUNK = 1 * MiB
# A cell or row reference in sheet XML: <c r="XFD1048576"…>, <row r="1048576"…>.
_CELL_REFERENCE = re.compile(rb'\sr="([A-Z]{0,3})([0-9]{1,7})"')
_WORKSHEET = re.compile(r"^xl/(?:worksheets|chartsheets|dialogsheets|macrosheets)/[^/]+\.xml$", re.IGNORECASE)


def too_large(what: str, measured: str, limit: str) -> TableError:
    return TableError(
        IssueCategory.TOO_LARGE,
        f"{what} is {measured}, over the limit of {limit} (pipelines/ingest/limits.py): "
        "not loaded; a real table is far smaller, so check that this is the table file",
    )


def check_file_size(size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise too_large("file", _size(size), _size(MAX_FILE_BYTES))


def check_text(data: bytes, *, limit: int = MAX_TEXT_BYTES) -> None:
    """Text formats; markup passes its own (smaller) limit, e.g. MAX_HTML_BYTES."""
    if len(data) > limit:
        raise too_large("text file", _size(len(data)), _size(limit))


def check_rows(rows: int) -> None:
    if rows > MAX_ROWS:
        raise too_large("table", f"{rows:,} rows", f"{MAX_ROWS:,} rows")


def check_grid(rows: int, columns: int) -> None:
    check_rows(rows)
    if rows * columns > MAX_CELLS:
        raise too_large("table", f"{rows:,} rows × {columns:,} columns", f"{MAX_CELLS:,} cells")


def check_text_grid(text: str, separator: str) -> None:
    """Rows and cells of delimited text, counted before it is split (a file of 30 million tabs
    would otherwise become 30 million cell strings)."""
    rows = max(text.count("\n"), text.count("\r")) + 1
    check_rows(rows)
    cells = rows + text.count(separator)
    if cells > MAX_CELLS:
        raise too_large("table", f"{cells:,} cells", f"{MAX_CELLS:,} cells")


def check_pages(pages: int) -> None:
    if pages > MAX_PAGES:
        raise too_large("document", f"{pages:,} pages", f"{MAX_PAGES:,} pages")


def check_archive(data: bytes) -> None:
    """Raise TableError `too_large` if a zip's parts unpack to more than the limits allow.

    Sizes are measured by decompressing (in 1 MB chunks, never whole), not taken from the zip's
    directory, which a crafted file can fill with any number. Worksheet XML is also scanned for its
    farthest cell, since one cell at XFD1048576 makes a tiny file a 17-billion-cell sheet.
    Data that is not a zip is left to the reader (a legacy .xls is not one); a damaged zip is
    `unreadable`.
    """
    if not zipfile.is_zipfile(io.BytesIO(data)):
        return
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_ARCHIVE_PARTS:
                raise too_large("archive", f"{len(members):,} parts", f"{MAX_ARCHIVE_PARTS:,} parts")
            declared = sum(member.file_size for member in members)
            if declared > MAX_ARCHIVE_TOTAL_BYTES:
                raise too_large("content unpacked", _size(declared), _size(MAX_ARCHIVE_TOTAL_BYTES))
            total = 0
            for member in members:
                if member.is_dir():
                    continue
                if member.file_size > MAX_ARCHIVE_PART_BYTES:
                    raise too_large(f"part {member.filename} unpacked", _size(member.file_size), _size(MAX_ARCHIVE_PART_BYTES))
                total += _measure_part(archive, member, total)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, ValueError) as exc:
        raise TableError(IssueCategory.UNREADABLE, f"damaged archive: {exc}") from exc
    except RuntimeError as exc:  # an encrypted part
        raise TableError(IssueCategory.UNREADABLE, f"cannot read archive: {exc}") from exc


def _measure_part(archive: zipfile.ZipFile, member: zipfile.ZipInfo, total_before: int) -> int:
    """Bytes the part really unpacks to, stopping as soon as a limit is passed."""
    scan = _WORKSHEET.match(member.filename) is not None
    rows = columns = 0
    size = 0
    tail = b""
    with archive.open(member) as part:
        while chunk := part.read(_CHUNK):
            size += len(chunk)
            if size > MAX_ARCHIVE_PART_BYTES:
                raise too_large(f"part {member.filename} unpacked", f"more than {_size(MAX_ARCHIVE_PART_BYTES)}", _size(MAX_ARCHIVE_PART_BYTES))
            if total_before + size > MAX_ARCHIVE_TOTAL_BYTES:
                raise too_large("content unpacked", f"more than {_size(MAX_ARCHIVE_TOTAL_BYTES)}", _size(MAX_ARCHIVE_TOTAL_BYTES))
            if scan:
                window = tail + chunk
                for letters, digits in _CELL_REFERENCE.findall(window):
                    rows = max(rows, int(digits))
                    if letters:
                        columns = max(columns, _column_number(letters))
                tail = window[-32:]
    if scan and (rows > MAX_ROWS or rows * columns > MAX_CELLS):
        raise too_large(
            f"sheet {member.filename}", f"{rows:,} rows × {columns:,} columns", f"{MAX_ROWS:,} rows and {MAX_CELLS:,} cells"
        )
    return size


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + (letter - 64)
    return number


def _size(size: int) -> str:
    """32 MiB for a limit; 32.0 MiB (33,554,433 bytes) for a measured size just over it."""
    if size >= MiB and size % MiB == 0:
        return f"{size // MiB:,} MiB"
    if size >= MiB:
        return f"{size / MiB:,.1f} MiB ({size:,} bytes)"
    return f"{size:,} bytes"
