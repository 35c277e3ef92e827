"""Every field of parse_target, for the seed's real targets and the other supported shapes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from pipelines.ingest.targets import KINDS, MAX_TEXT_LENGTH, OPERATORS, Target, parse_target

D = Decimal
UNPARSED = (None, None, None, None, "unparsed", None)

# text, operator, value, unit, per
QUANTITATIVE = [
    # The seed's real targets.
    ("100%", "=", D("100"), "%", None),
    ("≥95%", ">=", D("95"), "%", None),
    ("≥90%", ">=", D("90"), "%", None),
    ("≤2次", "<=", D("2"), "次", None),
    (">95%", ">", D("95"), "%", None),
    ("不少于1次", ">=", D("1"), "次", None),
    ("不低于90%", ">=", D("90"), "%", None),
    ("每年不超过6次", "<=", D("6"), "次", "年"),
    ("≥98%", ">=", D("98"), "%", None),
    ("每人超过4件", ">", D("4"), "件", "人"),
    ("超过80%", ">", D("80"), "%", None),
    ("≥5", ">=", D("5"), None, None),
    # Bare values.
    ("12个", "=", D("12"), "个", None),
    ("3000人次", "=", D("3000"), "人次", None),
    ("99.5%", "=", D("99.5"), "%", None),
    ("5‰", "=", D("5"), "‰", None),
    # Operator families, words and symbols.
    (">=95%", ">=", D("95"), "%", None),
    ("达到100%", ">=", D("100"), "%", None),
    ("大于等于3场", ">=", D("3"), "场", None),
    ("至少2篇", ">=", D("2"), "篇", None),
    ("<=5个工作日", "<=", D("5"), "个工作日", None),
    ("≤3工作日", "<=", D("3"), "工作日", None),
    ("不高于5%", "<=", D("5"), "%", None),
    ("不多于3项", "<=", D("3"), "项", None),
    ("小于等于10天", "<=", D("10"), "天", None),
    ("最多2次", "<=", D("2"), "次", None),
    ("高于85%", ">", D("85"), "%", None),
    ("大于0", ">", D("0"), None, None),
    ("多于10户", ">", D("10"), "户", None),
    ("<5%", "<", D("5"), "%", None),
    ("低于3%", "<", D("3"), "%", None),
    ("小于1小时", "<", D("1"), "小时", None),
    ("少于2次", "<", D("2"), "次", None),
    ("=100%", "=", D("100"), "%", None),
    ("等于100%", "=", D("100"), "%", None),
    # Operators written after the value.
    ("90%以上", ">=", D("90"), "%", None),
    ("3天以内", "<=", D("3"), "天", None),
    ("5%以下", "<=", D("5"), "%", None),
    ("不低于90%以上", ">=", D("90"), "%", None),
    # Per-qualifiers before and after.
    ("6次/年", "=", D("6"), "次", "年"),
    ("≤500元/人", "<=", D("500"), "元", "人"),
    ("每季度≥1次", ">=", D("1"), "次", "季度"),
    ("每月不少于2次", ">=", D("2"), "次", "月"),
    ("每人次不超过30分钟", "<=", D("30"), "分钟", "人次"),
    # Numbers.
    ("3,000人次", "=", D("3000"), "人次", None),
    ("≥1,234.5万元", ">=", D("1234.5"), "万元", None),
    ("≥９５％", ">=", D("95"), "%", None),
    ("＞９９．５％", ">", D("99.5"), "%", None),
    ("＜＝３次", "<=", D("3"), "次", None),
    ("一次", "=", D("1"), "次", None),
    ("两次", "=", D("2"), "次", None),
    ("十二个", "=", D("12"), "个", None),
    ("二十", "=", D("20"), None, None),
    ("九十九家", "=", D("99"), "家", None),
    ("不少于一百零五人", ">=", D("105"), "人", None),
    ("百分之九十五", "=", D("95"), "%", None),
    ("不低于百分之90", ">=", D("90"), "%", None),
    # Longest unit wins.
    ("2人", "=", D("2"), "人", None),
    ("5日", "=", D("5"), "日", None),
    ("6个月", "=", D("6"), "个月", None),
    ("1.5万人次", "=", D("1.5"), "万人次", None),
    ("20平方米", "=", D("20"), "平方米", None),
    # The unit is whatever follows the number, then normalized.
    ("≥680万平方米", ">=", D("680"), "万平方米", None),
    ("≥500000平方米", ">=", D("500000"), "平方米", None),
    ("500㎡", "=", D("500"), "平方米", None),
    ("≥2000kWh", ">=", D("2000"), "kWh", None),
    ("12个街道", "=", D("12"), "个街道", None),
    ("100分", "=", D("100"), "分", None),
    ("3个工作日内完成", "<=", D("3"), "个工作日", None),
    ("90%（含）以上", ">=", D("90"), "%", None),
    ("达到95%以上", ">=", D("95"), "%", None),
    # A label before the target names what is measured.
    ("满意度≥90%", ">=", D("90"), "%", None),
    ("完成率达95%", ">=", D("95"), "%", None),
    ("控制在5%以内", "<=", D("5"), "%", None),
    # Chinese numerals with 千, 万, 亿 and 半.
    ("两万元", "=", D("20000"), "元", None),
    ("一万零五百人次", "=", D("10500"), "人次", None),
    ("半小时内", "<=", D("0.5"), "小时", None),
    ("零事故", "=", D("0"), "事故", None),
    ("每季度开展1次", "=", D("1"), "次", "季度"),
    ("每个项目1次", "=", D("1"), "次", "个项目"),
    ("巡查频次每天2次", "=", D("2"), "次", "天"),
    ("1小时内响应", "<=", D("1"), "小时", None),
    ("生活垃圾无害化处理率100%", "=", D("100"), "%", None),
    ("成本节约率≥5%", ">=", D("5"), "%", None),
    # Whitespace and trailing punctuation around the target.
    ("  ≥95%；", ">=", D("95"), "%", None),
    ("\u3000100%。", "=", D("100"), "%", None),
    ("\xa0≥ 95 %\xa0", ">=", D("95"), "%", None),
]


@pytest.mark.parametrize(("text", "operator", "value", "unit", "per"), QUANTITATIVE)
def test_quantitative(
    text: str, operator: str, value: Decimal, unit: str | None, per: str | None
) -> None:
    target = parse_target(text)
    assert target == Target(text, operator, value, unit, per, "quantitative", None)
    assert isinstance(target.value, Decimal)


# text, lower bound, upper bound, unit, per
RANGES = [
    ("90%-95%", D("90"), D("95"), "%", None),
    ("5～10个", D("5"), D("10"), "个", None),
    ("5~10个", D("5"), D("10"), "个", None),
    ("5〜10个", D("5"), D("10"), "个", None),
    ("3-5次/年", D("3"), D("5"), "次", "年"),
    ("3至5天", D("3"), D("5"), "天", None),
    ("3到5天", D("3"), D("5"), "天", None),
    ("3天-5天", D("3"), D("5"), "天", None),
    ("90%-95", D("90"), D("95"), "%", None),
    ("在90%-95%之间", D("90"), D("95"), "%", None),
    ("控制在3-5天", D("3"), D("5"), "天", None),
    ("每年2-4次", D("2"), D("4"), "次", "年"),
    ("1.5-2.5万元", D("1.5"), D("2.5"), "万元", None),
]


@pytest.mark.parametrize(("text", "low", "high", "unit", "per"), RANGES)
def test_range(text: str, low: Decimal, high: Decimal, unit: str, per: str | None) -> None:
    assert parse_target(text) == Target(text, "between", low, unit, per, "quantitative", None, high)


@pytest.mark.parametrize(
    "text",
    ["正常开展", "有效提高", "是", "及时", "显著加强", "否", "达标", "合格", "正常运行", "有所提升",
     "明显改善", "提高", "良好", "优", "满意", "按时完成", "逐步提高", "持续改善", "进一步提升",
     "及时、准确", "有效提高。", " 合格；", "规范，",
     # No word list: any text without a number is qualitative.
     "有效减轻", "有所减轻", "持续巩固", "逐步健全", "更加浓厚", "有效遏制", "有效保障", "详见附件",
     "按合同约定", "是否", "提高群众满意度", "全年", "一流", "统一规范", "十四五规划落实", "无", "一类"],
)
def test_qualitative(text: str) -> None:
    assert parse_target(text) == Target(text, None, None, None, None, "qualitative", None)


@pytest.mark.parametrize(
    ("text", "deadline"),
    [
        ("2024年12月31日前", date(2024, 12, 31)),
        ("2024年6月30日之前", date(2024, 6, 30)),
        ("2024年12月底前", date(2024, 12, 31)),
        ("2024年2月底前", date(2024, 2, 29)),
        ("2024年底前", date(2024, 12, 31)),
        ("2025年底前", date(2025, 12, 31)),
        ("12月底前", date(2024, 12, 31)),
        ("6月30日前", date(2024, 6, 30)),
        ("年底前", date(2024, 12, 31)),
        ("年内", date(2024, 12, 31)),
        ("年度内完成", date(2024, 12, 31)),
        ("2024-12-31前", date(2024, 12, 31)),
        ("2024.12.31前", date(2024, 12, 31)),
        ("2024/9/1前", date(2024, 9, 1)),
        ("2024年11月底前完成", date(2024, 11, 30)),
        ("２０２４年１２月３１日前", date(2024, 12, 31)),
        # A date alone, or with 完成/截至, is a deadline too; ranges never read a date.
        ("2024年12月31日", date(2024, 12, 31)),
        ("2024-12-31", date(2024, 12, 31)),
        ("2024年12月", date(2024, 12, 31)),
        ("2024年6月底", date(2024, 6, 30)),
        ("截至2024年12月31日", date(2024, 12, 31)),
        ("12月底", date(2024, 12, 31)),
        ("年底", date(2024, 12, 31)),
        ("2024年度完成", date(2024, 12, 31)),
    ],
)
def test_deadline(text: str, deadline: date) -> None:
    expected = Target(text, "<=", None, None, None, "deadline", deadline)
    assert parse_target(text, fiscal_year=2024) == expected


def test_explicit_year_wins_over_fiscal_year() -> None:
    assert parse_target("2023年12月31日前", fiscal_year=2024).deadline == date(2023, 12, 31)


@pytest.mark.parametrize(
    ("text", "fiscal_year"),
    [
        ("", 2024),
        ("   ", 2024),
        ("三百五人", 2024),  # 350 or 305?
        ("一万五人", 2024),  # 15000 only colloquially
        ("≥90%或≥5次", 2024),  # two targets
        ("第一季度完成50%，全年完成100%", 2024),
        ("比上年增长5%", 2024),  # a change, not a level
        ("低于上年5%", 2024),
        ("≥90%-95%", 2024),  # a bound and a range
        ("95%-90%", 2024),  # bounds reversed
        ("5个-10次", 2024),  # two units
        ("百分之90次", 2024),
        ("2024-2025年", 2024),  # years, not a count of years
        ("12月前", 2024),  # before December, or by its end?
        ("6-8月", 2024),  # June to August, or 6 to 8 months?
        ("6月", 2024),
        ("1小时内响应并处置完毕", 2024),  # a second clause after 内
        ("—", 2024),  # a placeholder
        ("/", 2024),
        ("超过90%以上", 2024),  # > and >= disagree
        ("每年6次/月", 2024),  # two per-qualifiers
        ("2024年", 2024),  # a year, not a count of years
        ("3 000人", 2024),
        ("30,00人", 2024),
        ("2024年2月30日前", 2024),  # no such day
        ("2024-13-01前", 2024),
        ("2024年13月底前", 2024),
        ("0000年底前", 2024),
        ("2024-12.31前", 2024),  # mixed separators
        ("12月底前", None),  # year unknown
        ("年底前", None),
        ("年内", None),
        ("x" * (MAX_TEXT_LENGTH + 1), 2024),
        ("9" * 100_000, 2024),
        ("≥95%" + " " * 100_000 + "以上", 2024),
    ],
)
def test_unparsed(text: str, fiscal_year: int | None) -> None:
    assert parse_target(text, fiscal_year=fiscal_year) == Target(text, *UNPARSED)


def test_none_is_unparsed_empty_text() -> None:
    assert parse_target(None) == Target("", *UNPARSED)


def test_text_is_kept_unchanged() -> None:
    text = "\u3000≥９５％；"
    assert parse_target(text).text == text


def test_public_constants() -> None:
    assert OPERATORS == (">=", "<=", ">", "<", "=", "between")
    assert KINDS == ("quantitative", "qualitative", "deadline", "unparsed")


def test_target_is_frozen() -> None:
    target = parse_target("100%")
    with pytest.raises(AttributeError):
        target.value = D("1")  # type: ignore[misc]


def test_cached_reading_depends_on_the_fiscal_year() -> None:
    """Readings are cached per (text, fiscal_year): a year-less deadline must not leak across years."""
    assert parse_target("12月底前", fiscal_year=2024).deadline == date(2024, 12, 31)
    assert parse_target("12月底前", fiscal_year=2025).deadline == date(2025, 12, 31)
    assert parse_target("12月底前").kind == "unparsed"
    assert parse_target("12月底前", fiscal_year=2024).deadline == date(2024, 12, 31)
