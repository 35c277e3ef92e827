"""One row per project (项目) of a file."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from schemas.common import AmountColumns, Provenance


class ProjectSchema(Provenance, AmountColumns):
    unit_name: Series[str] = pa.Field(str_length={"min_value": 1})
    project_name: Series[str] = pa.Field(str_length={"min_value": 1})
    performance_goal: Series[str] = pa.Field(nullable=True)
    source_form: Series[str] = pa.Field(isin=["horizontal", "per_project", "per_indicator"])

    class Config:
        strict = False
        # The same project listed twice under one unit double-counts its money.
        unique = ["source_path", "unit_name", "project_name"]
