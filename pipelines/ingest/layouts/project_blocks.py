"""What the per-project forms share: one block per project (head block, then an indicator grid).

A sheet or page may hold several blocks stacked; each starts at its 项目名称 row (with the title
row just above it, when there is one). The indicator grid's 一级指标 and 二级指标 cells are often
merged over several rows; readers give a merged cell's text in its top-left cell only, so those
columns are filled down.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import PurePosixPath

from pipelines.ingest.errors import IssueCategory, TableError
from pipelines.ingest.fiscal_year import resolve_fiscal_year
from pipelines.ingest.layouts.labels import column_of, find_label, fold, label_of, row_with_columns
from pipelines.ingest.rows import Grid, SourceRow

PROJECT_NAME = ("项目名称", "项目名", "项目全称")
DEPARTMENT = ("主管部门", "主管部门及代码", "主管单位", "主管部门名称", "部门名称")
UNIT = ("实施单位", "项目实施单位", "实施单位名称", "资金使用单位", "项目单位")
LEVEL1 = ("一级指标",)
LEVEL2 = ("二级指标",)
LEVEL3 = ("三级指标", "指标名称", "具体指标")
# Every label of a head block, so that a label is never read as the value of the one before it.
HEAD_LABELS = (
    *PROJECT_NAME, *DEPARTMENT, *UNIT, "项目资金", "资金情况", "项目属性", "项目期", "项目类型",
    "年度资金总额", "资金总额", "实施期资金总额", "财政拨款", "其他资金", "财政专户拨款", "上年结转资金",
    "年度绩效目标", "年度目标", "实施期目标", "总体目标", "年度总体目标", "预期目标", "实际完成情况",
    "绩效指标", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分",
)
_TITLE = re.compile(r"绩效目标表|目标申报表|自评表|绩效自评")
_FOOTNOTE = re.compile(r"^(?:注|备注|说明|填表说明|填报说明)\s*[：:、0-9]")
_DEPARTMENT_CODE = re.compile(r"^\s*[\[【(（]?\s*\d{3,}\s*[\]】)）]?\s*[-－—_\s]*")
_OWN_LEVEL = re.compile(r"[（(]本级[）)]$")


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
    return bool(_TITLE.search(text)) or bool(re.fullmatch(r"[（(]?\s*\d{4}\s*年度?\s*[）)]?", text.strip()))


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
    name = find_label(rows, PROJECT_NAME, known=HEAD_LABELS)
    if name is None or not name.value:
        # No head block at all: 项目名称 heads a column of the indicator header (a 2-D table).
        line = rows[0].line if rows else block.header.line
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
    return Head(name.row.line, _one_line(name.value), department_name, unit_name)


def clean_department(text: str) -> str:
    """'[101001]广州市某局' -> '广州市某局': the budget code some systems print before the name."""
    return _one_line(_DEPARTMENT_CODE.sub("", text)) or _one_line(text)


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


def fiscal_year_of(blocks: Sequence[Block], relative_path: PurePosixPath) -> tuple[str, int]:
    title_row = next((block.title for block in blocks if block.title is not None), None)
    title = "".join(title_row.cells) if title_row else ""
    return title, resolve_fiscal_year(relative_path, title, title_line=title_row.line if title_row else None)


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
    """The grid's indicators with 一级/二级 filled down over merged cells; stops at a `stop` row."""
    header = block.header
    assert header is not None
    level1 = column_of(header, LEVEL1)
    level2 = column_of(header, LEVEL2)
    level3 = column_of(header, LEVEL3)
    assert level1 is not None and level3 is not None
    found: list[IndicatorRow] = []
    current1 = current2 = ""
    for row in block.body:
        if any(label_of(cell)[0] in stop for cell in row.cells):
            break
        current1 = _one_line(row.cell(level1)) or current1
        if level2 is not None:
            current2 = _one_line(row.cell(level2)) or current2
            if row.cell(level1).strip():
                current2 = _one_line(row.cell(level2))
        name = _one_line(row.cell(level3))
        if not name:
            continue
        if not current1 or (level2 is not None and not current2):
            raise TableError(
                IssueCategory.MALFORMED_INDICATOR,
                f"project {project_name}: indicator {name!r} has no 一级指标/二级指标 above it",
                line=row.line,
            )
        found.append(IndicatorRow(row.line, len(found) + 1, current1, current2 or current1, name, row))
    return found


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
    return re.sub(r"\s+", " ", text).strip()
