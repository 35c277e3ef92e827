"""One row per project of a 项目支出绩效自评表: money budgeted and spent, and the 总分."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas.common import Money, Provenance

# Rates and scores are published rounded: 93.22% for 0.932203…, 总分 to one or two decimals.
RATE_TOLERANCE = 0.01
SCORE_TOLERANCE = 0.01


def _absent(series: pd.Series) -> pd.Series:
    return series.isna()


class ProjectEvaluationSchema(Provenance):
    unit_name: Series[str] = pa.Field(str_length={"min_value": 1})
    project_name: Series[str] = pa.Field(str_length={"min_value": 1})
    budget_initial: Series[Money] = pa.Field(nullable=True)  # type: ignore[valid-type]
    budget_adjusted: Series[Money] = pa.Field(nullable=True)  # type: ignore[valid-type]
    executed: Series[Money] = pa.Field(nullable=True)  # type: ignore[valid-type]
    indicator_count: Series[int] = pa.Field(ge=0)

    @pa.dataframe_check(name="execution_rate_equals_executed_over_budget")
    @classmethod
    def execution_rate_equals_executed_over_budget(cls, df: pd.DataFrame) -> pd.Series:
        """执行率 as printed = 全年执行数 / 全年预算数, within 0.01."""
        published = pd.to_numeric(df["published_execution_rate"], errors="coerce")
        computed = pd.to_numeric(df["execution_rate"], errors="coerce")
        return _absent(published) | _absent(computed) | ((published - computed).abs() <= RATE_TOLERANCE)

    @pa.dataframe_check(name="score_within_weight")
    @classmethod
    def score_within_weight(cls, df: pd.DataFrame) -> pd.Series:
        """The funds row's 得分 and the 总分 lie within 0 and their 分值."""
        return _within(df["budget_score"], df["budget_weight"]) & _within(df["self_score"], df["total_weight"])

    @pa.dataframe_check(name="self_score_equals_components")
    @classmethod
    def self_score_equals_components(cls, df: pd.DataFrame) -> pd.Series:
        """总分 = the indicators' 得分 + the funds row's 得分, within 0.01 (a warning)."""
        total = pd.to_numeric(df["self_score"], errors="coerce")
        parts = pd.to_numeric(df["indicator_score_total"], errors="coerce").fillna(0) + pd.to_numeric(
            df["budget_score"], errors="coerce"
        ).fillna(0)
        return _absent(total) | ((total - parts).abs() <= SCORE_TOLERANCE)

    class Config:
        strict = False
        unique = ["source_path", "unit_name", "project_name"]


def _within(score: pd.Series, weight: pd.Series) -> pd.Series:
    """A score is null, or at least 0 and at most its weight (when the weight is published)."""
    score = pd.to_numeric(score, errors="coerce")
    weight = pd.to_numeric(weight, errors="coerce")
    return _absent(score) | ((score >= 0) & (_absent(weight) | (score <= weight + 1e-9)))
