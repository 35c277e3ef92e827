"""Assets by layer: ingest (raw files to landing tables) and the dbt models."""
