"""The nightly load, at 02:00 in Beijing time whatever the server's zone."""

import dagster as dg

from pipelines.defs import dbt_scope
from pipelines.defs.jobs import load_warehouse_job
from pipelines.defs.load_requests import current_plan, describe_run, register_partitions, run_request
from pipelines.defs.resources import BudgetWarehouse


@dg.schedule(
    name="nightly_load",
    job=load_warehouse_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=(
        "Reconciles the warehouse with raw/ every night: registers file partitions, loads new and "
        "changed files, drops removed ones, and rebuilds the marts if parser or models changed."
    ),
)
def nightly_load_schedule(context: dg.ScheduleEvaluationContext, warehouse: BudgetWarehouse):
    plan = current_plan(warehouse, context.instance)
    register_partitions(context.instance, plan)
    context.log.info(describe_run(plan))
    # Always a run, even with nothing new: it is also what catches a crashed sensor or new code.
    request = run_request(plan)
    # Loads in the day test only the rows they rebuilt; the night tests every row (dbt_scope).
    return request.with_replaced_attrs(tags={**request.tags, dbt_scope.FULL_TESTS_TAG: dbt_scope.FULL_TESTS})
