"""The DuckDB warehouse file: its landing tables and how a new version is published."""
