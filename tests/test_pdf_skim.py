"""Whole budget documents are skimmed: only the pages that can hold a 绩效 table go through the
table finder (pipelines/ingest/readers/pdf_skim.py), and what is read is what a full read gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.ingest.readers import pdf as pdf_reader
from pipelines.ingest.readers.pdf_skim import pages_to_read
from tests.support.documents import libreoffice_convert, write_docx
from tests.support.tables import seed_spec, two_unit_spec


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    src = tmp_path_factory.mktemp("skim")
    # The seed's table runs over pages between other budget tables; the second has no 绩效 table.
    sources = [
        write_docx(src / "budget.docx", seed_spec(), other_tables=True),
        write_docx(src / "other_tables_only.docx", two_unit_spec(), other_tables=True, target_table=False),
    ]
    return {pdf.stem: pdf for pdf in libreoffice_convert(sources, src / "out")}


def _page_texts(path: Path) -> list[str]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def test_only_the_target_tables_pages_are_read_and_every_one_of_them(documents):
    texts = _page_texts(documents["budget"])
    first = next(n for n, text in enumerate(texts, 1) if "绩效目标表" in text)
    last = max(n for n, text in enumerate(texts, 1) if "绩效指标" in text or "指标值" in text)
    assert last > first  # the table runs over more than one page
    kept = pages_to_read(documents["budget"].read_bytes(), len(texts))
    assert kept == list(range(first, last + 1))
    assert len(kept) < len(texts)  # the other tables' pages are skipped


def test_a_skimmed_read_gives_what_reading_every_page_gives(documents, monkeypatch):
    data = documents["budget"].read_bytes()
    skimmed = pdf_reader.read_pdf_grids(data)
    monkeypatch.setattr(pdf_reader, "pages_to_read", lambda data, count: None)
    assert skimmed == pdf_reader.read_pdf_grids(data)
    assert any(grid.mentions("绩效指标") for grid in skimmed)


def test_a_document_without_a_target_table_is_read_whole_to_say_what_it_lacks(documents):
    data = documents["other_tables_only"].read_bytes()
    assert pages_to_read(data, len(_page_texts(documents["other_tables_only"]))) is None


def test_a_file_pdfium_cannot_read_is_read_whole():
    assert pages_to_read(b"%PDF-1.4 not really", 1) is None
