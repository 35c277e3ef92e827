"""Splitting a 绩效指标 cell into its numbered indicators.

The published form is
``N、<L1 code>-<L1 name>：<L2 code>-<L2 name>：<indicator>；实施周期指标值:<v>；年度指标值:<v>。``
repeated. Codes may be missing, colons half- or full-width, names may hold （parentheses）.
Patterns are written so that matching stays linear in the cell's length: cells can be huge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.ingest.errors import IssueCategory, TableError
from pipelines.ingest.model import Indicator

# Excel silently cuts a cell at this many characters; a cell of exactly this length was cut.
EXCEL_CELL_LIMIT = 32767

_ITEM_START = re.compile(r"(?:^|(?<=[。；;\n\r]))[ \t\u3000]*(\d{1,3})[ \t\u3000]*、")
_DASH = r"[ \t\u3000]*[-－—–][ \t\u3000]*"
_COLON = r"[ \t\u3000]*[：:][ \t\u3000]*"
_ITEM = re.compile(
    rf"[ \t\u3000]*(?:(?P<l1code>\d+){_DASH})?(?P<l1name>[^：:；;\d][^：:；;]*?){_COLON}"
    rf"(?:(?P<l2code>\d+){_DASH})?(?P<l2name>[^：:；;\d][^：:；;]*?){_COLON}"
    rf"(?P<name>[^；;]+?)[ \t\u3000]*[；;]"
    rf"(?:[ \t\u3000]*实施周期指标值{_COLON}(?P<period>[^；;]*)[；;])?"
    rf"[ \t\u3000]*年度指标值{_COLON}(?P<annual>.*)",
    re.DOTALL,
)
_TRAILING = "。；;.． \t\r\n\u3000"
_EXPECTED = "'<级别1>：<级别2>：<指标名称>；实施周期指标值:…；年度指标值:…。'"


def split_indicators(
    cell: str, *, line: int, unit_name: str = "", project_name: str = ""
) -> list[Indicator]:
    """All indicators of one project's cell, or a TableError saying which item is broken and how."""
    text = cell.strip()
    if not text:
        return []
    if len(text) >= EXCEL_CELL_LIMIT:
        raise _error(IssueCategory.TRUNCATED_INDICATOR, line, "绩效指标 was cut at Excel's cell limit")
    starts = list(_ITEM_START.finditer(text))
    if not starts or text[: starts[0].start()].strip():
        raise _error(
            IssueCategory.MALFORMED_INDICATOR,
            line,
            f"绩效指标 does not start with a numbered item '1、…': {_excerpt(text)}",
        )
    bodies = [
        text[match.end() : starts[i + 1].start() if i + 1 < len(starts) else len(text)]
        for i, match in enumerate(starts)
    ]
    context = _Context(line=line, unit_name=unit_name, project_name=project_name)
    parsed = [_parse_item(int(match.group(1)), body, context) for match, body in zip(starts, bodies, strict=True)]
    _check_numbering(parsed, line=line)
    _check_not_cut(bodies, line=line)
    return parsed


@dataclass(frozen=True, slots=True)
class _Context:
    line: int
    unit_name: str
    project_name: str


def _parse_item(seq: int, body: str, context: _Context) -> Indicator:
    line = context.line
    match = _ITEM.match(body)
    if match is None:
        category = (
            IssueCategory.MALFORMED_INDICATOR if "年度指标值" in body else IssueCategory.TRUNCATED_INDICATOR
        )
        raise _error(
            category, line, f"绩效指标 item {seq} is incomplete: {_excerpt(body)}; expected {_EXPECTED}"
        )
    period = match.group("period")
    return Indicator(
        line=line,
        unit_name=context.unit_name,
        project_name=context.project_name,
        seq=seq,
        level1_code=match.group("l1code"),
        level1_name=match.group("l1name").strip(),
        level2_code=match.group("l2code"),
        level2_name=match.group("l2name").strip(),
        name=match.group("name").strip(),
        period_target_text=None if period is None else period.strip(),
        annual_target_text=match.group("annual").strip(_TRAILING) or None,
    )


def _check_numbering(parsed: list[Indicator], *, line: int) -> None:
    for expected, item in enumerate(parsed, start=1):
        if item.seq != expected:
            raise _error(
                IssueCategory.MALFORMED_INDICATOR,
                line,
                f"绩效指标 items are numbered out of order: item {item.seq} where {expected} was expected",
            )


def _check_not_cut(bodies: list[str], *, line: int) -> None:
    """The last item lacks the closing 。 that every earlier item has: the cell was cut short."""
    closed = [body.rstrip(" \t\r\n\u3000").endswith("。") for body in bodies]
    if len(closed) > 1 and all(closed[:-1]) and not closed[-1]:
        raise _error(
            IssueCategory.TRUNCATED_INDICATOR,
            line,
            f"绩效指标 item {len(bodies)} ends without '。' unlike the items before it: "
            f"the text looks cut short at {_excerpt(bodies[-1][-30:])}",
        )


def _error(category: IssueCategory, line: int, message: str) -> TableError:
    return TableError(category, message, line=line)


def _excerpt(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= limit else flat[:limit] + "…")
