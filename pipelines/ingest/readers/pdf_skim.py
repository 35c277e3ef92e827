"""Which pages of a PDF can hold a 绩效 table, found from their text alone, before any table finding.

A whole budget document runs to 30–60 pages, and its 绩效 tables sit on two or three of them.
pdfplumber's table finder lays every page out character by character (about 0.04 s a page);
PDFium, already installed as pdfplumber's renderer, gives a page's text in C in about a
millisecond. So each page's text is scanned first, and only the pages that can hold a 绩效 table
go through the table finder.

A page is kept when its text mentions 绩效 or 指标 (every row of every target form holds an
indicator), when it has no text (a scan: the reader reports it), or when it follows a kept page
and starts no other table (no title line without 绩效): a table that runs over several pages
keeps every page. Anything PDFium cannot read means every page is read, as before.
"""

from __future__ import annotations

import re

from pipelines.ingest.readers.cjk import fold_cjk

_MARKERS = ("绩效", "指标")
_TITLE = re.compile(r"^.{0,40}表(?:[（(][^（）()]{0,30}[）)])?$")
_SPACES = re.compile(r"\s+")


def pages_to_read(data: bytes, page_count: int) -> list[int] | None:
    """1-based numbers of the pages worth a table finder, or None: read them all (also when
    PDFium counts other pages than pdfplumber)."""
    texts = _page_texts(data)
    if texts is None or len(texts) != page_count:
        return None
    kept: list[int] = []
    in_target = False
    for number, text in enumerate(texts, 1):
        lines = [_SPACES.sub("", fold_cjk(line)) for line in text.splitlines()]
        compact = "".join(lines)
        other_title = any(_TITLE.match(line) and "绩效" not in line for line in lines if line)
        if not compact or any(marker in compact for marker in _MARKERS):
            kept.append(number)
            in_target = bool(compact)
        elif in_target and not other_title:
            kept.append(number)
        else:
            in_target = False
    return kept if kept else None


def _page_texts(data: bytes) -> list[str] | None:
    try:
        import pypdfium2 as pdfium

        document = pdfium.PdfDocument(data)
        try:
            texts = []
            for index in range(len(document)):
                page = document[index]
                textpage = page.get_textpage()
                texts.append(textpage.get_text_range())
                textpage.close()
                page.close()
            return texts
        finally:
            document.close()
    except Exception:  # noqa: BLE001 - PDFium's verdict only narrows the work; pdfplumber gives the error
        return None
