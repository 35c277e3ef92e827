"""Synthetic 项目支出绩效目标表 files, laid out byte for byte like the published ones.

The pipeline is benchmarked and property-tested on these, so every table reconciles
exactly (row totals, unit subtotals, 合计), amounts are Decimal (never float), and the
same arguments always give the same bytes: each department draws from its own
`random.Random` seeded with a string, which hashes the same in every process.

    python -m bench.generate --departments 10000 --seed 7 --out /tmp/bench [--years 2023,2024]
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TextIO

TITLE = "项目支出绩效目标表（含转移支付项目）"
HEADER = "\t".join(("项目名称（资金使用单位）", "总计", "财政拨款", "财政专户拨款", "其他资金", "绩效目标", "绩效指标"))  # noqa: FLY002
# Mirrors raw/<year>/<department>_<year>_项目支出绩效目标表.txt, so readers that take the year
# from the file name work on bench output too.
FILE_NAME = "{department}_{year}_项目支出绩效目标表.txt"
UNSAFE_FILE_CHARS = str.maketrans({c: "_" for c in '/\\:*?"<>| \t\r\n'})
PROGRESS_EVERY = 1000
ZERO = Decimal(0)

CITIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("广州市", ("越秀区", "天河区", "海珠区", "荔湾区", "白云区", "黄埔区", "番禺区", "花都区", "南沙区", "从化区", "增城区")),
    ("深圳市", ("福田区", "罗湖区", "南山区", "宝安区", "龙岗区", "盐田区", "龙华区", "坪山区", "光明区")),
    ("佛山市", ("禅城区", "南海区", "顺德区", "三水区", "高明区")),
    ("珠海市", ("香洲区", "斗门区", "金湾区")),
    ("汕头市", ("金平区", "龙湖区", "濠江区", "潮阳区", "潮南区", "澄海区")),
    ("惠州市", ("惠城区", "惠阳区")),
    ("江门市", ("蓬江区", "江海区", "新会区")),
    ("湛江市", ("赤坎区", "霞山区", "麻章区", "坡头区")),
)
CITY_LEVEL_SHARE = 0.15  # departments of the city itself, without a district
BUREAUS = (
    "教育局", "卫生健康局", "财政局", "政务服务数据管理局", "民政局", "人力资源和社会保障局",
    "住房和城乡建设局", "交通运输局", "水务局", "农业农村局", "文化广电旅游体育局",
    "市场监督管理局", "应急管理局", "司法局", "统计局", "城市管理和综合执法局", "科学技术局",
)
SUBORDINATES: dict[str, tuple[str, ...]] = {
    "教育局": ("第一中学", "第三中学", "实验小学", "第二幼儿园", "教师发展中心", "职业技术学校"),
    "卫生健康局": ("疾病预防控制中心", "妇幼保健院", "人民医院", "卫生监督所"),
    "财政局": ("财政国库支付中心", "财政投资评审中心", "会计服务中心"),
    "政务服务数据管理局": ("政务服务中心", "数字政府运营中心", "12345热线服务中心"),
}
GENERIC_SUBORDINATES = ("机关后勤服务中心", "综合保障中心")
UNIT_COUNT_WEIGHTS = (55, 30, 15)  # 1, 2 or 3 资金使用单位
UNIT_PROJECT_WEIGHTS = (4, 2, 1)  # the department itself carries most projects
SUBORDINATE_FIRST_SHARE = 0.1
HEADING_WITH_LEVEL_SHARE = 0.4  # 部门名称：<department>（本级）

# (name, 绩效目标); "{year}" is filled with the fiscal year.
GENERIC_PROJECTS: tuple[tuple[str, str], ...] = (
    ("业务用房物业管理费", "按时完成缴纳物业管理费支付事宜，保障我局日常运行稳定，营造良好办公环境。"),
    ("办公、业务用房租赁费", "按时完成办公用房租赁费用支付事宜，保障对外服务场所正常运转。"),
    ("其他运行经费", "保障办公、水电设备购置、维护，降低办公、水电设备故障率，营造良好办公环境。"),
    ("专项工作经费", "保障年度法律顾问支出，降低法律风险；保障部门宣传支出；加强内部风险防控。"),
    ("编外人员聘用经费", "保障编外人员合法权益，推进落实辅助人员队伍规范化管理，保障日常工作运转。"),
    ("对口协作经费", "助推我区与协作地区的协作机制更加健全，助力协作地区巩固拓展脱贫攻坚成果。"),
    ("水电费", "按时缴纳水电费，保障我局的日常运行稳定，营造良好的办公环境。"),
    ("{year}年信息化运维项目", "深化“数字政府”改革建设，强化信息安全和网络安全保障，确保政务网络、应用系统及网站等正常运行。"),
    ("{year}年信息化新建项目", "推进数字政府及智慧城市建设工作，切实提升政务服务水平及政府运行效能。"),
    ("网格化经费", "发挥网格化服务管理优势，推进综合网格工作常态化、制度化，提高基层社会治理水平。"),
    ("党建工作经费", "加强基层党组织建设，规范开展组织生活，提升党建工作质量。"),
    ("档案数字化经费", "完成历史档案数字化加工，提升档案管理和利用水平。"),
    ("法律顾问服务费", "聘请常年法律顾问，为重大决策和合同审查提供法律支持，降低法律风险。"),
    ("安全生产专项经费", "开展安全生产检查和隐患整治，防范化解安全风险，保障人民群众生命财产安全。"),
    ("办公设备购置费", "按需购置办公设备，保障日常办公需要，提高工作效率。"),
    ("公务用车运行维护费", "保障公务用车正常运行，规范公务用车管理。"),
    ("宣传工作经费", "开展政策宣传活动，提高群众政策知晓率。"),
    ("业务培训经费", "组织开展业务培训，提升干部职工业务能力和综合素质。"),
    ("会议经费", "保障年度工作会议顺利召开，部署落实年度重点工作。"),
    ("审计及绩效评价费", "委托第三方开展审计和绩效评价，提高财政资金使用效益。"),
    ("政府购买服务经费", "通过政府购买服务方式引入专业力量，提升公共服务供给质量。"),
    ("垃圾分类工作经费", "推进生活垃圾分类工作，改善人居环境。"),
    ("应急物资储备经费", "储备必要应急物资，提升突发事件应急处置能力。"),
    ("信访维稳工作经费", "做好信访接待和矛盾纠纷化解工作，维护社会和谐稳定。"),
    ("统计调查工作经费", "按时完成各项统计调查任务，为决策提供准确数据支撑。"),
    ("食堂运营经费", "保障职工食堂正常运营，提供安全卫生的就餐服务。"),
    ("保安服务费", "保障办公场所安全秩序，防范安全事故发生。"),
    ("{year}年网络安全等级保护测评", "完成重要信息系统等级保护测评，及时整改安全隐患，提升网络安全防护能力。"),
)
BUREAU_PROJECTS: dict[str, tuple[tuple[str, str], ...]] = {
    "教育局": (
        ("学生资助经费", "落实家庭经济困难学生资助政策，确保应助尽助。"),
        ("校舍维修改造经费", "完成校舍维修改造，消除校舍安全隐患，改善办学条件。"),
        ("教师培训经费", "开展教师全员培训，提升教师专业素养和教育教学能力。"),
        ("课后服务补助经费", "保障中小学课后服务正常开展，减轻家长接送负担。"),
    ),
    "卫生健康局": (
        ("基本公共卫生服务经费", "为辖区居民提供基本公共卫生服务，提高居民健康水平。"),
        ("疫苗接种服务经费", "做好免疫规划疫苗接种工作，维持较高接种率。"),
        ("家庭医生签约服务经费", "推进家庭医生签约服务，提升基层医疗服务能力。"),
    ),
    "财政局": (
        ("预算绩效管理工作经费", "全面实施预算绩效管理，提高财政资金配置效率和使用效益。"),
        ("财政信息系统运维费", "保障财政业务系统稳定运行，支撑预算执行和资金支付。"),
    ),
    "政务服务数据管理局": (
        ("政务服务大厅运行经费", "保障政务服务大厅正常运行，为企业群众提供便捷高效的办事服务。"),
        ("12345热线运营经费", "保障12345政务服务便民热线运营，及时回应群众诉求。"),
    ),
}
PROJECT_COUNT = (2, 20, 8)  # triangular(low, high, mode): mean (2 + 20 + 8) / 3 = 10
# Amount bands in hundredths of 万元: 0.50–9.99, 10.00–99.99, 100.00–999.99, 1,000.00–3,000.00.
AMOUNT_BANDS = ((50, 999), (1_000, 9_999), (10_000, 99_999), (100_000, 300_000))
AMOUNT_BAND_WEIGHTS = (25, 40, 28, 7)
# Which of 财政拨款 / 财政专户拨款 / 其他资金 a project is funded from.
FUNDING_MIXES = ("fiscal", "fiscal+special", "fiscal+other", "special", "other")
FUNDING_MIX_WEIGHTS = (85, 8, 4, 1.5, 1.5)

INDICATOR_COUNT_WEIGHTS = (28, 24, 21, 12, 8, 4, 3)  # 2..8 per project: mean 3.72
LABELS = {
    "数量": "1-产出指标：11-数量指标",
    "质量": "1-产出指标：12-质量指标",
    "时效": "1-产出指标：13-时效指标",
    "成本": "1-产出指标：14-成本指标",
    "经济": "2-效益指标：21-经济效益",
    "社会": "2-效益指标：22-社会效益",
    "生态": "2-效益指标：23-生态效益",
    "可持续": "2-效益指标：24-可持续影响",
    "满意度": "2-效益指标：31-服务对象满意度",
}
# Some departments file satisfaction and cost under their own first-level categories.
ALT_SATISFACTION = "3-满意度指标：31-服务对象满意度指标"
ALT_COST = "4-成本指标：41-经济成本指标"
ALT_SATISFACTION_SHARE = 0.25
ALT_COST_SHARE = 0.2
OUTPUT_CATEGORIES = ("数量", "质量", "时效")
OUTPUT_WEIGHTS = (35, 45, 20)
SATISFACTION_SHARE = 0.55  # projects that carry a satisfaction indicator
CATEGORIES = tuple(LABELS)
CATEGORY_WEIGHTS = (22, 22, 14, 6, 5, 18, 4, 5, 4)
# (indicator name, target kind, unit)
INDICATORS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "数量": (
        ("开展业务培训次数", "at_least", "次"), ("服务群众人次", "exactly", "人次"),
        ("采购办公设备数量", "exactly", "台"), ("赴帮扶地区开展调研次数", "at_least", "次"),
        ("开发和改造系统数", "bare", ""), ("网格事件上报量", "per_person", "件"),
        ("机房重要信息设备故障次数", "per_year", "次"), ("开展宣传活动场次", "at_least", "场"),
        ("覆盖学校数量", "exactly", "个"), ("发放宣传资料份数", "at_least", "份"),
    ),
    "质量": (
        ("年度考核通过率", "rate", ""), ("验收合格率", "rate", ""), ("资金使用率", "rate", ""),
        ("办公设备正常运行率", "rate", ""), ("编外人员聘用合规率", "rate", ""),
        ("系统可使用率", "rate", ""), ("法律风险次数（败诉或法院不严谨追责）", "at_most", "次"),
        ("设备故障率", "rate_low", ""), ("项目评审通过率", "rate", ""), ("档案归档完整率", "rate", ""),
    ),
    "时效": (
        ("租金支付及时率", "rate", ""), ("按时完成率", "rate", ""), ("电费支付及时性", "timely", ""),
        ("项目完成时间", "deadline", ""), ("资金拨付及时率", "rate", ""),
        ("采购完成时间", "deadline", ""), ("问题整改完成时限", "deadline", ""),
    ),
    "成本": (
        ("项目支出控制在预算范围内", "cost", ""), ("成本控制", "cost", ""),
        ("预算执行偏差率", "rate_low", ""), ("采购成本节约情况", "effect", ""),
    ),
    "经济": (
        ("降低行政运行成本", "effect", ""), ("节约财政资金", "effect", ""),
        ("企业办事成本下降情况", "effect", ""), ("带动相关产业发展", "effect", ""),
    ),
    "社会": (
        ("是否保障租赁场地工作正常开展", "normal", ""), ("提高工作效率", "effect", ""),
        ("对口协作单位是否满意协作成效", "yes", ""), ("系统正常运行率", "rate", ""),
        ("群众办事便利度", "effect", ""), ("保障单位日常工作正常运转", "normal", ""),
        ("通过重大项目的实施，带动社会经济的发展，加强民生保障", "effect", ""),
    ),
    "生态": (
        ("公共区域环境卫生状况", "effect", ""), ("节能减排成效", "effect", ""),
        ("垃圾分类覆盖率", "rate", ""), ("是否造成环境污染", "yes", ""),
    ),
    "可持续": (
        ("长效管理机制是否建立", "yes", ""), ("对部门履职的持续保障作用", "effect", ""),
        ("信息系统持续稳定运行", "normal", ""), ("服务能力持续提升", "effect", ""),
    ),
    "满意度": (
        ("职员及办事人员对办公环境满意度", "rate", ""), ("服务对象满意度", "rate", ""),
        ("系统运行用户满意度", "rate", ""), ("学生及家长满意度", "rate", ""),
        ("群众满意度", "rate", ""), ("单位员工满意度", "rate", ""),
    ),
}
RATES = ("100%", "≥95%", "≥90%", "≥98%", ">95%", "不低于90%", "超过80%", "≥85%")
RATE_WEIGHTS = (30, 25, 12, 8, 6, 7, 5, 7)
LOW_RATES = ("≤5%", "≤2%", "<3%", "≤1%")
COUNT_FORMS: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {
    "at_least": (("不少于{n}{u}", "≥{n}{u}", "超过{n}{u}"), (1, 2, 3, 4, 5, 6, 10, 12, 20, 50, 100)),
    "exactly": (("{n}{u}",), (2, 3, 5, 8, 12, 20, 30, 100, 500, 1_200, 3_000, 15_000)),
    "at_most": (("≤{n}{u}", "不超过{n}{u}"), (1, 2, 3, 5)),
    "per_year": (("每年不超过{n}{u}",), (3, 4, 6, 10, 12)),
    "per_person": (("每人超过{n}{u}", "每人不少于{n}{u}"), (2, 3, 4, 5)),
    "bare": (("≥{n}",), (3, 5, 8, 10)),
}
SCALED_PERIOD_KINDS = ("at_least", "exactly", "bare")  # 实施周期 may total several years
QUALITATIVE = {
    "timely": ("及时",),
    "yes": ("是",),
    "normal": ("正常开展",),
    "effect": ("有效提高", "显著加强", "明显改善"),
}
DIFFERENT_PERIOD_SHARE = 0.15
FULL_WIDTH_COLON_SHARE = 0.2  # 指标值： instead of 指标值:


@dataclass(frozen=True, slots=True)
class GenerationSummary:
    """What was written, for the CLI line and for tests to check against the files."""

    files: int
    projects: int
    indicators: int
    total_amount: Decimal


@dataclass(frozen=True, slots=True)
class Department:
    """What stays the same across years: names, funding units and category scheme."""

    name: str
    heading: str
    bureau: str
    units: tuple[str, ...]
    labels: dict[str, str]


def _department(seed: int, index: int) -> Department:
    rng = _rng(seed, "department", index)
    city, districts = rng.choice(CITIES)
    place = city if rng.random() < CITY_LEVEL_SHARE else city + rng.choice(districts)
    bureau = rng.choice(BUREAUS)
    suffix = f"{index:05d}"  # unique names, so departments and units never collide
    name = f"{place}{bureau}{suffix}"
    unit_count = rng.choices((1, 2, 3), weights=UNIT_COUNT_WEIGHTS)[0]
    own_centre = bureau.removesuffix("局") + "事务中心"
    pool = (*SUBORDINATES.get(bureau, ()), own_centre, *GENERIC_SUBORDINATES)
    subordinates = [f"{place}{s}{suffix}" for s in rng.sample(pool, 3)]
    units = [name, *subordinates] if rng.random() >= SUBORDINATE_FIRST_SHARE else subordinates
    heading = f"{name}（本级）" if rng.random() < HEADING_WITH_LEVEL_SHARE else name
    labels = dict(LABELS)
    if rng.random() < ALT_SATISFACTION_SHARE:
        labels["满意度"] = ALT_SATISFACTION
    if rng.random() < ALT_COST_SHARE:
        labels["成本"] = ALT_COST
    return Department(name, heading, bureau, tuple(units[:unit_count]), labels)


def _rng(seed: int, *parts: object) -> random.Random:
    """A private stream per department (and year): str seeds hash identically everywhere."""
    return random.Random(":".join(map(str, (seed, *parts))))


def _amount(value: Decimal) -> str:
    """万元 with thousands separators; a zero amount is published as an empty cell."""
    return f"{value:,.2f}" if value else ""


def _funding(rng: random.Random, total_cents: int) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """总计 and its split into 财政拨款, 财政专户拨款, 其他资金, which always add up."""
    mix = rng.choices(FUNDING_MIXES, weights=FUNDING_MIX_WEIGHTS)[0]
    part = total_cents * rng.randint(20, 90) // 100
    cents = {
        "fiscal": (total_cents, 0, 0),
        "fiscal+special": (part, total_cents - part, 0),
        "fiscal+other": (part, 0, total_cents - part),
        "special": (0, total_cents, 0),
        "other": (0, 0, total_cents),
    }[mix]
    return (Decimal(total_cents).scaleb(-2), *(Decimal(c).scaleb(-2) for c in cents))


def _targets(rng: random.Random, kind: str, unit: str, year: int, cost: str) -> tuple[str, str]:
    """(实施周期指标值, 年度指标值): usually equal, sometimes the period spans more."""
    differ = rng.random() < DIFFERENT_PERIOD_SHARE
    if kind in ("rate", "rate_low"):
        values, weights = (RATES, RATE_WEIGHTS) if kind == "rate" else (LOW_RATES, None)
        annual = rng.choices(values, weights=weights)[0]
        return (rng.choices(values, weights=weights)[0] if differ else annual), annual
    if kind in COUNT_FORMS:
        forms, counts = COUNT_FORMS[kind]
        form, n = rng.choice(forms), rng.choice(counts)
        period = n * rng.choice((2, 3, 5)) if differ and kind in SCALED_PERIOD_KINDS else n
        return form.format(n=f"{period:,}", u=unit), form.format(n=f"{n:,}", u=unit)
    if kind == "deadline":
        annual = rng.choices(
            (f"{year}年12月31日前", "年底前", f"{year}年{rng.randint(6, 11)}月底前"), weights=(45, 30, 25)
        )[0]
        return (f"{year + rng.randint(1, 2)}年12月31日前" if differ else annual), annual
    if kind == "cost":
        return f"≤{cost}万元", f"≤{cost}万元"
    value = rng.choice(QUALITATIVE[kind])
    return value, value


def _indicators(
    rng: random.Random, department: Department, year: int, cost: str
) -> tuple[str, int]:
    """One 绩效指标 cell: an output indicator first, then a mix, ordered by category code."""
    count = rng.choices(range(2, 9), weights=INDICATOR_COUNT_WEIGHTS)[0]
    categories = [rng.choices(OUTPUT_CATEGORIES, weights=OUTPUT_WEIGHTS)[0]]
    if rng.random() < SATISFACTION_SHARE:
        categories.append("满意度")
    categories += rng.choices(CATEGORIES, weights=CATEGORY_WEIGHTS, k=count - len(categories))
    used: set[str] = set()
    picked: list[tuple[str, tuple[str, str, str]]] = []
    for category in categories:
        free = [t for t in INDICATORS[category] if t[0] not in used]
        if not free:  # category exhausted: fall back to the first with names left
            category = next(
                c for c in CATEGORIES if any(t[0] not in used for t in INDICATORS[c])
            )
            free = [t for t in INDICATORS[category] if t[0] not in used]
        template = rng.choice(free)
        used.add(template[0])
        picked.append((department.labels[category], template))
    picked.sort(key=lambda item: item[0])  # stable: codes ascend as in published tables
    parts = []
    for number, (label, (name, kind, unit)) in enumerate(picked, start=1):
        period, annual = _targets(rng, kind, unit, year, cost)
        colon = "：" if rng.random() < FULL_WIDTH_COLON_SHARE else ":"
        parts.append(
            f"{number}、{label}：{name}；实施周期指标值{colon}{period}；年度指标值{colon}{annual}。"
        )
    return "".join(parts), len(parts)


def _summary_row(label: str, amounts: Sequence[Decimal]) -> str:
    """合计 and unit rows: amounts only, empty 绩效目标 and 绩效指标."""
    return "\t".join((label, *map(_amount, amounts), "", ""))


def _table(
    seed: int, year: int, index: int, department: Department
) -> tuple[str, int, int, Decimal]:
    """The full file text, plus its project count, indicator count and 合计 总计."""
    rng = _rng(seed, year, index)
    project_count = round(rng.triangular(*PROJECT_COUNT))
    units = department.units[:project_count]
    per_unit = [1] * len(units)  # every unit listed has at least one project
    weights = UNIT_PROJECT_WEIGHTS[: len(units)]
    for slot in rng.choices(range(len(units)), weights=weights, k=project_count - len(units)):
        per_unit[slot] += 1
    pool = BUREAU_PROJECTS.get(department.bureau, ()) + GENERIC_PROJECTS
    templates = iter(rng.sample(pool, project_count))
    blocks: list[str] = []
    grand = [ZERO] * 4
    indicators = 0
    for unit, count in zip(units, per_unit):
        rows: list[str] = []
        subtotal = [ZERO] * 4
        for _ in range(count):
            name, goal = next(templates)
            low, high = rng.choices(AMOUNT_BANDS, weights=AMOUNT_BAND_WEIGHTS)[0]
            amounts = _funding(rng, rng.randint(low, high))
            subtotal = [a + b for a, b in zip(subtotal, amounts)]
            cell, n = _indicators(rng, department, year, _amount(amounts[0]))
            indicators += n
            cells = "\t".join(map(_amount, amounts))
            rows.append(f"{name.format(year=year)}\t{cells}\t{goal}\t{cell}")
        grand = [a + b for a, b in zip(grand, subtotal)]
        blocks.append(_summary_row(unit, subtotal))
        blocks.extend(rows)
    head = ["", "", TITLE, "", f"部门名称：{department.heading}", "", "单位：万元", "", HEADER]
    text = "\n".join([*head, _summary_row("合计", grand), *blocks])
    return text, project_count, indicators, grand[0]


def generate(
    departments: int,
    seed: int,
    out: Path,
    years: Sequence[int] = (2024,),
    *,
    progress: TextIO | None = None,
) -> GenerationSummary:
    """Write `departments` tables per year to out/<year>/ and say what was written.

    Streams: each table is written as soon as it is drawn and nothing per department is kept,
    so 250,000 departments take no more memory than 100 (a department is drawn again per year
    from its own seed, which costs far less than its table).
    """
    if departments < 0:
        raise ValueError("departments must be >= 0")
    files = projects = indicators = 0
    total = ZERO
    for year in dict.fromkeys(years):  # de-duplicated, order kept
        folder = Path(out) / str(year)
        folder.mkdir(parents=True, exist_ok=True)
        for index in range(departments):
            department = _department(seed, index)
            text, p, i, amount = _table(seed, year, index, department)
            file_name = FILE_NAME.format(department=department.name, year=year)
            (folder / file_name.translate(UNSAFE_FILE_CHARS)).write_bytes(text.encode("utf-8"))
            files, projects, indicators = files + 1, projects + p, indicators + i
            total += amount
            if progress is not None and files % PROGRESS_EVERY == 0:
                print(f"wrote {files} files", file=progress, flush=True)
    return GenerationSummary(files, projects, indicators, total)


def _years(text: str) -> list[int]:
    try:
        years = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        years = []
    if not years:
        raise argparse.ArgumentTypeError(f"expected years like 2023,2024, got {text!r}")
    return years


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate",
        description="Write synthetic 项目支出绩效目标表 files for benchmarks.",
    )
    parser.add_argument("--departments", type=int, required=True, help="tables per year")
    parser.add_argument("--seed", type=int, required=True, help="same seed, same bytes")
    parser.add_argument("--out", type=Path, required=True, help="files go to OUT/<year>/")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--year", type=int, default=2024, help="fiscal year (default 2024)")
    which.add_argument("--years", type=_years, help="comma-separated fiscal years, e.g. 2023,2024")
    args = parser.parse_args(argv)
    if args.departments < 0:
        parser.error("--departments must be >= 0")
    years = args.years or [args.year]
    summary = generate(args.departments, args.seed, args.out, years, progress=sys.stderr)
    print(
        f"wrote {summary.files} files, {summary.projects} projects, "
        f"{summary.indicators} indicators, total {summary.total_amount:,.2f} 万元 to {args.out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
