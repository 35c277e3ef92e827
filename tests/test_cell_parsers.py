"""Amount cells, the 绩效指标 cell and the fiscal year: the rules of the published layout."""

from decimal import Decimal
from pathlib import PurePosixPath

import pytest

from pipelines.ingest.amounts import parse_amount
from pipelines.ingest.errors import IssueCategory, TableError
from pipelines.ingest.fiscal_year import resolve_fiscal_year
from pipelines.ingest.indicators import split_indicators


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2,177.86", "2177.86"),
        ("1,359.11", "1359.11"),
        ("0.90", "0.90"),
        ("", "0.00"),
        ("  30 ", "30.00"),
        ("12.5", "12.50"),
        ("-", "0.00"),
        ("1，000.00", "1000.00"),
        ("1,234.56", "1234.56"),
        ("12,345", "12345.00"),
        ("-1,234,567.80", "-1234567.80"),
        ("9999999999.99", "9999999999.99"),
    ],
)
def test_amounts_are_exact_decimals_in_wan_yuan(text, expected):
    value = parse_amount(text, line=7, column="总计")
    assert value == Decimal(expected)
    assert str(value) == expected


@pytest.mark.parametrize("text", ["12a.5", "一百", "1.2.3", "NaN"])
def test_an_amount_that_is_not_a_number_names_line_and_column(text):
    with pytest.raises(TableError) as caught:
        parse_amount(text, line=14, column="财政拨款")
    assert caught.value.category is IssueCategory.BAD_AMOUNT
    assert caught.value.line == 14
    assert "财政拨款" in caught.value.message and repr(text) in caught.value.message


@pytest.mark.parametrize("text", ["12,34", "1,2345", "1,234,", ",123", "1.234,56"])
def test_thousands_separators_out_of_place_are_a_bad_amount(text):
    """12,34 is neither 1234 nor 12.34: a typo, not a number to guess at."""
    with pytest.raises(TableError) as caught:
        parse_amount(text, line=9, column="总计")
    assert caught.value.category is IssueCategory.BAD_AMOUNT
    assert caught.value.line == 9
    assert caught.value.message == (
        f"总计 {text!r} has its thousands separators in the wrong place (groups of three digits expected, as in 1,234.56)"
    )


def test_an_amount_beyond_any_budget_is_named_on_its_line():
    """Sums of such cells would not fit DECIMAL(18,2): the cell is refused, not its unit's sum."""
    with pytest.raises(TableError) as caught:
        parse_amount("9999999999999999.99", line=12, column="财政拨款")
    assert (caught.value.category, caught.value.line) == (IssueCategory.BAD_AMOUNT, 12)
    assert caught.value.message == "财政拨款 '9999999999999999.99' is too large: 万元 below 10,000,000,000 expected"


def test_an_amount_finer_than_a_fen_is_refused():
    with pytest.raises(TableError, match="more than two decimal places"):
        parse_amount("1.234", line=3, column="总计")


def test_full_width_colons_and_parentheses_in_names():
    cell = (
        "1、1-产出指标：12-质量指标：法律风险次数（败诉或法院不严谨追责）；实施周期指标值：≤2次；年度指标值：≤2次。"
        "2、2-效益指标:31-服务对象满意度:满意度(职员);实施周期指标值:≥95%;年度指标值:≥95%。"
    )
    first, second = split_indicators(cell, line=15)
    assert (first.level1_code, first.level1_name, first.level2_code, first.level2_name) == (
        "1", "产出指标", "12", "质量指标"
    )
    assert first.name == "法律风险次数（败诉或法院不严谨追责）"
    assert (first.period_target_text, first.annual_target_text) == ("≤2次", "≤2次")
    assert (second.seq, second.level2_code, second.name) == (2, "31", "满意度(职员)")
    assert second.annual_target_text == "≥95%"


def test_indicators_without_local_codes_keep_their_names():
    (item,) = split_indicators("1、产出指标：数量指标：培训人次；实施周期指标值:100；年度指标值:50。", line=4)
    assert (item.level1_code, item.level1_name, item.level2_code, item.level2_name) == (
        None, "产出指标", None, "数量指标"
    )
    assert (item.period_target_text, item.annual_target_text) == ("100", "50")


def test_an_empty_indicator_cell_has_no_indicators():
    assert split_indicators("  ", line=4) == []


@pytest.mark.parametrize(
    ("cell", "category"),
    [
        ("1、1-产出指标：11-数量指标：次数；实施周期指标值:1次；年度指标值:1次。2、1-产出指标：12-质量", IssueCategory.TRUNCATED_INDICATOR),
        ("1、1-产出指标：11-数量指标：次数；实施周期指标值:1次；年度指标值:1次。2、2-效益指标：22-社会效益：效益；实施周期指标值:有效；年度指标值:有", IssueCategory.TRUNCATED_INDICATOR),
        ("产出指标很多", IssueCategory.MALFORMED_INDICATOR),
        ("2、1-产出指标：11-数量指标：次数；实施周期指标值:1次；年度指标值:1次。", IssueCategory.MALFORMED_INDICATOR),
    ],
)
def test_a_broken_indicator_cell_says_which_item_and_why(cell, category):
    with pytest.raises(TableError) as caught:
        split_indicators(cell, line=19)
    assert caught.value.category is category
    assert caught.value.line == 19


def test_fiscal_year_comes_from_the_year_folder_first():
    assert resolve_fiscal_year(PurePosixPath("2024/x.txt"), "2023年项目支出绩效目标表", title_line=3) == 2024
    assert resolve_fiscal_year(PurePosixPath("2025年/x.txt"), "", title_line=3) == 2025


def test_fiscal_year_falls_back_to_the_title():
    assert resolve_fiscal_year(PurePosixPath("x.txt"), "2023年项目支出绩效目标表", title_line=3) == 2023


def test_a_file_without_a_year_is_rejected_with_a_reason():
    with pytest.raises(TableError) as caught:
        resolve_fiscal_year(PurePosixPath("x.txt"), "项目支出绩效目标表", title_line=3)
    assert caught.value.category is IssueCategory.UNKNOWN_FISCAL_YEAR
    assert caught.value.line == 3
    assert "raw/2024/" in caught.value.message


@pytest.mark.parametrize("folder", ["２０２４", "２０２４年", "２０２４年度", "2024"])
def test_a_full_width_year_folder_names_the_year(folder):
    path = PurePosixPath(folder, "部门.txt")
    assert resolve_fiscal_year(path, "项目支出绩效目标表", title_line=1) == 2024


def test_a_full_width_year_in_the_title_names_the_year():
    assert resolve_fiscal_year(PurePosixPath("部门.txt"), "２０２４年项目支出绩效目标表", title_line=1) == 2024


def test_digits_of_other_scripts_name_no_year():
    with pytest.raises(TableError) as caught:
        resolve_fiscal_year(PurePosixPath("٢٠٢٤", "部门.txt"), "项目支出绩效目标表", title_line=3)
    assert (caught.value.category, caught.value.line) == (IssueCategory.UNKNOWN_FISCAL_YEAR, 3)


@pytest.mark.parametrize(
    "written, total",
    [
        ("250万", "250.00"),
        ("250万元", "250.00"),
        ("120.50", "120.50"),
        ("854万(高标准农田建设400万元,示范建设295万元,畅通工程159万元)", "854.00"),
        ("854万854万(高标准农田建设400万元,示范建设295万元,畅通工程159万元)", "854.00"),
        ("资金总额: 250\n一、预算资金:250\n二、自有资金:0\n三、其他:0", "250.00"),
        ("年度资金总额:16\n其中 :上级资金16", "16.00"),
        ("1,234.5万", "1234.50"),
    ],
)
def test_a_funds_cell_as_written_gives_its_total_in_wan_yuan(written, total):
    from pipelines.ingest.amounts import parse_written_amount

    assert parse_written_amount(written, line=3, column="年度资金总额") == Decimal(total)


@pytest.mark.parametrize(
    "written, says",
    [
        ("250万300万", "holds different totals (250.00, 300.00)"),
        ("3,309,840.00元", "is in 元, in a form whose amounts are 万元"),
        ("12,34万", "thousands separators in the wrong place"),
        ("约250万", "is not a number"),
    ],
)
def test_a_funds_cell_that_is_not_one_total_is_a_bad_amount(written, says):
    from pipelines.ingest.amounts import parse_written_amount

    with pytest.raises(TableError) as raised:
        parse_written_amount(written, line=3, column="年度资金总额")
    assert raised.value.category is IssueCategory.BAD_AMOUNT
    assert says in raised.value.message
