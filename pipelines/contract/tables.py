"""The landing tables by role; their columns are in pipelines/warehouse/landing.sql."""

from __future__ import annotations

# Every landing table of parsed rows, in the order a load writes them.
LANDING_TABLES = (
    "department_tables", "funding_units", "projects", "indicators", "project_evaluations", "indicator_results",
)
# The row tables whose rows carry a fiscal year and department and feed the incremental marts: the
# change set (pipelines/load/changes.py) records their departments, the Parquet export narrows by them.
CHANGE_TRACKED_TABLES = ("department_tables", "projects", "indicators", "project_evaluations", "indicator_results")
