"""Read an indicator's target text (指标值) as operator, value, unit and deadline.

Departments write targets as free text ("≥95%", "每年不超过6次", "2024年12月底前", "及时").
Only shapes that have one reading are parsed; anything else is kept as ``unparsed``,
because a wrong number in the warehouse is worse than a missing one.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

OPERATORS = (">=", "<=", ">", "<", "=")
KINDS = ("quantitative", "qualitative", "deadline", "unparsed")

MAX_TEXT_LENGTH = 200
"""Longer texts are prose, not targets; the bound also caps the regex work per call."""

# Word lists are space-separated so that extending one is a matter of typing the word.
OPERATOR_WORDS: dict[str, str] = {
    **dict.fromkeys("≥ ≧ >= 不少于 不低于 达到 大于等于 大于或等于 至少".split(), ">="),
    **dict.fromkeys("≤ ≦ <= 不超过 不高于 不多于 小于等于 小于或等于 最多".split(), "<="),
    **dict.fromkeys("> 超过 高于 大于 多于".split(), ">"),
    **dict.fromkeys("< 低于 小于 少于".split(), "<"),
    **dict.fromkeys("= 等于".split(), "="),
}
"""Written before the number; full-width signs are folded to these by NFKC first."""

SUFFIX_OPERATORS: dict[str, str] = {
    **dict.fromkeys("以上 及以上".split(), ">="),
    **dict.fromkeys("以内 以下 及以下".split(), "<="),
}
"""Written after the number and unit, as in "90%以上"."""

UNITS = frozenset("""
    % ‰ 次 件 个 人次 人 场 天 日 工作日 个工作日 小时 分钟 秒 万元 元 亿元 千元 台 套 户 户次
    项 家 篇 期 份 平方米 平方公里 公顷 立方米 米 千米 公里 年 个月 月 周 季度 批 座 条 册 张
    所 类 名 宗 部 处 辆 吨 公斤 千克 亩 万人次 万人 株 头 只 本 门 课时 学时 分 倍 个百分点
""".split())
"""Units after the number; the longest one that fits wins (人次 over 人, 工作日 over 日)."""

PER_UNITS = frozenset("""
    年 年度 半年 月 季度 季 周 天 日 学期 人 人次 次 户 家 村 校 所 个 项 批 期 场 班 县 乡镇 单位
""".split())
"""What a per-qualifier counts, written 每X before the target or /X after it."""

QUALITATIVE_WORDS = frozenset("""
    及时 是 否 达标 合格 正常开展 正常运行 良好 优 优良 优秀 满意 基本满意 完成 按时完成 按期完成
    规范 稳定 有效 准确 完整 安全 提高 提升 改善 增强 加强 优化 符合要求 符合标准 达到要求 达到预期
""".split())
"""Whole targets that state a quality, not a number."""

QUALITATIVE_ADVERBS = frozenset("有效 显著 明显 有所 逐步 持续 进一步 不断 稳步 大幅 全面".split())
QUALITATIVE_VERBS = frozenset("提高 提升 改善 加强 增强 优化 完善 降低 减少 增加 扩大".split())
"""One or more adverbs then a verb ("有效提高", "进一步改善") is qualitative too."""

_TRAILING = "。;,"  # after NFKC, which folds ； and ， to ; and ,
_CN_DIGITS = {"零": 0, "〇": 0, "两": 2} | {c: i for i, c in enumerate("一二三四五六七八九", 1)}
_CN_MULTIPLIERS = {"十": 10, "百": 100}


def _alternation(words: Iterable[str]) -> str:
    """Longest first, so the regex prefers 人次 to 人 at the same position."""
    return "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))


_NUMBER = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?"
_CN_NUMBER = "[" + "".join(_CN_DIGITS) + "".join(_CN_MULTIPLIERS) + "]+"
# Whitespace runs are collapsed to one space before matching, so " ?" keeps backtracking flat.
_QUANTITY = re.compile(
    rf"(?:每(?P<per>{_alternation(PER_UNITS)}))? ?"
    rf"(?P<op>{_alternation(OPERATOR_WORDS)})? ?"
    rf"(?P<pct>百分之)?(?:(?P<num>{_NUMBER})|(?P<cn>{_CN_NUMBER})) ?"
    rf"(?P<unit>{_alternation(UNITS)})? ?"
    rf"(?P<suffix>{_alternation(SUFFIX_OPERATORS)})? ?"
    rf"(?:/ ?(?P<per_after>{_alternation(PER_UNITS)}))?"
)
_BEFORE = r"(?:之前|以前|前)(?:完成)?"
_DATE = re.compile(
    r"(?:(?:(?P<y1>[0-9]{4})年)?(?P<m1>[0-9]{1,2})月(?:(?P<d1>[0-9]{1,2})[日号]|[底末])"
    r"|(?P<y2>[0-9]{4})(?P<sep>[-./])(?P<m2>[0-9]{1,2})(?P=sep)(?P<d2>[0-9]{1,2})"
    rf"|(?P<y3>[0-9]{{4}})?年[底末]){_BEFORE}"
    r"|(?P<y4>[0-9]{4})?年度?内(?:完成)?"
)
_QUALITATIVE_PHRASE = re.compile(
    rf"(?:{_alternation(QUALITATIVE_ADVERBS)})+(?:{_alternation(QUALITATIVE_VERBS)})"
)
_SEPARATORS = re.compile(r"[、,]")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Target:
    """One target as published (``text``) and what it says, when that is certain."""

    text: str
    operator: str | None
    value: Decimal | None
    unit: str | None
    per: str | None
    kind: str
    deadline: date | None


def parse_target(text: str | None, *, fiscal_year: int | None = None) -> Target:
    """Parse a 指标值; never raises, and returns kind 'unparsed' rather than guess.

    ``fiscal_year`` completes dates written without a year ("12月底前", "年底前").
    """
    text = "" if text is None else text
    cleaned = text.strip()
    if not cleaned or len(cleaned) > MAX_TEXT_LENGTH:
        return _unparsed(text)
    cleaned = unicodedata.normalize("NFKC", cleaned).strip()  # ９５％ -> 95%, ＞＝ -> >=
    while cleaned and cleaned[-1] in _TRAILING:
        cleaned = cleaned[:-1].rstrip()
    if _is_qualitative(cleaned):
        return Target(text, None, None, None, None, "qualitative", None)
    if (match := _DATE.fullmatch(cleaned)) is not None:
        deadline = _deadline(match, fiscal_year)
        if deadline is None:
            return _unparsed(text)
        return Target(text, "<=", None, None, None, "deadline", deadline)
    if (match := _QUANTITY.fullmatch(_WHITESPACE.sub(" ", cleaned))) is not None:
        return _quantity(text, match)
    return _unparsed(text)


def _unparsed(text: str) -> Target:
    return Target(text, None, None, None, None, "unparsed", None)


def _is_qualitative(cleaned: str) -> bool:
    """Only whole lists of known words count, so ordinary prose stays unparsed."""
    parts = [part.strip() for part in _SEPARATORS.split(cleaned)]
    return all(p in QUALITATIVE_WORDS or _QUALITATIVE_PHRASE.fullmatch(p) for p in parts)


def _deadline(match: re.Match[str], fiscal_year: int | None) -> date | None:
    """The last day the target allows; None when the year is unknown or the date invalid."""
    g = match.groupdict()
    year_text = g["y1"] or g["y2"] or g["y3"] or g["y4"]
    year = int(year_text) if year_text else fiscal_year
    if year is None:
        return None
    month_text, day_text = g["m1"] or g["m2"], g["d1"] or g["d2"]
    try:
        month = int(month_text) if month_text else 12
        day = int(day_text) if day_text else calendar.monthrange(year, month)[1]
        return date(year, month, day)
    except (ValueError, OverflowError):
        return None


def _quantity(text: str, match: re.Match[str]) -> Target:
    """Combine the pieces; contradictory or doubled pieces make the whole text unparsed."""
    g = match.groupdict()
    before, after = OPERATOR_WORDS.get(g["op"] or ""), SUFFIX_OPERATORS.get(g["suffix"] or "")
    conflicting = before and after and before != after
    if conflicting or (g["per"] and g["per_after"]) or (g["pct"] and g["unit"]):
        return _unparsed(text)
    if g["num"] is not None:
        value = Decimal(g["num"].replace(",", ""))
    elif (number := _chinese_int(g["cn"])) is not None:
        value = Decimal(number)
    else:
        return _unparsed(text)
    unit = "%" if g["pct"] else g["unit"]
    if unit == "年" and 1900 <= value <= 2100:
        return _unparsed(text)  # "2024年" names a year, not a count of years
    per = g["per"] or g["per_after"]
    return Target(text, before or after or "=", value, unit, per, "quantitative", None)


def _chinese_int(numeral: str) -> int | None:
    """Read 零 … 九百九十九; None for irregular forms such as 三百五 (350 or 305?) or 十十."""
    if numeral in ("零", "〇"):
        return 0
    if "两" in numeral[1:]:
        return None  # 两 only leads a number; "十两" is a weight
    total, digit, last, zero = 0, None, 1000, False
    for char in numeral:
        if (multiplier := _CN_MULTIPLIERS.get(char)) is not None:
            if digit is None and total == 0 and multiplier == 10:
                digit = 1  # 十二 is 一十二
            if not digit or multiplier >= last or zero:
                return None
            total, digit, last = total + digit * multiplier, None, multiplier
        elif _CN_DIGITS[char] == 0:
            if digit is not None or total == 0 or zero:
                return None
            zero = True
        elif digit is not None:
            return None
        else:
            digit = _CN_DIGITS[char]
    if digit is None:
        return None if zero else total
    if total and last > 10 and not zero:
        return None
    return total + digit
