-- A row here is a target unit (年度 or 实施周期 指标值) that the seed unit_conversions does not
-- know, so its targets have no unit family and do not compare across departments. Add a row for
-- it to dbt_project/seeds/unit_conversions.csv (docs/targets.md, "Units that compare").
{{ config(severity='warn') }}

with indicator_targets as (
    select * from {{ ref('indicator_targets') }}
),

units as (
    select annual_unit as unit, department_name from indicator_targets
    where annual_unit is not null and annual_unit_family is null
    union all
    select period_unit as unit, department_name from indicator_targets
    where period_unit is not null and period_unit_family is null
)

select
    unit,
    count(*) as target_count,
    count(distinct department_name) as department_count
from units
group by unit
order by target_count desc
