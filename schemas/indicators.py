"""One row per performance indicator (绩效指标) of a project."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from pipelines.ingest.targets import KINDS, OPERATORS
from schemas.common import Provenance

_DIGITS = r"^\d+$"
_SIDES = ("annual", "period")

# The rules on the typed targets, by check name; a failure is a warning (the file still loads and
# the finding names the indicator), because the published text is kept whatever its reading.
TARGET_RULES: dict[str, str] = {
    "targets_are_parsed": "a target could not be read (kind unparsed); its text is kept",
    "target_kind_is_known": "a target's kind is not quantitative, qualitative, deadline or unparsed",
    "target_operator_is_known": "a target's operator is not one of >=, <=, >, <, =",
    "target_value_is_not_negative": "a target's value is negative",
    "percent_target_is_at_most_100": "a percent target is above 100%",
    "deadline_target_has_a_date": "a deadline target has no date",
    "range_target_has_ordered_bounds": "a range target (between) lacks a bound or its bounds are not in order",
}


def _on_both_sides(df: pd.DataFrame, rule) -> pd.Series:
    """True where the rule holds for both the annual and the period target of a row.

    A side that is not published at all (no text and no reading, as a per-project table without
    实施期指标值) has nothing to break a rule.
    """
    return (rule(df, "annual") | _absent(df, "annual")) & (rule(df, "period") | _absent(df, "period"))


def _absent(df: pd.DataFrame, side: str) -> pd.Series:
    return (df[f"{side}_target_text"].isna() & df[f"{side}_kind"].isna()).astype(bool)


# Target values are Decimals in object columns. One isna over the column, then numpy compares
# only the present values, each with Python's own (exact, Decimal) comparison: no floats.
def _missing_or(values: pd.Series, holds) -> pd.Series:
    """True where the value is missing or ``holds`` (given the present values) is true."""
    present = values.notna().to_numpy(dtype=bool)
    result = np.ones(len(values), dtype=bool)
    if present.any():
        result[present] = holds(values.to_numpy(dtype=object)[present])
    return pd.Series(result, index=values.index)


def _present_and_ordered(low: pd.Series, high: pd.Series) -> pd.Series:
    """True where both bounds are present and low < high."""
    present = (low.notna() & high.notna()).to_numpy(dtype=bool)
    result = np.zeros(len(low), dtype=bool)
    if present.any():
        result[present] = low.to_numpy(dtype=object)[present] < high.to_numpy(dtype=object)[present]
    return pd.Series(result, index=low.index)


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
    # The typed columns (annual_operator … period_deadline, see pipelines/load/frames.py) are
    # checked by the rules below, not by dtype: a file whose targets are all qualitative has
    # columns of nothing but nulls, which pandas types as object.

    @pa.dataframe_check(name="targets_are_parsed")
    @classmethod
    def targets_are_parsed(cls, df: pd.DataFrame) -> pd.Series:
        return _on_both_sides(df, lambda d, side: d[f"{side}_kind"] != "unparsed")

    @pa.dataframe_check(name="target_kind_is_known")
    @classmethod
    def target_kind_is_known(cls, df: pd.DataFrame) -> pd.Series:
        return _on_both_sides(df, lambda d, side: d[f"{side}_kind"].isin(KINDS))

    @pa.dataframe_check(name="target_operator_is_known")
    @classmethod
    def target_operator_is_known(cls, df: pd.DataFrame) -> pd.Series:
        return _on_both_sides(
            df, lambda d, side: d[f"{side}_operator"].isna() | d[f"{side}_operator"].isin(OPERATORS)
        )

    @pa.dataframe_check(name="target_value_is_not_negative")
    @classmethod
    def target_value_is_not_negative(cls, df: pd.DataFrame) -> pd.Series:
        return _on_both_sides(df, lambda d, side: _missing_or(d[f"{side}_value"], lambda v: v >= 0))

    @pa.dataframe_check(name="percent_target_is_at_most_100")
    @classmethod
    def percent_target_is_at_most_100(cls, df: pd.DataFrame) -> pd.Series:
        def rule(d: pd.DataFrame, side: str) -> pd.Series:
            percent = d[f"{side}_unit"].eq("%").fillna(False).astype(bool)
            within = _missing_or(d[f"{side}_value"], lambda v: v <= 100)
            if f"{side}_value_max" in d:
                within &= _missing_or(d[f"{side}_value_max"], lambda v: v <= 100)
            return ~percent | within

        return _on_both_sides(df, rule)

    @pa.dataframe_check(name="deadline_target_has_a_date")
    @classmethod
    def deadline_target_has_a_date(cls, df: pd.DataFrame) -> pd.Series:
        return _on_both_sides(
            df, lambda d, side: d[f"{side}_kind"].ne("deadline") | d[f"{side}_deadline"].notna()
        )

    @pa.dataframe_check(name="range_target_has_ordered_bounds")
    @classmethod
    def range_target_has_ordered_bounds(cls, df: pd.DataFrame) -> pd.Series:
        def rule(d: pd.DataFrame, side: str) -> pd.Series:
            upper = d[f"{side}_value_max"] if f"{side}_value_max" in d else pd.Series(None, index=d.index)
            ranged = d[f"{side}_operator"].eq("between").fillna(False).astype(bool)
            ordered = _present_and_ordered(d[f"{side}_value"], upper)
            return (~ranged & upper.isna()) | (ranged & ordered)

        return _on_both_sides(df, rule)

    class Config:
        strict = False
        unique = ["source_path", "unit_name", "project_name", "indicator_seq"]
