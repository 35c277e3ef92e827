"""PDF and Word budget documents, made by real producers (LibreOffice, Chromium, python-docx), read
back to the seed's exact content; and one real load of them next to the seed's .txt.

The documents are made once per session (tests/support/documents.py, ~25 s).
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from decimal import Decimal
from pathlib import Path, PurePosixPath

import pdfplumber
import pytest

from pipelines.ingest.errors import IssueCategory, TableError
from pipelines.ingest.layouts import parse_grids
from pipelines.ingest.model import DepartmentTable
from pipelines.ingest.readers import read_grids
from pipelines.ingest.readers.cjk import drop_spaces_beside_cjk, fold_cjk
from pipelines.ingest.readers.pdf import _page_items
from tests.support.documents import TRUNCATED_PROJECT, make_documents, write_docx
from tests.support.loads import LoadedWarehouse, run_load_job
from tests.support.paths import SEED_PATH
from tests.support.seed_expectations import SEED_DEPARTMENT, SEED_TITLE

SEED_FORMS = ["seed.pdf", "seed_flat_header.pdf", "seed_chromium.pdf", "seed_chromium_a5.pdf", "seed.docx", "seed_flat_header.docx"]


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> dict[str, Path]:
    return make_documents(tmp_path_factory.mktemp("documents"))


@pytest.fixture(scope="module")
def seed_table() -> DepartmentTable:
    return _parse(SEED_PATH)


def _parse(path: Path) -> DepartmentTable:
    return parse_grids(read_grids(path), relative_path=PurePosixPath("2024") / path.name)


def _content(table: DepartmentTable) -> DepartmentTable:
    """The table without where its rows are (lines and pages differ between forms)."""

    def bare(records):
        return tuple(dataclasses.replace(r, line=0, page=None) for r in records)

    return dataclasses.replace(
        table, grand_total_line=0, grand_total_page=None,
        units=bare(table.units), projects=bare(table.projects), indicators=bare(table.indicators),
    )


def _cells_on_page(pdf_path: Path, page: int) -> list[str]:
    """The ruled cells pdfplumber finds on a page, as raw as it reads them (lines joined)."""
    with pdfplumber.open(pdf_path) as pdf:
        tables = pdf.pages[page - 1].extract_tables()
    return [fold_cjk(cell or "").replace("\n", "") for table in tables for row in table for cell in row]


@pytest.mark.parametrize("form", SEED_FORMS)
def test_the_seed_printed_by_each_producer_reads_as_the_seed(form, documents, seed_table) -> None:
    table = _parse(documents[form])
    assert (len(table.projects), len(table.indicators)) == (10, 37)
    assert table.grand_total.total == Decimal("2177.86")
    assert (table.title, table.department_name) == (SEED_TITLE, SEED_DEPARTMENT)
    assert _content(table) == _content(seed_table)  # every name, amount and indicator text


def test_pdf_rows_carry_their_page_and_their_row_of_the_table(documents) -> None:
    table = _parse(documents["seed.pdf"])
    pages = {p.name: p.page for p in table.projects}
    assert min(pages.values()) == 1 and max(pages.values()) >= 3
    for project in table.projects:
        assert project.name in _cells_on_page(documents["seed.pdf"], project.page)
    lines = [p.line for p in table.projects]
    assert lines == sorted(lines) and len(set(lines)) == 10
    assert all(i.page == pages[i.project_name] for i in table.indicators)
    assert table.grand_total_page == 1
    assert all(p.page is None for p in _parse(documents["seed.docx"]).projects)


def test_the_documents_exercise_the_traps(documents) -> None:
    """The cases exist: 3+ pages, a repeated header, cells of 5+ lines, a row cut by a page."""
    def raw_pages(name):
        with pdfplumber.open(documents[name]) as pdf:
            return [[row for table in page.extract_tables() for row in table] for page in pdf.pages]

    libreoffice = raw_pages("seed.pdf")
    assert len(libreoffice) >= 3
    assert sum(1 for rows in libreoffice if any("绩效指标" in (c or "") for c in rows[0])) >= 3  # repeated
    flat = raw_pages("seed_flat_header.pdf")
    assert sum(1 for rows in flat for row in rows if "绩效指标" in (row[-1] or "")) == 1  # not repeated
    a5 = raw_pages("seed_chromium_a5.pdf")
    assert len(a5) >= 3
    assert max((c or "").count("\n") for rows in a5 for row in rows for c in row) >= 4  # 5+ lines
    # A row cut by a page break: on some page, the first row under the header has no 序号/name
    # or no amount (the rest of the row is at the foot of the page before).
    for name in ("seed.pdf", "seed_chromium_a5.pdf"):
        firsts = _first_rows_under_header(documents[name])
        assert any(not cells[0] or not any(_AMOUNT.match(c) for c in cells) for cells in firsts), name


_AMOUNT = re.compile(r"^[\d,]+\.\d\d$")


def _first_rows_under_header(pdf_path: Path) -> list[tuple[str, ...]]:
    """As the reader sees them (pdfplumber's plain finder drops a row cut at the page foot)."""
    firsts = []
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages[1:]:
            rows = [item.cells for item in _page_items(page) if item.in_table]
            body = [cells for cells in rows if not {"绩效指标", "财政拨款"} & set(cells)]
            if body:
                firsts.append(body[0])
    return firsts


def test_chromium_radicals_are_folded(documents) -> None:
    with pdfplumber.open(documents["seed_chromium.pdf"]) as pdf:
        raw = pdf.pages[0].extract_text()
    assert "⽬" in raw  # Chromium maps 目's glyph to the Kangxi radical U+2F6C
    table = _parse(documents["seed_chromium.pdf"])
    assert all("⽬" not in p.name for p in table.projects) and table.title == SEED_TITLE


def test_fold_maps_what_nfkc_misses() -> None:
    assert fold_cjk("⻔⺠⻛⼾〜⽬") == "门民风户～目"
    assert fold_cjk("：（）％～") == "：（）％～"  # published full-width punctuation is kept


def test_gaps_beside_chinese_are_not_spaces() -> None:
    assert drop_spaces_beside_cjk("2024 年 12 月31 日前；OA system") == "2024年12月31日前；OA system"


def test_whole_budget_reads_only_the_target_table(documents) -> None:
    for name in ("budget.pdf", "budget.docx"):
        grids = read_grids(documents[name])
        assert len(grids) == 1 and not grids[0].mentions("部门收支总表")
        table = _parse(documents[name])
        assert [u.name for u in table.units] == ["广州市越秀区政务服务数据管理局", "广州市越秀区政务服务中心"]
        assert (len(table.projects), len(table.indicators)) == (10, 37)
        assert table.grand_total.total == Decimal("2183.36")
    assert _parse(documents["budget.pdf"]).grand_total_page == 3  # after two one-page tables


ANY_PAGE = object()  # LibreOffice may start an HTML page with a blank page: the title's page, whichever


@pytest.mark.parametrize(
    ("name", "category", "page", "says"),
    [
        ("scanned.pdf", IssueCategory.NO_TEXT_LAYER, 1, "OCR"),
        ("truncated_seed.pdf", IssueCategory.UNREADABLE, None, "cannot read PDF"),
        ("truncated_seed.docx", IssueCategory.UNREADABLE, None, "cannot read Word"),
        ("encrypted.pdf", IssueCategory.UNREADABLE, None, "encrypted"),
        ("seed.doc", IssueCategory.UNREADABLE, None, "save it as .docx"),
        ("other_tables_only.pdf", IssueCategory.NOT_A_TARGET_TABLE, 1, "项目支出绩效目标表"),
        ("unruled.pdf", IssueCategory.NOT_A_TARGET_TABLE, ANY_PAGE, "no table with drawn cell borders"),
    ],
)
def test_bad_documents_say_what_is_wrong(documents, name, category, page, says) -> None:
    with pytest.raises(TableError) as caught:
        _parse(documents[name])
    assert caught.value.category == category
    assert caught.value.page is not None if page is ANY_PAGE else caught.value.page == page
    assert says in caught.value.message


# --- one real load: the seed as .txt and as documents, one fiscal year each ---------------------

LOADED = {
    2018: "seed.txt", 2019: "seed.pdf", 2020: "seed_chromium.pdf", 2021: "seed.docx", 2022: "budget.pdf",
}
BAD = ["scanned.pdf", "encrypted.pdf", "truncated_seed.pdf", "truncated_seed.docx", "seed.doc", "other_tables_only.pdf", "bad_indicator.pdf"]


@pytest.fixture(scope="module")
def documents_warehouse(documents, tmp_path_factory) -> LoadedWarehouse:
    root = tmp_path_factory.mktemp("documents-load")
    raw = root / "raw"
    for year, name in LOADED.items():
        (raw / str(year)).mkdir(parents=True)
        source = SEED_PATH if name == "seed.txt" else documents[name]
        shutil.copyfile(source, raw / str(year) / name)
    (raw / "2023").mkdir()
    for name in BAD:
        shutil.copyfile(documents[name], raw / "2023" / name)
    database = root / "warehouse" / "budget.duckdb"
    result = run_load_job(raw, database, root / "dagster_home")
    assert result.success, "the load of the documents failed (the bad ones are quarantined, not a failure)"
    return LoadedWarehouse(raw_dir=raw, database=database, result=result)


def test_documents_load_to_the_same_mart_rows_as_the_seed_text(documents_warehouse) -> None:
    def rows(year):
        return documents_warehouse.query(
            "select unit_name, project_name, total_amount, fiscal_appropriation, special_account_appropriation,"
            " other_funds, indicator_count, performance_goal from marts.budget_by_project"
            " where fiscal_year = ? order by project_name", [year])

    def indicators(year):
        return documents_warehouse.query(
            "select * exclude (indicator_id, project_id, fiscal_year, source_path, source_line, source_page)"
            " from marts.indicator_targets where fiscal_year = ? order by all", [year])

    seed = rows(2018)
    assert len(seed) == 10 and sum(r[2] for r in seed) == Decimal("2177.86")
    assert len(indicators(2018)) == 37
    for year in (2019, 2020, 2021):
        assert rows(year) == seed, LOADED[year]
        assert indicators(year) == indicators(2018), LOADED[year]


def test_marts_carry_the_page_of_pdf_rows_only(documents_warehouse) -> None:
    pages = dict(documents_warehouse.query(
        "select fiscal_year, list(distinct source_page order by source_page) from marts.budget_by_project group by all"))
    assert pages[2018] == [None] and pages[2021] == [None]
    assert pages[2019][0] == 1 and pages[2019][-1] >= 3
    assert pages[2022][0] == 3  # the table after two other budget tables


def test_each_bad_document_lands_in_load_issues_with_category_and_page(documents, documents_warehouse) -> None:
    issues = {
        Path(path).name: (category, page, line, message)
        for path, category, page, line, message in documents_warehouse.query(
            "select source_path, category, source_page, source_line, message from marts.load_issues"
            " where severity = 'error'")
    }
    assert issues.keys() == set(BAD)
    assert issues["scanned.pdf"][:2] == ("no_text_layer", 1)
    assert issues["truncated_seed.pdf"][0] == issues["truncated_seed.docx"][0] == "unreadable"
    assert issues["encrypted.pdf"][0] == "unreadable" and "encrypted" in issues["encrypted.pdf"][3]
    assert issues["seed.doc"][0] == "unreadable" and ".docx" in issues["seed.doc"][3]
    assert issues["other_tables_only.pdf"][0] == "not_a_target_table"
    category, page, line, _ = issues["bad_indicator.pdf"]
    expected_page = next(page for page in range(1, 20) if TRUNCATED_PROJECT in _cells_on_page(documents["bad_indicator.pdf"], page))
    assert (category, page) == ("malformed_indicator", expected_page) and line > 1


def test_the_bench_pdfs_load_as_generated(tmp_path) -> None:
    """bench.documents' budget PDFs (LibreOffice), loaded, give the marts their .txt give."""
    from bench.documents import write_pdfs

    raw = write_pdfs(2, 7, tmp_path)
    texts = tmp_path / "text-2"
    assert sorted(p.stem for p in raw.rglob("*.pdf")) == sorted(p.stem for p in texts.rglob("*.txt"))
    marts = {}
    for name, folder in (("pdf", raw), ("txt", texts)):
        database = tmp_path / f"warehouse-{name}" / "budget.duckdb"
        loaded = run_load_job(folder, database, tmp_path / f"dagster-{name}")
        assert loaded.success, f"the load of the bench {name} files failed"
        marts[name] = LoadedWarehouse(folder, database, loaded)
    assert marts["pdf"].query("select count(*) from landing.raw_files where status = 'loaded'") == [(2,)]
    projects = ("select department_name, unit_name, project_name, total_amount, fiscal_appropriation, "
                "special_account_appropriation, other_funds, indicator_count, performance_goal "
                "from marts.budget_by_project order by all")
    indicators = ("select * exclude (indicator_id, project_id, source_path, source_line, source_page) "
                  "from marts.indicator_targets order by all")
    for sql in (projects, indicators):
        pdf_rows = marts["pdf"].query(sql)
        assert pdf_rows, "the PDFs loaded no row"
        assert pdf_rows == marts["txt"].query(sql)


def test_pdfminer_font_warnings_stay_out_of_the_logs(documents, caplog) -> None:
    """Chromium's PDFs make pdfminer warn "Could not get FontBBox…" hundreds of times."""
    import logging

    with caplog.at_level(logging.DEBUG):
        _parse(documents["seed_chromium.pdf"])
    assert [r.getMessage() for r in caplog.records if r.name.startswith("pdfminer") and r.levelno >= logging.WARNING] == []


def test_a_ruled_table_framed_in_another_table_reads_as_the_seed(seed_table, tmp_path) -> None:
    """Title and table inside the one cell of an outer table: read where they stand."""
    from tests.support.tables import seed_spec

    path = write_docx(tmp_path / "seed_framed.docx", seed_spec(), framed=True)
    table = _parse(path)
    assert (table.title, table.department_name) == (SEED_TITLE, SEED_DEPARTMENT)
    assert table.grand_total.total == Decimal("2177.86")
    assert _content(table) == _content(seed_table)


def test_word_merged_cells_read_like_a_workbook_merge(documents) -> None:
    """gridSpan and vMerge: the text in the top-left cell, the other cells of the merge empty."""
    (grid,) = read_grids(documents["seed.docx"])
    header = [row.cells for row in grid.rows if "资金来源" in row.cells]
    (top,) = header
    below = next(row.cells for row in grid.rows if "财政专户拨款" in row.cells)
    assert top == ("项目名称（资金使用单位）", "总计", "资金来源", "", "", "绩效目标", "绩效指标")
    assert below == ("", "", "财政拨款", "财政专户拨款", "其他资金")
    assert all(row.page is None for row in grid.rows)


@pytest.mark.parametrize(
    ("page_css", "name_width", "repeat_header", "other_tables"),
    [("A4 landscape", "3em", True, True), ("A5 landscape", "5em", False, False), ("A6", "2em", True, True),
     ("B5", "8em", False, False)],
)
def test_page_breaks_in_other_places_read_the_same(page_css, name_width, repeat_header, other_tables, seed_table, tmp_path) -> None:
    """Other paper sizes and column widths move every page break (Chromium's own choices)."""
    from tests.support.documents import chromium_print, write_html
    from tests.support.tables import seed_spec

    page = write_html(tmp_path / "t.html", seed_spec(), page_css=page_css, name_width=name_width,
                      repeat_header=repeat_header, other_tables=other_tables)
    table = _parse(chromium_print(page, tmp_path / "t.pdf"))
    assert _content(table) == _content(seed_table)
    assert max(p.page for p in table.projects) >= 3
