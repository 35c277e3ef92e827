"""The load's steps, free of Dagster: discover, parse, validate, stage."""
