"""What the per-project forms share: one block per project (head block, then an indicator grid).

A sheet or page may hold several blocks stacked; each starts at its 项目名称 row (with the title
row just above it, when there is one). The indicator grid's 一级指标 and 二级指标 cells are often
merged over several rows; readers give a merged cell's text in its top-left cell only, so those
columns are filled down.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path, PurePosixPath

from pipelines.ingest.errors import IssueCategory, TableError
from pipelines.ingest.fiscal_year import resolve_fiscal_year
from pipelines.ingest.layouts.labels import column_of, find_label, fold, label_of, row_with_columns, spellings
from pipelines.ingest.rows import Grid, SourceRow

PROJECT_NAME = spellings("head", "project_name")
DEPARTMENT = spellings("head", "department")
UNIT = spellings("head", "implementing_unit")
LEVEL1 = spellings("grid", "level1")
LEVEL2 = spellings("grid", "level2")
LEVEL3 = spellings("grid", "level3")
# Every label of a head block, so that a label is never read as the value of the one before it.
HEAD_LABELS = (*PROJECT_NAME, *DEPARTMENT, *UNIT, *spellings("head", "other"))
_TITLE = re.compile(r"绩效目标表|目标申报表|自评表|绩效自评|绩效目标\)?申报表|绩效目标自评")
_YEAR_LINE = re.compile(r"[（(]?\s*\d{4}\s*年度?\s*[）)]?")
_FOOTNOTE = re.compile(r"^(?:注|备注|说明|填表说明|填报说明)\s*[：:、0-9]")
_DEPARTMENT_CODE = re.compile(r"^\s*[\[【(（]?\s*[0-9]{3,}\s*[\]】)）]?\s*[-－—_\s]*")
# A code after the name: '某局 308001', '某厅335301302' (glued), '某局(308001)'.
_TRAILING_CODE = re.compile(
    r"(?:\s*[\[【(（]\s*[0-9]{3,}\s*[\]】)）]|\s+[0-9]{3,}|(?<=[^\x00-\x7f])[0-9]{6,})\s*$"
)
_OWN_LEVEL = re.compile(r"[（(]本级[）)]$")
# A project code printed before the name: '51000021R000000019951-工资性支出'.
_PROJECT_CODE = re.compile(r"^\s*(?=[0-9A-Za-z]*[0-9]{6})[0-9A-Za-z]{8,}\s*[-－—_]\s*")
STANDARD_TREE_PATH = (
    Path(__file__).resolve().parents[3] / "dbt_project" / "seeds" / "standard_indicator_tree.csv"
)
# Points printed in a level's name: 产出指标(50分), 成本指标(0-20)分.
_POINTS = re.compile(r"\s*[（(]\s*[0-9.\-–~]+\s*分?\s*[）)]\s*分?\s*$")
# A row whose indicator cell holds only an ellipsis or a dash: the template's "more rows here".
_FILLER = re.compile(r"^[.。…·\-—_/\s]*$")


@dataclass(frozen=True, slots=True)
class Block:
    """One project's table: its title row (if any), head rows and indicator rows."""

    title: SourceRow | None
    head: tuple[SourceRow, ...]
    header: SourceRow | None  # the indicator grid's header row
    body: tuple[SourceRow, ...]  # the rows under it


def blocks_of(grids: Sequence[Grid]) -> list[tuple[Grid, Block]]:
    """Every block of every grid, with the grid it is on."""
    found = []
    for grid in grids:
        with located(grid, grids):
            found.extend((grid, block) for block in split_blocks(grid))
    return found


@contextmanager
def located(grid: Grid, grids: Sequence[Grid]) -> Iterator[None]:
    """An error names the sheet or table it is on when the file has several: each grid numbers
    its own rows, so a line alone would not say where to look."""
    try:
        yield
    except TableError as error:
        if not grid.origin or len(grids) < 2:
            raise
        raise TableError(error.category, f"{grid.origin}: {error.message}", line=error.line) from None


def has_indicator_header(grid: Grid) -> bool:
    rows = [row for row in grid.rows if not row.is_blank]
    return row_with_columns(rows, LEVEL1, LEVEL3) is not None and find_label(rows, PROJECT_NAME) is not None


def split_blocks(grid: Grid) -> list[Block]:
    """The grid's project blocks, in order; rows above the first block are ignored."""
    content = [row for row in grid.rows if not row.is_blank]
    starts = [i for i, row in enumerate(content) if any(label_of(c)[0] in PROJECT_NAME for c in row.cells)]
    blocks = []
    for number, start in enumerate(starts):
        end = starts[number + 1] if number + 1 < len(starts) else len(content)
        # The next block's title (and a year line under it) belongs to the next block.
        while end - 1 > start and number + 1 < len(starts) and _is_title(content[end - 1]):
            end -= 1
        title = _title_before(content, start, starts[number - 1] if number else -1)
        rows = content[start:end]
        header_index = row_with_columns(rows, LEVEL1, LEVEL3)
        if header_index is None:
            raise TableError(
                IssueCategory.NOT_A_TARGET_TABLE,
                "a project's table has no indicator header (一级指标 | 二级指标 | 三级指标 | 指标值)",
                line=rows[0].line,
            )
        body = tuple(row for row in rows[header_index + 1 :] if not _FOOTNOTE.match(row.cell(0) or ""))
        blocks.append(Block(title, tuple(rows[:header_index]), rows[header_index], body))
    return blocks


def _is_title(row: SourceRow) -> bool:
    text = "".join(row.cells)
    return bool(_TITLE.search(text)) or bool(_YEAR_LINE.fullmatch(text.strip()))


def _title_before(content: Sequence[SourceRow], start: int, previous_start: int) -> SourceRow | None:
    """The title (with a year line such as （2023年度） joined to it) in the rows just above."""
    rows = [content[i] for i in range(max(previous_start + 1, start - 3), start) if _is_title(content[i])]
    if not rows:
        return None
    return SourceRow(line=rows[0].line, cells=tuple(cell for row in rows for cell in row.cells if cell), page=rows[0].page)


@dataclass(frozen=True, slots=True)
class Head:
    line: int
    project_name: str
    department_name: str
    unit_name: str


def read_head(block: Block) -> Head:
    rows = block.head
    first = rows[0] if rows else block.header
    name = find_label(rows, PROJECT_NAME, known=HEAD_LABELS)
    if name is None or not name.value:
        line = first.line if first else None
        raise TableError(IssueCategory.NOT_A_TARGET_TABLE, "项目名称 is empty", line=line)
    department = find_label(rows, DEPARTMENT, known=HEAD_LABELS)
    if department is None or not department.value:
        raise TableError(
            IssueCategory.NOT_A_TARGET_TABLE,
            f"project {name.value}: no 主管部门 (the department) in its head block",
            line=name.row.line,
        )
    unit = find_label(rows, UNIT, known=HEAD_LABELS)
    department_name = clean_department(department.value)
    unit_name = clean_department(unit.value) if unit and unit.value else _OWN_LEVEL.sub("", department_name)
    return Head(name.row.line, project_name(name.value), department_name, unit_name)


def project_name(text: str) -> str:
    """'51000021R000000019951-工资性支出' -> '工资性支出': a project code is not the name."""
    return _one_line(_PROJECT_CODE.sub("", text)) or _one_line(text)


def clean_department(text: str) -> str:
    """'[101001]广州市某局', '219-某局', '某局 308001' -> the name: a budget code is not part of it."""
    return _one_line(_TRAILING_CODE.sub("", _DEPARTMENT_CODE.sub("", text))) or _one_line(text)


def one_department(heads: Sequence[Head]) -> str:
    names = {head.department_name for head in heads}
    if len(names) > 1:
        listed = ", ".join(f"{h.department_name} (line {h.line})" for h in heads)
        raise TableError(
            IssueCategory.NOT_A_TARGET_TABLE,
            f"the file's tables name different 主管部门: {listed}; publish one department per file",
            line=heads[0].line,
        )
    return heads[0].department_name


def fiscal_year_of(
    blocks: Sequence[Block], relative_path: PurePosixPath, grids: Sequence[Grid] = ()
) -> tuple[str, int]:
    """The title in the table, else the title lines printed above it (a web page's heading)."""
    title_row = next((block.title for block in blocks if block.title is not None), None)
    title = "".join(title_row.cells) if title_row else page_title(grids)
    return title, resolve_fiscal_year(relative_path, title, title_line=title_row.line if title_row else None)


def page_title(grids: Sequence[Grid]) -> str:
    """The lines above the first grid that name a target table or a year: '绩效目标表 (2020年度)'."""
    lines = next((grid.title_lines for grid in grids if grid.title_lines), ())
    return " ".join(line for line in lines if _TITLE.search(line) or _YEAR_LINE.fullmatch(line.strip()))


def check_money_unit(block: Block) -> None:
    for row in block.head:
        for cell in row.cells:
            folded = fold(cell)
            if "资金" in folded and re.search(r"\((?:元|千元|亿元)\)", folded):
                raise TableError(
                    IssueCategory.NOT_A_TARGET_TABLE,
                    f"amounts are in {cell!r}; only tables in 万元 are accepted",
                    line=row.line,
                )


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    line: int
    seq: int
    level1_name: str
    level2_name: str
    name: str
    cells: SourceRow


def indicator_rows(block: Block, *, project_name: str, stop: Sequence[str] = ()) -> list[IndicatorRow]:
    """The grid's indicators with 一级/二级 filled down over merged cells; stops at a `stop` row.

    Names are read as published, with points (产出指标(50分)) and line breaks taken out. An empty
    二级 cell gives the 一级 name (as a grid without a 二级 column does); an empty 一级 cell is
    the 一级 that the standard tree puts over the 二级 (服务对象满意度指标 -> 满意度指标).
    """
    header = block.header
    assert header is not None
    level1, level2, level3 = level_columns(header)
    assert level1 is not None and level3 is not None
    found: list[IndicatorRow] = []
    current1 = current2 = ""
    for row in block.body:
        if any(label_of(cell)[0] in stop for cell in row.cells):
            break
        current1 = level_name(row.cell(level1)) or current1
        if level2 is not None:
            current2 = level_name(row.cell(level2)) or current2
            if row.cell(level1).strip():
                current2 = level_name(row.cell(level2))
        name = _one_line(row.cell(level3))
        if not name or _FILLER.match(name):
            continue
        level1_name = current1 or standard_level1(current2)
        if not level1_name:
            raise TableError(
                IssueCategory.MALFORMED_INDICATOR,
                f"project {project_name}: indicator {name!r} has no 一级指标 above it, "
                f"and its 二级指标 {current2!r} is not one the standard tree places",
                line=row.line,
            )
        found.append(IndicatorRow(row.line, len(found) + 1, level1_name, current2 or level1_name, name, row))
    return found


_ANNUAL_SIDE = ("年度",)
_PERIOD_SIDE = ("长期", "中期", "实施期")
_NOTED = re.compile(r"^(.*)\(([^()]*)\)$")


def side_column(header: SourceRow, variants: Sequence[str], sides: Sequence[str]) -> int | None:
    """The column of a paired header labelled '<variant>(<side>)': 三级指标(年度), 指标值(长期)."""
    for index, cell in enumerate(header.cells):
        match = _NOTED.match(label_of(cell)[0])
        if match and match.group(1) in variants and match.group(2) in sides:
            return index
    return None


def level_columns(header: SourceRow) -> tuple[int | None, int | None, int | None]:
    """一级, 二级 and 三级 columns; where 长期 and 年度 columns are paired, the 年度 ones."""
    level3 = side_column(header, LEVEL3, _ANNUAL_SIDE)
    if level3 is None:
        return column_of(header, LEVEL1), column_of(header, LEVEL2), column_of(header, LEVEL3)
    level2 = side_column(header, LEVEL2, _ANNUAL_SIDE)
    return column_of(header, LEVEL1), level2 if level2 is not None else column_of(header, LEVEL2), level3


def paired_value_columns(header: SourceRow, variants: Sequence[str]) -> tuple[int, int | None] | None:
    """(annual, period) 指标值 columns of a paired header, None when the header is not paired."""
    annual = side_column(header, variants, _ANNUAL_SIDE)
    if annual is None:
        return None
    return annual, side_column(header, variants, _PERIOD_SIDE)


def period_name_column(header: SourceRow) -> int | None:
    """The 三级指标(长期) column of a paired header, None when the header is not paired."""
    return side_column(header, LEVEL3, _PERIOD_SIDE)


def same_indicator(row: IndicatorRow, period_name: int | None) -> bool:
    """Whether the 长期 side of a paired row speaks of the row's (年度) indicator: its name is
    the same or left empty. A different name is another indicator, whose value is not this one's."""
    if period_name is None:
        return True
    name = _one_line(row.cells.cell(period_name))
    return not name or name == row.name


def level_name(text: str) -> str:
    """'产出\\n指标\\n(50分)' -> '产出指标': the name without its line breaks and points."""
    return _POINTS.sub("", _one_line(text))


def standard_level1(level2: str) -> str:
    """The 一级 the standard tree places over a 二级 name, '' when it places none."""
    return _standard_level1().get(fold(level2), "")


@cache
def _standard_level1() -> dict[str, str]:
    if not STANDARD_TREE_PATH.exists():
        return {}
    with STANDARD_TREE_PATH.open(encoding="utf-8", newline="") as handle:
        return {
            fold(row["level2_name"]): row["std_level1"]
            for row in csv.DictReader(handle)
            if not row.get("level1_name") and row.get("level2_name") and row.get("std_level1")
        }


def optional_decimal(text: str, *, line: int, label: str) -> Decimal | None:
    """Scores, weights and amounts that may be left empty ('', '-', '/')."""
    cleaned = fold(text).replace(",", "").removesuffix("分").removesuffix("万元")
    if cleaned in ("", "-", "—", "/", "--", "——"):
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise TableError(IssueCategory.INVALID_VALUE, f"{label} {text!r} is not a number", line=line) from None


def _one_line(text: str) -> str:
    """Lines of a cell joined: without a space where a line break falls inside Chinese text."""
    lines = [re.sub(r"\s+", " ", line).strip() for line in text.splitlines()]
    joined = ""
    for line in filter(None, lines):
        glue = "" if not joined or not (joined[-1].isascii() and line[0].isascii()) else " "
        joined += glue + line
    return joined
