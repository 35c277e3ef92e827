"""Entries a shared drop folder may hold, built for real under raw/ (tests of issue 17).

Each kind is what a user or a misbehaving tool leaves: good tables, links that loop, dangle or
leave raw/, FIFOs, empty and huge files, zip bombs, locked files and folders, temporary files.
`expected_category` says what the load must report for each kind (None: it loads; IGNORED: a
documented ignore by name, with no load_issues row).
"""

from __future__ import annotations

import dataclasses
import functools
import io
import os
import zipfile
from pathlib import Path

from pipelines.ingest import limits
from tests.support.tables import render, seed_spec, write_text

IGNORED = "ignored"
PROJECTS_PER_GOOD_FILE = len(seed_spec().units[0].projects)  # 10, as the seed


def department(number: int) -> str:
    return f"广州市越秀区测试{number}局"


def write_good(path: Path, number: int) -> Path:
    """A valid table of the seed's ten projects, for its own department."""
    return write_text(path, render(dataclasses.replace(seed_spec(), department=department(number))))


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="绩效" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)


def workbook_bytes(sheet_data: str | bytes, *, repeat: int = 1) -> bytes:
    """A minimal .xlsx whose one sheet holds `sheet_data` (repeated) as its <sheetData>."""
    if isinstance(sheet_data, str):
        sheet_data = sheet_data.encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            batch = 4096
            for _ in range(repeat // batch):
                sheet.write(sheet_data * batch)
            sheet.write(sheet_data * (repeat % batch))
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


@functools.cache
def zip_bomb(unpacked_mib: int = 310) -> bytes:
    """About 1 MB of .xlsx whose sheet XML unpacks to `unpacked_mib` MiB (issue 17's example)."""
    row = '<row><c t="inlineStr"><is><t>' + "绩" * 100 + "</t></is></c></row>"
    return workbook_bytes(row, repeat=unpacked_mib * limits.MiB // len(row.encode("utf-8")) + 1)


def far_cell_workbook() -> bytes:
    """1.5 KB: cells at A1 and XFD1048576, a 17-billion-cell rectangle for calamine."""
    return workbook_bytes(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>绩效</t></is></c></row>'
        '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    )


def huge_text_file(path: Path) -> Path:
    """A text file one byte over the text limit, sparse on disk (no 32 MB written)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.truncate(limits.MAX_TEXT_BYTES + 1)
    return path


def lock(path: Path) -> Path:
    """Mode 000: unreadable for anyone without root's overrides (tests/support/permissions.py)."""
    os.chmod(path, 0)
    return path


def unlock_tree(root: Path) -> None:
    """Give back permissions so that tmp_path can be removed."""
    for folder, names, files in os.walk(root):
        for name in [*names, *files]:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                try:
                    os.chmod(path, 0o755)
                except OSError:
                    pass
