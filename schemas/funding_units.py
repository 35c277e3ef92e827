"""One row per 资金使用单位 (funding unit) of a file."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas.common import AmountColumns, Money, Provenance, within_tolerance


class FundingUnitSchema(Provenance, AmountColumns):
    unit_name: Series[str] = pa.Field(str_length={"min_value": 1})
    projects_total_amount: Series[Money]  # type: ignore[valid-type]

    @pa.dataframe_check(name="unit_subtotal_equals_sum_of_projects")
    @classmethod
    def unit_subtotal_equals_sum_of_projects(cls, df: pd.DataFrame) -> pd.Series:
        """A unit's subtotal row = the sum of the project rows listed under it."""
        return within_tolerance(df["total_amount"], df["projects_total_amount"])

    class Config:
        strict = False
