"""One row per indicator of a 项目支出绩效自评表: the target, the result, the score."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas.common import Provenance
from schemas.project_evaluations import _within


class IndicatorResultSchema(Provenance):
    unit_name: Series[str] = pa.Field(str_length={"min_value": 1})
    project_name: Series[str] = pa.Field(str_length={"min_value": 1})
    indicator_seq: Series[int] = pa.Field(ge=1)
    level1_name: Series[str] = pa.Field(str_length={"min_value": 1})
    level2_name: Series[str] = pa.Field(str_length={"min_value": 1})
    indicator_name: Series[str] = pa.Field(str_length={"min_value": 1})

    @pa.dataframe_check(name="score_within_weight")
    @classmethod
    def score_within_weight(cls, df: pd.DataFrame) -> pd.Series:
        """得分 lies within 0 and the indicator's 分值."""
        return _within(df["score"], df["weight"])

    class Config:
        strict = False
        unique = ["source_path", "unit_name", "project_name", "indicator_seq"]
