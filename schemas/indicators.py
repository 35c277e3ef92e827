"""One row per performance indicator (绩效指标) of a project."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from schemas.common import Provenance

_DIGITS = r"^\d+$"


class IndicatorSchema(Provenance):
    unit_name: Series[str] = pa.Field(str_length={"min_value": 1})
    project_name: Series[str] = pa.Field(str_length={"min_value": 1})
    indicator_seq: Series[int] = pa.Field(ge=1)
    level1_code: Series[str] = pa.Field(nullable=True, str_matches=_DIGITS)
    level1_name: Series[str] = pa.Field(str_length={"min_value": 1})
    level2_code: Series[str] = pa.Field(nullable=True, str_matches=_DIGITS)
    level2_name: Series[str] = pa.Field(str_length={"min_value": 1})
    indicator_name: Series[str] = pa.Field(str_length={"min_value": 1})
    period_target_text: Series[str] = pa.Field(nullable=True)
    annual_target_text: Series[str] = pa.Field(nullable=True)

    class Config:
        strict = False
        unique = ["source_path", "unit_name", "project_name", "indicator_seq"]
