"""How a document's lines and table rows become the grid of its 绩效 table (readers/sections.py):
the rules for page breaks that the real documents of tests/test_documents.py exercise only where
their producers happen to break, here placed on purpose."""

from __future__ import annotations

import pytest

from pipelines.ingest.errors import IssueCategory, TableError
from pipelines.ingest.readers.sections import Item, target_grids

HEADER = ("项目名称", "总计", "财政拨款", "绩效目标", "绩效指标")


def line(text: str, page: int = 1, *more: str) -> Item:
    return Item((text, *more), page, in_table=False)


def row(*cells: str, page: int = 1, top: bool = False, continues: bool = False) -> Item:
    return Item(tuple(cells), page, in_table=True, top_of_page=top, continues=continues)


def other_table(page: int = 1) -> list[Item]:
    return [line("部门收支总表", page), row("项目", "预算数", page=page, top=True), row("合计", "1.00", page=page)]


def cells(items: list[Item]) -> list[tuple[str, ...]]:
    (grid,) = target_grids(items)
    return [r.cells for r in grid.rows]


def test_only_the_table_under_a_title_with_绩效_is_kept_and_rows_are_numbered_with_pages() -> None:
    items = [
        *other_table(),
        line("项目支出绩效目标表", 2, "单位：万元"),  # the unit printed beside the title
        line("部门名称：某局", 2),
        row(*HEADER, page=2, top=True),
        row("合计", "3.00", "3.00", page=2),
        row("甲项目", "3.00", "3.00", "目标", "1、…", page=2),
        line("- 2 -", 2),
    ]
    (grid,) = target_grids(items)
    assert [(r.line, r.page, r.cells[0]) for r in grid.rows] == [
        (1, 2, "项目支出绩效目标表"), (2, 2, "部门名称：某局"), (3, 2, "项目名称"), (4, 2, "合计"), (5, 2, "甲项目"),
    ]
    assert grid.origin == "page 2"


def test_a_spaced_out_title_is_found() -> None:
    items = [*other_table(), line("项 目 支 出 绩 效 目 标 表", 2), row(*HEADER, page=2, top=True)]
    assert cells(items)[0] == ("项 目 支 出 绩 效 目 标 表",)


@pytest.mark.parametrize(
    "rest",
    [
        row("", "", "", "标。", "指标值:是。", page=2, top=True),  # no name: LibreOffice
        row("目", "", "", "标。", "指标值:是。", page=2, top=True),  # name wrapped over the break, no amounts
        row("目", "3.00", "3.00", "标。", "指标值:是。", page=2, top=True, continues=True),  # no border above
    ],
)
def test_a_row_cut_by_the_page_break_is_joined_without_spaces(rest: Item) -> None:
    items = [
        line("项目支出绩效目标表"), row(*HEADER, top=True), row("合计", "3.00", "3.00"),
        row("甲项", "3.00" if not rest.continues else "", "3.00" if not rest.continues else "", "目", "1、年度指"),
        row(*HEADER, page=2, top=True),  # the repeated header
        rest,
        row("乙项目", "1.00", "1.00", "目标", "1、…", page=2),
        line("填表人：张三　审核人：李四", 2),
        line("注：单位万元", 2),
    ]
    table = cells(items)
    assert table[3] == ("甲项" + rest.cells[0], "3.00", "3.00", "目标。", "1、年度指指标值:是。")
    assert table[4][0] == "乙项目" and len(table) == 5


def test_a_page_starting_with_a_whole_row_is_not_joined() -> None:
    items = [
        line("项目支出绩效目标表"), row(*HEADER, top=True), row("甲项目", "3.00", "3.00", "目标", "1、…"),
        row("乙项目", "1.00", "1.00", "目标", "1、…", page=2, top=True),
    ]
    assert [c[0] for c in cells(items)] == ["项目支出绩效目标表", "项目名称", "甲项目", "乙项目"]


def test_a_绩效_table_without_drawn_borders_is_refused_with_its_page() -> None:
    items = [*other_table(), line("项目支出绩效目标表", 3), line("项目名称 总计 绩效目标", 3)]
    with pytest.raises(TableError) as caught:
        target_grids(items)
    assert (caught.value.category, caught.value.page) == (IssueCategory.NOT_A_TARGET_TABLE, 3)
    assert "no table with drawn cell borders" in caught.value.message
