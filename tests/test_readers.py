"""Every published form of the seed table reads as the same rows and line numbers.

Fixtures are written here from the seed .txt in raw/2024 rather than checked in, so
each format's quirk (BOM, GBK, CRLF, quoting, merged cells, numeric amounts) is visible
in the test that needs it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from pipelines.ingest.decoding import decode_text
from pipelines.ingest.errors import IssueCategory, TableError
from pipelines.ingest.readers import (
    SUPPORTED_SUFFIXES,
    read_source_rows,
    read_source_rows_from_bytes,
)
from pipelines.ingest.readers.excel import cell_text
from pipelines.ingest.rows import SourceRow

SEED = (
    Path(__file__).resolve().parents[1]
    / "raw"
    / "2024"
    / "广州市越秀区政务服务数据管理局_2024_项目支出绩效目标表.txt"
)
SEED_TEXT = SEED.read_text(encoding="utf-8")
AMOUNT_COLUMNS = range(1, 5)  # 总计, 财政拨款, 财政专户拨款, 其他资金
_AMOUNT = re.compile(r"-?[\d,]+(?:\.\d+)?")

Grid = list[tuple[str, ...]]


def _oracle(text: str) -> list[tuple[int, tuple[str, ...]]]:
    """The seed read by hand: LF lines, tab cells, stripped, no trailing empty cells."""
    rows = []
    for number, line in enumerate(text.split("\n"), 1):
        cells = [cell.strip() for cell in line.split("\t")]
        while cells and not cells[-1]:
            cells.pop()
        rows.append((number, tuple(cells)))
    return rows


SEED_ROWS = _oracle(SEED_TEXT)
SEED_GRID: Grid = [cells for _, cells in SEED_ROWS if cells]
SEED_LINES = [line.split("\t") for line in SEED_TEXT.split("\n")]


def _table(rows: list[SourceRow]) -> Grid:
    return [row.cells for row in rows if not row.is_blank]


def _canonical(grid: Grid) -> Grid:
    """Amounts by value: a workbook's 2177.86 and 30 are the seed's 2,177.86, 30.00."""

    def amount(cell: str) -> str:
        if not _AMOUNT.fullmatch(cell):
            return cell
        return format(Decimal(cell.replace(",", "")).normalize(), "f")

    return [tuple(amount(cell) for cell in cells) for cells in grid]


# --- text fixtures -------------------------------------------------------------------


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _padded(text: str) -> str:
    """Blank lines inside and after the table; cells padded with ' ', U+3000, U+00A0."""
    lines = []
    for number, line in enumerate(text.split("\n"), 1):
        lines.append("\t".join(f" \u3000{cell}\xa0 " for cell in line.split("\t")))
        if number in (3, 10):
            lines.extend(["", " \u3000 "])
    return "\n".join(lines) + "\n\n \n"


def _csv_text(
    lines: list[list[str]], *, delimiter: str = ",", lineterminator: str = "\r\n"
) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=lineterminator)
    writer.writerows(lines)
    return buffer.getvalue()


TEXT_FIXTURES: dict[str, tuple[str, Callable[[], bytes]]] = {
    "utf8": ("table.txt", lambda: SEED_TEXT.encode("utf-8")),
    "utf8-tsv": ("table.tsv", lambda: SEED_TEXT.encode("utf-8")),
    "utf8-bom": ("table.txt", lambda: SEED_TEXT.encode("utf-8-sig")),
    "gb18030": ("table.txt", lambda: SEED_TEXT.encode("gb18030")),
    "gbk": ("table.txt", lambda: SEED_TEXT.encode("gbk")),
    "gb2312": ("table.txt", lambda: SEED_TEXT.encode("gb2312")),
    "utf16-le-bom": ("table.txt", lambda: SEED_TEXT.encode("utf-16")),
    "utf16-be-bom": ("table.txt", lambda: b"\xfe\xff" + SEED_TEXT.encode("utf-16-be")),
    "crlf": ("table.txt", lambda: SEED_TEXT.replace("\n", "\r\n").encode()),
    "cr": ("table.txt", lambda: SEED_TEXT.replace("\n", "\r").encode()),
    "uppercase-suffix": ("TABLE.TXT", lambda: SEED_TEXT.encode("gbk")),
    "padded": ("table.txt", lambda: _padded(SEED_TEXT).encode("gb18030")),
    "csv": ("table.csv", lambda: _csv_text(SEED_LINES).encode("utf-8-sig")),
    "csv-gbk-lf": (
        "table.csv",
        lambda: _csv_text(SEED_LINES, lineterminator="\n").encode("gbk"),
    ),
    "csv-cr": (
        "table.csv",
        lambda: _csv_text(SEED_LINES, lineterminator="\r").encode(),
    ),
    "csv-semicolon": (
        "table.csv",
        lambda: _csv_text(SEED_LINES, delimiter=";").encode(),
    ),
    "csv-tab": ("table.csv", lambda: _csv_text(SEED_LINES, delimiter="\t").encode()),
    "csv-misnamed-txt": ("table.txt", lambda: _csv_text(SEED_LINES).encode("gbk")),
}


@pytest.mark.parametrize("variant", TEXT_FIXTURES)
def test_every_text_form_yields_the_seed_cells(variant: str, tmp_path: Path) -> None:
    name, encode = TEXT_FIXTURES[variant]
    rows = read_source_rows(_write(tmp_path / name, encode()))
    assert _table(rows) == SEED_GRID


def test_seed_rows_and_line_numbers() -> None:
    rows = read_source_rows(SEED)
    assert [(row.line, row.cells) for row in rows] == SEED_ROWS
    by_first_cell = {row.cell(0): row.line for row in rows if not row.is_blank}
    assert by_first_cell["项目名称（资金使用单位）"] == 9
    assert by_first_cell["合计"] == 10
    assert rows[-1] == SourceRow(21, SEED_ROWS[-1][1])
    assert rows[-1].cell(0) == "2024年信息化新建项目"
    assert rows[0] == SourceRow(1, ())  # leading blank lines are kept


@pytest.mark.parametrize(
    "variant", ["crlf", "cr", "utf16-le-bom", "gbk", "csv", "csv-cr"]
)
def test_line_numbers_survive_encodings_and_line_endings(
    variant: str, tmp_path: Path
) -> None:
    name, encode = TEXT_FIXTURES[variant]
    rows = read_source_rows(_write(tmp_path / name, encode()))
    assert [(row.line, row.cells) for row in rows] == SEED_ROWS


def test_padded_text_counts_every_physical_line(tmp_path: Path) -> None:
    rows = read_source_rows(_write(tmp_path / "t.txt", _padded(SEED_TEXT).encode()))
    lines = {row.cell(0): row.line for row in rows if not row.is_blank}
    assert lines["项目名称（资金使用单位）"] == 9 + 2
    assert lines["合计"] == 10 + 2
    assert lines[SEED_ROWS[10][1][0]] == 11 + 4  # funding unit, after both insertions
    assert rows[-1] == SourceRow(21 + 4 + 2, ())


def test_csv_records_are_numbered_by_their_first_physical_line() -> None:
    data = b'a,b\r\n"x\r\ny",z\r\n\r\nq,"1,2"\r\n  "r" , s\r\n'
    rows = read_source_rows_from_bytes(data, suffix=".csv", name="small.csv")
    assert rows == [
        SourceRow(1, ("a", "b")),
        SourceRow(2, ("x\ny", "z")),
        SourceRow(4, ()),
        SourceRow(5, ("q", "1,2")),
        SourceRow(6, ("r", "s")),
    ]


def test_csv_with_multiline_indicator_cells(tmp_path: Path) -> None:
    """Indicators broken into one line per item, as exports of Alt+Enter cells are."""
    lines = [
        [cell.replace("。", "。\n").rstrip("\n") for cell in line]
        for line in SEED_LINES
    ]
    text = _csv_text(lines)
    assert '"2,177.86"' in text  # amounts with a thousands separator arrive quoted
    path = _write(tmp_path / "t.csv", text.encode())
    rows = read_source_rows(path)

    assert [tuple(c.replace("\n", "") for c in row.cells) for row in rows] == [
        cells for _, cells in SEED_ROWS
    ]
    expected_start, starts = 1, []
    for line in lines:  # a record starts one line after the previous record's last line
        starts.append(expected_start)
        expected_start += 1 + sum(cell.count("\n") for cell in line)
    assert [row.line for row in rows] == starts
    assert starts[9] == 10  # 合计 comes before any multi-line cell
    assert starts[-1] > 21
    assert rows[11].cells[1] == "108.38"
    assert "\n" in rows[11].cells[6]


# --- workbook fixtures ---------------------------------------------------------------


def _workbook_cells(line: list[str]) -> list[str | float | None]:
    """Amounts as numbers, as in real workbooks; empty cells left unwritten."""
    values: list[str | float | None] = []
    for column, cell in enumerate(line):
        if column in AMOUNT_COLUMNS and _AMOUNT.fullmatch(cell):
            values.append(float(cell.replace(",", "")))
        else:
            values.append(cell or None)
    return values


def _title_block(line: list[str]) -> bool:
    return len([cell for cell in line if cell]) == 1 and not line[0].startswith(
        "项目名称"
    )


def _layout(two_row_header: bool) -> list[tuple[int, list[str]]]:
    """Excel rows: title 1, empty 2, 部门名称 3, 单位 4, header from 5 (seed lines)."""
    table = [line for line in SEED_LINES if any(cell.strip() for cell in line)]
    rows, excel_row = [], 1
    for index, line in enumerate(table):
        rows.append((excel_row, line))
        excel_row += 2 if index == 0 else 1  # an empty row after the title
        if two_row_header and line[0].startswith("项目名称"):
            excel_row += 1
    return rows


def _xlsx(path: Path, *, two_row_header: bool = False) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "项目支出绩效目标表"
    for excel_row, line in _layout(two_row_header):
        if line[0].startswith("项目名称") and two_row_header:
            for column, value in enumerate(["项目名称（资金使用单位）", "总计"], 1):
                sheet.cell(excel_row, column, value)
                sheet.merge_cells(
                    start_row=excel_row,
                    end_row=excel_row + 1,
                    start_column=column,
                    end_column=column,
                )
            sheet.cell(excel_row, 3, "资金来源")
            sheet.merge_cells(
                start_row=excel_row, end_row=excel_row, start_column=3, end_column=5
            )
            for column, value in enumerate(line[2:5], 3):
                sheet.cell(excel_row + 1, column, value)
            for column, value in enumerate(line[5:7], 6):
                sheet.cell(excel_row, column, value)
                sheet.merge_cells(
                    start_row=excel_row,
                    end_row=excel_row + 1,
                    start_column=column,
                    end_column=column,
                )
            continue
        for column, number_or_text in enumerate(_workbook_cells(line), 1):
            if number_or_text is not None:
                sheet.cell(excel_row, column, number_or_text)
        if _title_block(line):
            sheet.merge_cells(
                start_row=excel_row, end_row=excel_row, start_column=1, end_column=7
            )
    sheet.cell(
        8, 1, "\u3000" + str(sheet.cell(8, 1).value) + " "
    )  # padding is stripped
    workbook.save(path)
    return path


def _xls(path: Path) -> Path:
    xlwt = pytest.importorskip("xlwt")
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("Sheet1")
    for excel_row, line in _layout(two_row_header=False):
        values = _workbook_cells(line)
        if _title_block(line):
            sheet.write_merge(excel_row - 1, excel_row - 1, 0, 6, values[0])
            continue
        for column, value in enumerate(values):
            if value is not None:
                sheet.write(excel_row - 1, column, value)
    workbook.save(str(path))
    return path


@pytest.mark.parametrize("name", ["table.xlsx", "TABLE.XLSX", "table.xls"])
def test_workbooks_yield_the_seed_cells(name: str, tmp_path: Path) -> None:
    path = _xls(tmp_path / name) if name.endswith("xls") else _xlsx(tmp_path / name)
    rows = read_source_rows(path)

    assert _canonical(_table(rows)) == _canonical(SEED_GRID)
    lines = {row.cell(0): row for row in rows if not row.is_blank}
    title = SEED_GRID[0][0]
    assert lines[title] == SourceRow(1, (title,))  # merged A1:G1, value in A1 only
    assert rows[1] == SourceRow(2, ())  # the empty row keeps Excel's numbering
    assert lines["项目名称（资金使用单位）"].line == 5
    assert lines["合计"] == SourceRow(6, ("合计", "2177.86", "2177.86"))
    assert lines["网格化经费"].cells[1:3] == ("30", "30")
    assert lines["2024年信息化运维项目"].cells[1] == "1359.11"
    assert rows[-1].line == 17
    assert rows[-1].cell(0) == "2024年信息化新建项目"


def test_xlsx_with_a_two_row_header(tmp_path: Path) -> None:
    rows = read_source_rows(_xlsx(tmp_path / "t.xlsx", two_row_header=True))
    by_line = {row.line: row.cells for row in rows}
    assert by_line[5] == (
        "项目名称（资金使用单位）",
        "总计",
        "资金来源",
        "",
        "",
        "绩效目标",
        "绩效指标",
    )
    assert by_line[6] == (
        "",
        "",
        "财政拨款",
        "财政专户拨款",
        "其他资金",
    )  # merged cells read empty
    assert by_line[7] == ("合计", "2177.86", "2177.86")
    body = [
        cells
        for cells in _table(rows)
        if cells[0] not in ("项目名称（资金使用单位）", "")
    ]
    expected = [cells for cells in SEED_GRID if not cells[0].startswith("项目名称")]
    assert _canonical(body) == _canonical(expected)
    assert rows[-1].line == 18


def test_first_visible_sheet_mentioning_targets_wins(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "空白"
    workbook.create_sheet("填表说明")["A1"] = "本表金额单位为万元"
    hidden = workbook.create_sheet("草稿")
    hidden["A1"] = "旧版 项目支出绩效目标表"
    hidden.sheet_state = "hidden"
    table = workbook.create_sheet("正式")
    table["B3"] = "项目支出绩效目标表"
    workbook.save(tmp_path / "t.xlsx")

    assert read_source_rows(tmp_path / "t.xlsx") == [
        SourceRow(1, ()),
        SourceRow(2, ()),
        SourceRow(3, ("", "项目支出绩效目标表")),
    ]


def test_lone_visible_sheet_with_data_is_read_even_without_marker(
    tmp_path: Path,
) -> None:
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "部门名称：某局"
    workbook.create_sheet("空")
    workbook.save(tmp_path / "t.xlsx")
    assert read_source_rows(tmp_path / "t.xlsx") == [SourceRow(1, ("部门名称：某局",))]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (2177.86, "2177.86"),
        (30.0, "30"),
        (1359.11, "1359.11"),
        (0.9, "0.9"),
        (0.1 + 0.2, "0.3"),  # a formula's float noise, shown as Excel shows it
        (1e-7, "0.0000001"),
        (1e20, "100000000000000000000"),
        (-5.5, "-5.5"),
        (12, "12"),
        (True, "True"),
        (None, ""),
        ("  kept ", "  kept "),
        (dt.date(2024, 1, 2), "2024-01-02"),
        (dt.datetime(2024, 1, 2, 3, 4), "2024-01-02T03:04:00"),
    ],
)
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False))
def test_amounts_read_back_exactly_without_exponent(amount: Decimal) -> None:
    text = cell_text(float(amount))
    assert "e" not in text.lower()
    assert Decimal(text) == amount


# --- decoding ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (SEED_TEXT.encode("utf-8"), "utf-8"),
        (SEED_TEXT.encode("utf-8-sig"), "utf-8-sig"),
        (SEED_TEXT.encode("gbk"), "gb18030"),
        (SEED_TEXT.encode("gb18030"), "gb18030"),
        (SEED_TEXT.encode("utf-16"), "utf-16"),
        (SEED_TEXT.encode("utf-32"), "utf-32"),
    ],
)
def test_decode_text_detects_the_encoding(data: bytes, encoding: str) -> None:
    assert decode_text(data) == (SEED_TEXT, encoding)


@pytest.mark.parametrize("text", ["合计", "项目名称", "单位：万元", "其他资金"])
def test_short_gbk_texts_are_not_misdetected(text: str) -> None:
    assert decode_text(text.encode("gbk")) == (text, "gb18030")


def test_other_legacy_encodings_fall_back_to_charset_normalizer() -> None:
    text = "Привет, мир! Это проверка кодировки для старых файлов.\nВторая строка.\n"
    assert decode_text(text.encode("cp1251")) == (text, "cp1251")


@given(
    st.text().filter(lambda text: "\x00" not in text and not text.startswith("\ufeff"))
)
def test_any_utf8_text_decodes_as_itself(text: str) -> None:
    assert decode_text(text.encode("utf-8")) == (text, "utf-8")


def test_damaged_utf8_names_offset_and_line() -> None:
    data = bytearray(SEED_TEXT.encode("utf-8"))
    offset = data.index("业务用房物业管理费".encode()) + 3  # lead byte of 务
    data[offset] = 0xFF
    with pytest.raises(TableError) as caught:
        decode_text(bytes(data))
    assert caught.value.category is IssueCategory.UNREADABLE
    assert caught.value.line == 12
    assert f"byte 0xff at offset {offset}" in caught.value.message


def test_truncated_utf16_is_unreadable() -> None:
    with pytest.raises(TableError) as caught:
        decode_text(SEED_TEXT.encode("utf-16")[:-1])
    assert caught.value.category is IssueCategory.UNREADABLE
    assert caught.value.line == 21


# --- text and CSV properties ---------------------------------------------------------

_cell = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cf", "Zl", "Zp"))
    | st.sampled_from(["\n", ",", ";", '"', " ", "\u3000", "\t"]),
    max_size=12,
).map(str.strip)
_grids = st.integers(2, 5).flatmap(
    lambda width: st.lists(
        st.lists(_cell, min_size=width, max_size=width), min_size=1, max_size=8
    )
)


def _trimmed(cells: list[str]) -> tuple[str, ...]:
    cells = list(cells)
    while cells and not cells[-1]:
        cells.pop()
    return tuple(cells)


@given(_grids, st.sampled_from(["\n", "\r\n", "\r"]))
def test_tab_separated_round_trip(grid: list[list[str]], newline: str) -> None:
    grid = [[re.sub(r"[\t\n]", " ", cell).strip() for cell in row] for row in grid]
    assume(any(map(any, grid)))
    data = newline.join("\t".join(row) for row in grid).encode("utf-8")
    rows = read_source_rows_from_bytes(data, suffix="tsv")
    assert rows == [SourceRow(n, _trimmed(row)) for n, row in enumerate(grid, 1)]


@given(_grids, st.sampled_from(["\n", "\r\n"]))
def test_csv_round_trip(grid: list[list[str]], newline: str) -> None:
    assume(any(map(any, grid)))
    text = _csv_text(grid, lineterminator=newline)
    rows = read_source_rows_from_bytes(text.encode("utf-8"), suffix=".csv")
    starts, line = [], 1
    for row in grid:
        starts.append(line)
        line += 1 + sum(cell.count("\n") for cell in row)
    assert rows == [
        SourceRow(n, _trimmed(row)) for n, row in zip(starts, grid, strict=True)
    ]


# --- errors --------------------------------------------------------------------------


def _unreadable(path: Path) -> TableError:
    with pytest.raises(TableError) as caught:
        read_source_rows(path)
    error = caught.value
    assert error.category is IssueCategory.UNREADABLE
    assert error.path == str(path)
    assert str(path) in str(error)
    return error


def test_supported_suffixes() -> None:
    assert {".txt", ".tsv", ".csv", ".xlsx", ".xls", ".htm", ".html", ".pdf", ".docx", ".doc", ".wps"} == SUPPORTED_SUFFIXES


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("page.xls", b"<html><body><p>\xe7\xbb\xa9\xe6\x95\x88</p></body></html>", "without a <table>"),
        ("page.html", b"<!DOCTYPE html><html><body></body></html>", "without a <table>"),
    ],
)
def test_html_without_a_table_is_unreadable(name: str, content: bytes, problem: str, tmp_path: Path) -> None:
    error = _unreadable(_write(tmp_path / name, content))
    assert problem in error.message and name in str(error)


def test_hostile_html_spans_are_cut_to_the_table() -> None:
    from pipelines.ingest.readers import read_source_rows_from_bytes

    page = b'<table><tr><td rowspan="99999999" colspan="99999999">x</td><td>y</td></tr><tr><td>z</td></tr></table>'
    rows = read_source_rows_from_bytes(page, suffix=".html")
    assert rows[0].cells[0] == "x" and rows[0].cells[-1] == "y" and len(rows[0].cells) == 101
    assert rows[1].cells[-1] == "z"


def test_html_spans_leave_the_covered_cells_empty() -> None:
    from pipelines.ingest.readers import read_source_rows_from_bytes

    page = (
        "<table><tr><td colspan=3>绩效目标表</td></tr>"
        "<tr><td rowspan=2>A</td><td>B</td><td>C</td></tr>"
        "<tr><td>D</td><td>E<br>F</td></tr></table>"
    ).encode("gb18030")
    rows = read_source_rows_from_bytes(page, suffix=".xls")
    assert [(r.line, r.cells) for r in rows] == [
        (1, ("绩效目标表",)),
        (2, ("A", "B", "C")),
        (3, ("", "D", "E\nF")),
    ]


@pytest.mark.parametrize("name", ["table.odt", "table.rtf", "README"])
def test_unknown_suffix(name: str, tmp_path: Path) -> None:
    error = _unreadable(_write(tmp_path / name, SEED_TEXT.encode()))
    assert "unsupported file type" in error.message


@pytest.mark.parametrize("name", ["garbage.xlsx", "garbage.xls"])
def test_random_bytes_as_workbook(name: str, tmp_path: Path) -> None:
    error = _unreadable(_write(tmp_path / name, random.Random(0).randbytes(4096)))
    assert "cannot read workbook" in error.message


def test_truncated_xlsx(tmp_path: Path) -> None:
    whole = _xlsx(tmp_path / "whole.xlsx").read_bytes()
    _unreadable(_write(tmp_path / "cut.xlsx", whole[: len(whole) // 2]))


def test_workbook_without_data(tmp_path: Path) -> None:
    openpyxl.Workbook().save(tmp_path / "empty.xlsx")
    assert "no visible sheet with data" in _unreadable(tmp_path / "empty.xlsx").message


@pytest.mark.parametrize("name", ["t.txt", "t.csv"])
def test_nul_laden_text(name: str, tmp_path: Path) -> None:
    data = SEED_TEXT.encode()
    offset = data.index("合计".encode())
    laden = data[:offset] + b"\x00\x00\x01\x02" * 64 + data[offset:]
    error = _unreadable(_write(tmp_path / name, laden))
    assert f"NUL byte at offset {offset}" in error.message
    assert error.line == 10


@pytest.mark.parametrize("suffix", sorted(SUPPORTED_SUFFIXES))
def test_empty_file(suffix: str, tmp_path: Path) -> None:
    assert "empty" in _unreadable(_write(tmp_path / f"empty{suffix}", b"")).message


def test_blank_lines_only(tmp_path: Path) -> None:
    blank = "\r\n \t \u3000\n\n".encode("gb18030")
    error = _unreadable(_write(tmp_path / "blank.txt", blank))
    assert "only blank lines" in error.message


def test_missing_file(tmp_path: Path) -> None:
    assert "cannot read file" in _unreadable(tmp_path / "missing.txt").message


def test_errors_from_bytes_name_the_input() -> None:
    with pytest.raises(TableError) as caught:
        read_source_rows_from_bytes(b"\x00" * 10, suffix="TXT", name="upload/部门.txt")
    assert caught.value.path == "upload/部门.txt"
    assert str(caught.value).startswith("upload/部门.txt, line 1: ")
