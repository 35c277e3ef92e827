"""Log lines of the load's steps that `budget-warehouse load` shows as progress (pipelines/run_load.py)."""

PARQUET_PROGRESS = "writing the marts' Parquet copies"
PUBLISH_PROGRESS = "publishing the warehouse and its Parquet copies"
