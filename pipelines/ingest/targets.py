"""Read an indicator's target text (指标值) as operator, value(s), unit and deadline.

Departments write targets as free text ("≥680万平方米", "3-5次/年", "2024年12月底前", "有效减轻").
One grammar reads them all, without lists of units or of qualitative phrases:

    [每X] [label] [operator] number [unit] [- number [unit]] [suffix operator] [tail] [/X]

The unit is whatever follows the number. A text without a number is qualitative; a text whose
numbers do not fit the grammar (two targets, a change against last year) is ``unparsed``,
because a wrong number in the warehouse is worse than a missing one. docs/targets.md has examples.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

OPERATORS = (">=", "<=", ">", "<", "=", "between")
KINDS = ("quantitative", "qualitative", "deadline", "unparsed")

MAX_TEXT_LENGTH = 200
"""Longer texts are prose, not targets; the bound also caps the regex work per call."""

# Word lists are space-separated so that extending one is a matter of typing the word.
OPERATOR_WORDS: dict[str, str] = {
    **dict.fromkeys("≥ ≧ ≮ >= => 不少于 不低于 不小于 达到 达 大于等于 大于或等于 至少 最少".split(), ">="),
    **dict.fromkeys("≤ ≦ ≯ <= =< 不超过 不高于 不多于 不大于 未超过 小于等于 小于或等于 最多 控制在".split(), "<="),
    **dict.fromkeys("> 〉 超过 高于 大于 多于".split(), ">"),
    **dict.fromkeys("< 〈 低于 小于 少于".split(), "<"),
    **dict.fromkeys("= ═ 等于 为".split(), "="),
}
"""Written before the number; full-width signs (＞, ﹦, ≧ as ≥ …) are folded to these by NFKC first;
look-alikes that NFKC keeps (〉 an angle bracket, ═ a box-drawing line) are listed as printed."""

RANGE_WORDS = frozenset("控制在 为".split())
"""Operator words that also lead a range ("控制在3-5天" is between 3 and 5, not <=)."""

SUFFIX_OPERATORS: dict[str, str] = {
    **dict.fromkeys("以上 及以上 或以上 以上(含) (含)以上".split(), ">="),
    **dict.fromkeys("以内 以下 及以下 或以下 之内 内 及以内 以下(含) (含)以下 以内(含) (含)以内".split(), "<="),
}
"""Written after the number and unit, as in "90%以上" or "3个工作日内"."""

RANGE_SEPARATORS = "- ~ 〜 — – 至 到".split()
"""Between the two bounds of a range ("90%-95%", "5～10个", "3至5天"); ～ and － fold by NFKC."""

TAILS = frozenset("完成 办结 到位 到达 到达现场 到场 响应 回复 处置 处理 修复 覆盖 达标 左右 之间 为宜".split())
"""Words after the target that do not change it ("100%完成", "在90%-95%之间", "2小时内响应")."""

NUMERAL_UNITS = frozenset("""
    % ‰ 次 件 个 人次 人 场 天 日 工作日 个工作日 小时 分钟 秒 万元 元 亿元 千元 台 套 户 户次
    项 家 篇 期 份 平方米 平方公里 公顷 立方米 米 千米 公里 年 个月 月 周 季度 批 座 条 册 张
    所 名 宗 部 处 辆 吨 公斤 千克 亩 万人次 万人 株 头 只 本 门 课时 学时 分 倍 个百分点
    轮 遍 趟 棵 间 幢 栋 起 例 单 份次 班 期次 组 支 队 届 季 节 章
    事故 投诉 差错 伤亡 死亡 失误 违规 违纪 延误 发生 案件 缺陷 事件 污染 感染
""".split())
"""What a Chinese numeral must be followed by to be a number: "三次" is 3 次, but "一流",
"统一" and "十四五规划" are words. The unit of an Arabic number is open ("12个街道")."""
UNITS = NUMERAL_UNITS  # the name before the grammar was open

PER_UNITS = frozenset("""
    年 年度 半年 月 季度 季 周 天 日 学期 人 人次 次 户 家 村 校 所 项 批 批次 期 场 班 县 乡镇 单位
    工作日 个月 社区 街道 企业 学校
""".split())
"""What 每X most often counts; any other X right before the operator or number reads too."""

CHANGE_WORDS = tuple("""
    增长 增加 增幅 增速 提高 提升 下降 降低 减少 缩短 压缩 压减 节约 节省 递增 递减 同比 环比 较 比上年
    比去年 上年 去年 上一年 基础上 翻番 或 且 及其 前 后
""".split())
"""A label with one of these states a change or a second condition, not the level itself:
"比上年增长5%" and "低于上年5%" are unparsed rather than read as 5%. 前/后 make a number a
rank or a point in time ("前3名", "12月前", "3天后"); they are not read in a unit either."""

_TRAILING = "。;,、"  # after NFKC, which folds ； and ， to ; and ,
_CN_DIGITS = {"零": 0, "〇": 0, "两": 2} | {c: i for i, c in enumerate("一二三四五六七八九", 1)}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_NUMERAL_CHARS = "".join(_CN_DIGITS) + "十百千万亿"
_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
# Written forms that NFKC would turn into letters and digits ("m²" -> "m2").
_UNIT_SPELLINGS = {"㎡": "平方米", "m²": "平方米", "M²": "平方米", "km²": "平方公里", "㎢": "平方公里", "hm²": "公顷",
                   "m³": "立方米", "㎥": "立方米", "㎞": "公里", "㎏": "千克", "℃": "℃"}


def _alternation(words: Iterable[str]) -> str:
    """Longest first, so the regex prefers 及以上 to 以上 at the same position."""
    return "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))


_ARABIC = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?"
_CHINESE = f"[{_CN_NUMERAL_CHARS}]+|半"
_NUMBER = rf"(?:百分之)?(?:{_ARABIC}|{_CHINESE})"
_UNIT = rf"[{_CJK}A-Za-z%‰℃°·Ωμ()]*?"
_NOT_LABEL = _CN_NUMERAL_CHARS + "第每不未非没半"
# A label may start with a pollutant or a standard's code (PM2.5浓度, CO2排放量): its digits
# are part of the name, never the target's number.
_LABEL = rf"(?:[A-Za-z]+[0-9]+(?:\.[0-9]+)?)?[^\W\d_{_NOT_LABEL}]{{1,16}}?"
_OPERATOR = _alternation(OPERATOR_WORDS)
_QUANTITY = re.compile(
    rf"(?:(?P<lead>{_LABEL})??每(?P<per>{_alternation(PER_UNITS)}|(?:(?!每)[{_CJK}]){{1,6}}?(?= ?(?:{_OPERATOR}|[0-9{_CN_NUMERAL_CHARS}]))))? ?"
    rf"(?P<label>{_LABEL})??[ :]*"
    rf"(?P<op>{_alternation(OPERATOR_WORDS)})? ?"
    rf"(?P<num>{_NUMBER}) ?(?P<unit>{_UNIT})"
    rf"(?: ?(?P<sep>{_alternation(RANGE_SEPARATORS)}) ?(?P<num2>{_NUMBER}) ?(?P<unit2>{_UNIT}))? ?"
    rf"(?P<suffix>{_alternation(SUFFIX_OPERATORS)})? ?"
    rf"(?P<tail>{_alternation(TAILS)})?"
    rf"(?: ?/ ?(?P<per_after>[{_CJK}A-Za-z·]{{1,8}}))?"
)

def _words_for(words: dict[str, str], operator: str) -> str:
    return _alternation(word for word, op in words.items() if op == operator)


# "≥90%且≤95%", "90%以上95%以下": a range written as its two bounds.
_BOUNDS = re.compile(
    rf"(?P<label>{_LABEL})?? ?"
    rf"(?:(?:{_words_for(OPERATOR_WORDS, '>=')}) ?(?P<lo>{_NUMBER}) ?(?P<lo_unit>{_UNIT})"
    rf"|(?P<lo_s>{_NUMBER}) ?(?P<lo_s_unit>{_UNIT}) ?(?:{_words_for(SUFFIX_OPERATORS, '>=')}))"
    r" ?(?:且|并且|,|、)? ?"
    rf"(?:(?:{_words_for(OPERATOR_WORDS, '<=')}) ?(?P<hi>{_NUMBER}) ?(?P<hi_unit>{_UNIT})"
    rf"|(?P<hi_s>{_NUMBER}) ?(?P<hi_s_unit>{_UNIT}) ?(?:{_words_for(SUFFIX_OPERATORS, '<=')}))"
)
_BEFORE = r"(?:之前|以前|前)(?:完成|到位|办结)?"
_END = rf"(?:{_BEFORE}|完成|到位|办结|止|为止)?"
# After a quarter or half year: 末前 is its end, a bare 前 (第四季度前) could be its start.
_PERIOD_END = rf"(?:[末底]{_END}|内(?:完成)?|完成|到位|办结)?"
_DATE = re.compile(
    r"(?:截至|截止|截止到|于|在)?(?:"
    rf"(?:(?P<y1>[0-9]{{4}})年)?(?P<m1>[0-9]{{1,2}})月(?:(?P<d1>[0-9]{{1,2}})[日号]|[底末]){_END}"
    rf"|(?P<y2>[0-9]{{4}})(?P<sep>[-./])(?P<m2>[0-9]{{1,2}})(?P=sep)(?P<d2>[0-9]{{1,2}})[日号]?{_END}"
    rf"|(?P<y5>[0-9]{{4}})年(?P<m5>[0-9]{{1,2}})月(?:底|末|份)?(?:完成|止|为止)?"
    rf"|(?P<y3>[0-9]{{4}})?年[底末]{_END}"
    r"|(?P<y4>[0-9]{4})?年度?内(?:完成)?"
    r"|(?P<y6>[0-9]{4})年度?完成"
    rf"|(?:(?P<y7>[0-9]{{4}})年)?第?(?P<q>[一二三四1-4])季度{_PERIOD_END}"
    rf"|(?:(?P<y8>[0-9]{{4}})年)?(?P<half>[上下])半年{_PERIOD_END}"
    r")"
)
_CHINESE_NUMBER = re.compile(
    rf"(?:百分之|{_alternation(OPERATOR_WORDS)})[{_CN_NUMERAL_CHARS}半]"
    rf"|(?:{_CHINESE})(?:{_alternation(NUMERAL_UNITS)})"
    rf"|零(?:{_alternation(CHANGE_WORDS)})"
)
_ARABIC_DIGIT = re.compile(r"[0-9]")
_LETTER = re.compile(r"[^\W\d_]")
_WHITESPACE = re.compile(r"\s+")
_UNIT_SPELLINGS_LONGEST_FIRST = sorted(_UNIT_SPELLINGS.items(), key=lambda item: -len(item[0]))


@dataclass(frozen=True, slots=True)
class Target:
    """One target as published (``text``) and what it says, when that is certain.

    A range ("90%-95%") has operator ``between``, its lower bound in ``value`` and its upper
    bound in ``value_max``; every other target has ``value_max`` None.
    """

    text: str
    operator: str | None
    value: Decimal | None
    unit: str | None
    per: str | None
    kind: str
    deadline: date | None
    value_max: Decimal | None = None


def parse_target(text: str | None, *, fiscal_year: int | None = None) -> Target:
    """Parse a 指标值; never raises, and returns kind 'unparsed' rather than guess.

    ``fiscal_year`` completes dates written without a year ("12月底前", "年底前").
    """
    return _parse_target(text, fiscal_year)


# Departments repeat the same few thousand texts; a Target is frozen and the reading depends
# only on (text, fiscal_year), so each distinct pair is parsed once per process.
PARSE_CACHE_SIZE = 1 << 16


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def _parse_target(text: str | None, fiscal_year: int | None) -> Target:
    text = "" if text is None else text
    cleaned = text.strip()
    if not cleaned or len(cleaned) > MAX_TEXT_LENGTH:
        return _unparsed(text)
    cleaned = _clean(cleaned)
    if not _LETTER.search(cleaned) and not _ARABIC_DIGIT.search(cleaned):
        return _unparsed(text)  # "—", "/", "-": a placeholder, not a target
    if (match := _DATE.fullmatch(cleaned)) is not None:
        deadline = _deadline(match, fiscal_year)
        if deadline is None:
            return _unparsed(text)
        return Target(text, "<=", None, None, None, "deadline", deadline)
    if (match := _QUANTITY.fullmatch(cleaned)) is not None and (target := _quantity(text, match)):
        return target
    if (match := _BOUNDS.fullmatch(cleaned)) is not None and (target := _bounds(text, match)):
        return target
    if _has_number(cleaned):
        return _unparsed(text)
    return Target(text, None, None, None, None, "qualitative", None)


def _clean(text: str) -> str:
    """Fold full-width forms (９５％ -> 95%), keep ㎡-like units as words, trim end punctuation."""
    for written, word in _UNIT_SPELLINGS_LONGEST_FIRST:
        text = text.replace(written, word)
    text = unicodedata.normalize("NFKC", text).strip()
    text = _WHITESPACE.sub(" ", text)
    while text and text[-1] in _TRAILING:
        text = text[:-1].rstrip()
    return text


def _has_number(cleaned: str) -> bool:
    """Arabic digits, or a Chinese numeral used as one (三次, 百分之九十, 不少于两), not 一流."""
    return bool(_ARABIC_DIGIT.search(cleaned) or _CHINESE_NUMBER.search(cleaned))


def _unparsed(text: str) -> Target:
    return Target(text, None, None, None, None, "unparsed", None)


def _deadline(match: re.Match[str], fiscal_year: int | None) -> date | None:
    """The last day the target allows; None when the year is unknown or the date invalid."""
    g = match.groupdict()
    year_text = g["y1"] or g["y2"] or g["y3"] or g["y4"] or g["y5"] or g["y6"] or g["y7"] or g["y8"]
    year = int(year_text) if year_text else fiscal_year
    if year is None:
        return None
    month_text, day_text = g["m1"] or g["m2"] or g["m5"], g["d1"] or g["d2"]
    if g["q"]:  # 第三季度: the quarter's last month
        quarter = "一二三四".find(g["q"]) + 1 or int(g["q"])
        month_text = str(3 * quarter)
    if g["half"]:  # 上半年: by 30 June; 下半年: by the year's end
        month_text = "6" if g["half"] == "上" else "12"
    try:
        month = int(month_text) if month_text else 12
        day = int(day_text) if day_text else calendar.monthrange(year, month)[1]
        return date(year, month, day)
    except (ValueError, OverflowError):
        return None


def _quantity(text: str, match: re.Match[str]) -> Target | None:
    """Combine the pieces. None: the text has no number after all (一流, 统一); an unparsed
    Target: the pieces contradict each other or a number is irregular."""
    g = match.groupdict()
    first = _number(g["num"], g["unit"])
    if first is None:
        return None
    ranged = g["num2"] is not None
    second = _number(g["num2"], g["unit2"]) if ranged else None
    if ranged and second is None:
        return None
    if first is _IRREGULAR or second is _IRREGULAR:
        return _unparsed(text)
    value, unit = first
    if ranged:
        value_max, unit_max = second
        if unit is None:
            unit = unit_max
        elif unit_max is not None and unit_max != unit:
            return _unparsed(text)  # "5个-10次": which unit?
        if value >= value_max:
            return _unparsed(text)
    label, op_word, suffix = (g["lead"] or "") + (g["label"] or ""), g["op"] or "", g["suffix"] or ""
    if _label_is_not_a_name(label):
        return _unparsed(text)
    if _is_not_an_amount(unit, value, value_max if ranged else None):
        return _unparsed(text)
    before, after = OPERATOR_WORDS.get(op_word), SUFFIX_OPERATORS.get(suffix)
    if ranged:
        if (before and op_word not in RANGE_WORDS) or after:
            return _unparsed(text)  # "≥90%-95%": a bound and a range
        operator = "between"
    else:
        if before and after and before != after:
            return _unparsed(text)
        if g["tail"] == "之间":
            return _unparsed(text)
        operator = before or after or "="
    if g["per"] and g["per_after"]:
        return _unparsed(text)
    per = g["per"] or g["per_after"]
    return Target(text, operator, value, unit, per, "quantitative", None, value_max if ranged else None)


def _bounds(text: str, match: re.Match[str]) -> Target | None:
    """A lower bound (>=) and an upper bound (<=) of the same unit: the range between them."""
    g = match.groupdict()
    low = _number(g["lo"] or g["lo_s"], g["lo_unit"] if g["lo"] else g["lo_s_unit"])
    high = _number(g["hi"] or g["hi_s"], g["hi_unit"] if g["hi"] else g["hi_s_unit"])
    if low is None or high is None:
        return None
    if low is _IRREGULAR or high is _IRREGULAR:
        return _unparsed(text)
    (value, unit), (value_max, unit_max) = low, high
    if unit is not None and unit_max is not None and unit != unit_max:
        return _unparsed(text)
    unit = unit or unit_max
    if value >= value_max or _label_is_not_a_name(g["label"] or "") or _is_not_an_amount(unit, value, value_max):
        return _unparsed(text)
    return Target(text, "between", value, unit, None, "quantitative", None, value_max)


def _label_is_not_a_name(label: str) -> bool:
    """A change or a comparison hides in the label ("比上年增长", "低于上年"); single-character
    operator words (达, 为) are ordinary inside names such as 达标率."""
    if not label:
        return False
    if label.endswith("率"):  # 节约率, 下降率: the rate is the level
        return _OPERATOR_IN_LABEL.search(label) is not None
    return _OPERATOR_OR_CHANGE_IN_LABEL.search(label) is not None


# A search for any of the words: found exactly when one of them is a substring of the label.
_LABEL_OPERATOR_WORDS = tuple(word for word in OPERATOR_WORDS if len(word) > 1)
_OPERATOR_IN_LABEL = re.compile(_alternation(_LABEL_OPERATOR_WORDS))
_OPERATOR_OR_CHANGE_IN_LABEL = re.compile(_alternation(_LABEL_OPERATOR_WORDS + CHANGE_WORDS))


_IRREGULAR = object()  # a numeral with no single reading, such as 三百五 (350 or 305?)


def _number(written: str, unit_text: str) -> tuple[Decimal, str | None] | object | None:
    """(value, unit) of one number and the unit after it; _IRREGULAR or None (not a number)."""
    unit = unit_text.replace(" ", "") or None
    percent = written.startswith("百分之")
    digits = written.removeprefix("百分之")
    if percent:
        if unit is not None:
            return _IRREGULAR  # "百分之90次"
        unit = "%"
    if digits[0].isdigit():
        return Decimal(digits.replace(",", "")), unit
    if not percent and unit is not None and not _known_numeral_unit(unit):
        return None  # 一流, 统一: a word, not a number
    if percent and digits == "百":
        return Decimal(100), unit  # 百分之百
    number = Decimal("0.5") if digits == "半" else _chinese_int(digits)
    if number is None:
        return _IRREGULAR
    return Decimal(number), unit


def _known_numeral_unit(unit: str) -> bool:
    return unit in NUMERAL_UNITS or any(unit.startswith(u) for u in ("个", "余"))


def _is_not_an_amount(unit: str | None, value: Decimal, value_max: Decimal | None) -> bool:
    """"2024年" names a year, not a count of years; "12月前", "3天后" a point in time; "6-8月" may
    be June to August; "1小时内响应到场" hides a second clause after 内."""
    if unit is None:
        return False
    if any(when in unit for when in "前后") or unit == "月" or any(w in unit for w in ("内", "以上", "以下")):
        return True
    return unit.startswith("年") and any(
        v is not None and 1900 <= v <= 2100 and v == v.to_integral() for v in (value, value_max)
    )


def _chinese_int(numeral: str) -> int | None:
    """Read 零 … 九千九百九十九亿…; None for irregular forms such as 三百五 (350 or 305?),
    一万五 (15000, colloquially) or 十两 (a weight)."""
    if numeral in ("零", "〇"):
        return 0
    pieces, rest = [], numeral
    for big, factor in (("亿", 10**8), ("万", 10**4)):
        head, found, tail = rest.partition(big)
        if found:
            if big in tail or not head:
                return None
            pieces.append((head, factor))
            rest = tail
    pieces.append((rest, 1))
    total = 0
    for index, (part, factor) in enumerate(pieces):
        if index == 0:
            value = _chinese_section(part, lead=True)
        elif not part:
            continue
        elif part[0] in "零〇":  # 一万零五百: a lower part below 1000 is led by 零
            value = _chinese_section(part[1:], lead=False)
            value = value if value is not None and value < 1000 else None
        else:  # 一万五千, never 一万五 (15000 only colloquially)
            value = _chinese_section(part, lead=False)
            value = value if value is not None and value >= 1000 else None
        if value is None:
            return None
        total += value * factor
    return total


def _chinese_section(numeral: str, *, lead: bool) -> int | None:
    """0 < n < 10000 written with 千, 百, 十 in order, 零 only where a place is skipped."""
    if not numeral or any(c not in _CN_DIGITS and c not in _CN_SMALL for c in numeral):
        return None
    total, digit, digit_char, last, zero = 0, None, "", 10**4, False
    for char in numeral:
        if (multiplier := _CN_SMALL.get(char)) is not None:
            if digit is None:
                if not (multiplier == 10 and total == 0 and not zero and lead):
                    return None
                digit, digit_char = 1, "一"  # 十二 is 一十二
            if multiplier >= last or digit == 0:
                return None
            if total and not zero and last != multiplier * 10:
                return None  # 一千五十: a place skipped without 零
            if zero and last == multiplier * 10:
                return None  # 一百零五十: 零 where no place is skipped
            total, digit, last, zero = total + digit * multiplier, None, multiplier, False
        elif _CN_DIGITS[char] == 0:
            if digit is not None or total == 0 or zero:
                return None
            zero = True
        elif digit is not None:
            return None
        else:
            digit, digit_char = _CN_DIGITS[char], char
    if digit is None:
        return None if zero or total == 0 else total
    if digit_char == "两" and total:
        return None  # 两 only leads a number or a place: "十两" is a weight
    if total and not zero and last != 10:
        return None  # 三百五: 350 or 305?
    if zero and last < 100:
        return None
    return total + digit
