"""Dagster definitions, split by concern: project, resources, assets, checks, jobs, schedules, sensors."""
