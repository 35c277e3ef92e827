"""One row per loaded file: the department's 合计 row."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas.common import AmountColumns, Money, Provenance, within_tolerance


class DepartmentTableSchema(Provenance, AmountColumns):
    title: Series[str] = pa.Field(nullable=True)
    units_total_amount: Series[Money]  # type: ignore[valid-type]

    @pa.dataframe_check(name="grand_total_equals_sum_of_units")
    @classmethod
    def grand_total_equals_sum_of_units(cls, df: pd.DataFrame) -> pd.Series:
        """合计 = the sum of the funding units' subtotals."""
        return within_tolerance(df["total_amount"], df["units_total_amount"])

    class Config:
        strict = False
        unique = ["source_path"]
