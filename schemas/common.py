"""Column types and rules shared by the staged tables."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pandera.pandas as pa
import pyarrow
from pandera.typing import Series

# DECIMAL(18,2): 万元 to the fen, as the warehouse stores it. An Arrow decimal column holds exact
# values and cannot hold a third decimal or a 19th digit, so checking its dtype checks them all:
# pandera's object-Decimal dtype check instead formats and splits every value (3 s per 400,000).
Money = pd.ArrowDtype(pyarrow.decimal128(18, 2))
# Published arithmetic is rounded per row; differences up to one fen are not mistakes.
TOLERANCE = Decimal("0.01")


def within_tolerance(left: pd.Series, right: pd.Series) -> pd.Series:
    """Null on either side passes: the column's own not-null rule reports that row, and a check
    that met a null would fail as a whole, for every file validated with it."""
    return ((left - right).abs() <= TOLERANCE).fillna(True).astype(bool)


class Provenance(pa.DataFrameModel):
    """Where each row came from, so that every finding points at a file and a line."""

    source_path: Series[str] = pa.Field(str_length={"min_value": 1})
    source_sha256: Series[str] = pa.Field(str_matches=r"^[0-9a-f]{64}$")
    source_line: Series[int] = pa.Field(ge=1)
    source_page: Series[pd.Int64Dtype] = pa.Field(ge=1, nullable=True)  # PDF rows only
    fiscal_year: Series[int] = pa.Field(ge=1990, le=2100)
    department_name: Series[str] = pa.Field(str_length={"min_value": 1})


class AmountColumns(pa.DataFrameModel):
    total_amount: Series[Money]  # type: ignore[valid-type]
    fiscal_appropriation: Series[Money]  # type: ignore[valid-type]
    special_account_appropriation: Series[Money]  # type: ignore[valid-type]
    other_funds: Series[Money]  # type: ignore[valid-type]

    @pa.dataframe_check(name="row_total_equals_sum_of_sources")
    @classmethod
    def row_total_equals_sum_of_sources(cls, df: pd.DataFrame) -> pd.Series:
        """总计 = 财政拨款 + 财政专户拨款 + 其他资金 on every row."""
        sources = df["fiscal_appropriation"] + df["special_account_appropriation"] + df["other_funds"]
        return within_tolerance(df["total_amount"], sources)
