"""The parsed content of one department table, before any storage concern."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class Amounts:
    """The four money columns of a row, in 万元 exactly as published."""

    total: Decimal = ZERO
    fiscal_appropriation: Decimal = ZERO  # 财政拨款
    special_account_appropriation: Decimal = ZERO  # 财政专户拨款
    other_funds: Decimal = ZERO  # 其他资金

    @property
    def sum_of_sources(self) -> Decimal:
        return self.fiscal_appropriation + self.special_account_appropriation + self.other_funds


@dataclass(frozen=True, slots=True)
class FundingUnit:
    """A 资金使用单位 row: the unit's subtotal over the projects that follow it."""

    line: int
    name: str
    amounts: Amounts
    page: int | None = None  # the PDF page the row starts on; None for formats without pages


@dataclass(frozen=True, slots=True)
class Project:
    line: int
    unit_name: str
    name: str
    amounts: Amounts
    performance_goal: str  # 绩效目标 (the per-project form's 年度绩效目标)
    period_goal: str | None = None  # 实施期目标, where the per-project form states one
    page: int | None = None


@dataclass(frozen=True, slots=True)
class Indicator:
    """One numbered item of a project's 绩效指标 cell."""

    line: int
    unit_name: str
    project_name: str
    seq: int
    level1_code: str | None
    level1_name: str
    level2_code: str | None
    level2_name: str
    name: str
    period_target_text: str | None  # 实施周期指标值
    annual_target_text: str | None  # 年度指标值
    page: int | None = None


@dataclass(frozen=True, slots=True)
class DepartmentTable:
    """Everything one file publishes; amounts and names are as printed."""

    title: str
    department_name: str
    fiscal_year: int
    grand_total_line: int
    grand_total: Amounts
    units: tuple[FundingUnit, ...]
    projects: tuple[Project, ...]
    indicators: tuple[Indicator, ...] = field(default=())
    source_form: str = "horizontal"  # the layout that read it: horizontal | per_project | per_indicator
    grand_total_page: int | None = None


@dataclass(frozen=True, slots=True)
class IndicatorResult:
    """One indicator of a 项目支出绩效自评表: the promise, what was achieved, and its score."""

    line: int
    unit_name: str
    project_name: str
    seq: int
    level1_name: str
    level2_name: str
    name: str
    target_text: str | None  # 年度指标值
    actual_text: str | None  # 实际完成值
    weight: Decimal | None  # 分值
    score: Decimal | None  # 得分
    deviation_reason: str | None  # 偏差原因分析及改进措施
    page: int | None = None


@dataclass(frozen=True, slots=True)
class ProjectEvaluation:
    """The head of one self-evaluation: the money budgeted and spent, and the 总分."""

    line: int
    unit_name: str
    name: str
    budget_initial: Decimal | None  # 年初预算数
    budget_adjusted: Decimal | None  # 全年预算数
    executed: Decimal | None  # 全年执行数
    execution_rate_text: str | None  # 执行率 as published
    budget_weight: Decimal | None  # 分值 of the funds row
    budget_score: Decimal | None  # 得分 of the funds row
    total_weight: Decimal | None  # 总分 row, 分值 column
    self_score: Decimal | None  # 总分 row, 得分 column
    page: int | None = None


@dataclass(frozen=True, slots=True)
class SelfEvaluation:
    """Everything one self-evaluation file publishes (one or many projects of a department)."""

    title: str
    department_name: str
    fiscal_year: int
    projects: tuple[ProjectEvaluation, ...]
    results: tuple[IndicatorResult, ...]
    source_form: str = "self_evaluation"
