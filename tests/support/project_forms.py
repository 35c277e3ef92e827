"""Per-project 绩效目标表 and 绩效自评表 as regions publish them, written as workbooks and pages.

A form is rendered to a `Sheet`: rows of cells plus merged ranges, as a person lays it out in
Excel (title merged over the width, 项目资金 merged down its rows, 一级指标/二级指标 merged over
their indicators). The same Sheet is written as .xlsx (openpyxl merges) or as an HTML table
(rowspan/colspan), one project per sheet or several stacked on one sheet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from pathlib import Path

WIDTH = 9


@dataclass
class Sheet:
    rows: list[list[object]] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # 0-based r1, c1, r2, c2

    def add(self, *cells: object) -> int:
        self.rows.append(list(cells))
        return len(self.rows) - 1

    def merge(self, r1: int, c1: int, r2: int, c2: int) -> None:
        if (r1, c1) != (r2, c2):
            self.merges.append((r1, c1, r2, c2))

    def extend(self, other: Sheet, *, gap: int = 2) -> None:
        for _ in range(gap):
            self.add()
        offset = len(self.rows)
        self.rows.extend(other.rows)
        self.merges.extend((a + offset, b, c + offset, d) for a, b, c, d in other.merges)


@dataclass(frozen=True)
class Indicator:
    level1: str
    level2: str
    name: str
    value: str  # 指标值 (年度指标值), or the 指标值 cell of the separate-cells variant
    nature: str = ""  # 指标性质 (separate-cells variant)
    unit: str = ""  # 度量单位 (separate-cells variant)
    period: str = ""  # 实施期指标值 (pairs variant)
    actual: str = ""  # 实际完成值 (self-evaluation)
    weight: str = ""  # 分值
    score: str = ""  # 得分
    reason: str = ""  # 偏差原因分析及改进措施


@dataclass(frozen=True)
class Project:
    name: str
    department: str
    unit: str
    total: str
    fiscal: str
    other: str
    indicators: tuple[Indicator, ...]
    special: str | None = None
    goal: str = "完成年度工作任务。"
    period_goal: str | None = None
    # Self-evaluation money: 年初预算数, 全年预算数, 全年执行数, 分值, 执行率, 得分; and 总分.
    budget: tuple[str, str, str, str, str, str] = ("", "", "", "", "", "")
    total_weight: str = ""
    total_score: str = ""


def target_sheet(project: Project, *, year: int, variant: str = "plain") -> Sheet:
    """variant: plain (指标值), separate (指标性质 | 指标值 | 度量单位), pairs (年度/实施期指标值)."""
    sheet = Sheet()
    sheet.merge(sheet.add("项目支出绩效目标表"), 0, len(sheet.rows) - 1, WIDTH - 1)
    sheet.add(f"（{year}年度）")
    row = sheet.add("项目名称", project.name)
    sheet.merge(row, 1, row, WIDTH - 1)
    sheet.add("主管部门", project.department, "", "", "实施单位", project.unit)
    first = sheet.add("项目资金（万元）", "年度资金总额", _number(project.total))
    sheet.add("", "其中：财政拨款", _number(project.fiscal))
    sheet.add("", "其他资金", _number(project.other))
    if project.special is not None:
        sheet.add("", "财政专户拨款", _number(project.special))
    sheet.merge(first, 0, len(sheet.rows) - 1, 0)
    row = sheet.add("年度绩效目标", project.goal)
    sheet.merge(row, 1, row, WIDTH - 1)
    if project.period_goal is not None:
        row = sheet.add("实施期目标", project.period_goal)
        sheet.merge(row, 1, row, WIDTH - 1)
    values = {"plain": ["指标值"], "separate": ["指标性质", "指标值", "度量单位"],
              "pairs": ["年度指标值", "实施期指标值"]}[variant]
    sheet.add("绩效指标", "一级指标", "二级指标", "三级指标", *values)
    _indicator_rows(sheet, project.indicators, lambda i: {
        "plain": [i.value], "separate": [i.nature, i.value, i.unit], "pairs": [i.value, i.period]}[variant])
    return sheet


def evaluation_sheet(project: Project, *, year: int) -> Sheet:
    sheet = Sheet()
    sheet.merge(sheet.add("项目支出绩效自评表"), 0, 0, WIDTH - 1)
    sheet.add(f"（{year}年度）")
    row = sheet.add("项目名称", project.name)
    sheet.merge(row, 1, row, WIDTH - 1)
    sheet.add("主管部门", project.department, "", "", "实施单位", project.unit)
    first = sheet.add("项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
    initial, adjusted, executed, weight, rate, score = project.budget
    sheet.add("", "年度资金总额", _number(initial), _number(adjusted), _number(executed),
              _number(weight), rate, _number(score))
    sheet.add("", "其中：当年财政拨款", _number(initial), _number(adjusted), _number(executed), "—", "", "—")
    sheet.merge(first, 0, len(sheet.rows) - 1, 0)
    row = sheet.add("年度总体目标", "预期目标", "", "", "实际完成情况")
    sheet.add("", project.goal, "", "", "全部完成。")
    sheet.merge(row, 0, row + 1, 0)
    sheet.add("绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
              "偏差原因分析及改进措施")
    _indicator_rows(sheet, project.indicators, lambda i: [i.value, i.actual, _number(i.weight),
                                                          _number(i.score), i.reason])
    row = sheet.add("总分", "", "", "", "", "", _number(project.total_weight), _number(project.total_score), "")
    sheet.merge(row, 0, row, 5)
    return sheet


def _indicator_rows(sheet: Sheet, indicators, values) -> None:
    start = len(sheet.rows) - 1  # the header row: 绩效指标 merges down from it
    previous: tuple[str, str] | None = None
    level1_start = level2_start = len(sheet.rows)
    for indicator in indicators:
        new1 = previous is None or indicator.level1 != previous[0]
        new2 = new1 or indicator.level2 != previous[1]
        row = len(sheet.rows)
        if new1 and previous is not None:
            sheet.merge(level1_start, 1, row - 1, 1)
            level1_start = row
        if new2 and previous is not None:
            sheet.merge(level2_start, 2, row - 1, 2)
            level2_start = row
        sheet.add("", indicator.level1 if new1 else "", indicator.level2 if new2 else "", indicator.name,
                  *values(indicator))
        previous = (indicator.level1, indicator.level2)
    end = len(sheet.rows) - 1
    sheet.merge(level1_start, 1, end, 1)
    sheet.merge(level2_start, 2, end, 2)
    sheet.merge(start, 0, end, 0)


def _number(text: str) -> object:
    """Amounts and scores as numbers, as Excel holds them (Decimal keeps the exact digits)."""
    if not text:
        return ""
    try:
        value = Decimal(text)
    except ArithmeticError:
        return text
    return float(value) if value != value.to_integral() else int(value)


def write_xlsx(path: Path, sheets: dict[str, Sheet]) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, sheet in sheets.items():
        target = workbook.create_sheet(title)
        for r, cells in enumerate(sheet.rows, 1):
            for c, value in enumerate(cells, 1):
                if value not in ("", None):
                    target.cell(r, c, value)
        for r1, c1, r2, c2 in sheet.merges:
            target.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def write_html(path: Path, sheets: list[Sheet]) -> Path:
    """One <table> per sheet; merges as rowspan/colspan, covered cells left out."""
    tables = []
    for sheet in sheets:
        spans = {(r1, c1): (r2 - r1 + 1, c2 - c1 + 1) for r1, c1, r2, c2 in sheet.merges}
        covered = {(r, c) for r1, c1, r2, c2 in sheet.merges for r in range(r1, r2 + 1)
                   for c in range(c1, c2 + 1)} - set(spans)
        rows = []
        for r, cells in enumerate(sheet.rows):
            out = []
            for c in range(max(len(cells), 1)):
                if (r, c) in covered:
                    continue
                text = escape(str(cells[c])) if c < len(cells) else ""
                rowspan, colspan = spans.get((r, c), (1, 1))
                attributes = (f" rowspan={rowspan}" if rowspan > 1 else "") + (f" colspan={colspan}" if colspan > 1 else "")
                out.append(f"<td{attributes}>{text}</td>")
            rows.append("<tr>" + "".join(out) + "</tr>")
        tables.append("<table border=1>\n" + "\n".join(rows) + "\n</table>")
    page = '<html><head><meta charset="utf-8"></head><body>\n' + "\n<p>绩效</p>\n".join(tables) + "\n</body></html>\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def consistent_self_evaluation(department: str, *, project: str = "2024年信息化运维项目") -> Project:
    """A clean 自评表 of one project (rates and 总分 add up), so that a department's load fills
    the self-evaluation marts too: tests that check every mart need rows in every mart."""
    return Project(
        name=project,
        department=department,
        unit=department,
        total="", fiscal="", other="",
        # 1300.00 / 1359.11 = 95.65%
        budget=("1359.11", "1359.11", "1300.00", "10", "95.65%", "9.6"),
        total_weight="100",
        total_score="99.6",
        indicators=(
            Indicator("产出指标", "数量指标", "运维系统数量", "≥10个", actual="12个", weight="90", score="90"),
        ),
    )
