"""The nightly load, at 02:00 in Beijing time whatever the server's zone."""

import dagster as dg

from pipelines.defs.jobs import load_warehouse_job

nightly_load_schedule = dg.ScheduleDefinition(
    name="nightly_load",
    job=load_warehouse_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Reconciles the warehouse with raw/ every night.",
)
