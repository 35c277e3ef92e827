-- A row here means a mart lost or double-counted money or indicators on the way from the
-- landing tables: the marts' totals must equal the sources' totals, per department and year.
-- Shown in Dagster as a check on department_comparison, the mart that sums all the others.
-- On a scoped build, only the departments the build could change (in_tested_departments).
{{ config(meta={'dagster': {'ref': {'name': 'department_comparison'}}}) }}
with source_projects as (
    select fiscal_year, department_name, sum(total_amount) as total_amount, count(*) as project_count
    from {{ source('landing', 'projects') }}
    where {{ in_tested_departments() }}
    group by fiscal_year, department_name
),

source_indicators as (
    select fiscal_year, department_name, count(*) as indicator_count
    from {{ source('landing', 'indicators') }}
    where {{ in_tested_departments() }}
    group by fiscal_year, department_name
),

by_project as (
    select fiscal_year, department_name, sum(total_amount) as total_amount, count(*) as project_count,
        sum(indicator_count) as indicator_count
    from {{ ref('budget_by_project') }}
    where {{ in_tested_departments() }}
    group by fiscal_year, department_name
),

by_category as (
    select fiscal_year, department_name, sum(indicator_count) as indicator_count
    from {{ ref('indicator_counts_by_category') }}
    where {{ in_tested_departments() }}
    group by fiscal_year, department_name
),

targets as (
    select fiscal_year, department_name, count(*) as indicator_count
    from {{ ref('indicator_targets') }}
    where {{ in_tested_departments() }}
    group by fiscal_year, department_name
),

quality as (
    select fiscal_year, department_name, count(*) as project_count, sum(indicator_count) as indicator_count
    from {{ ref('target_quality') }}
    where {{ in_tested_departments() }}
    group by fiscal_year, department_name
),

comparison as (
    select * from {{ ref('department_comparison') }}
    where {{ in_tested_departments() }}
)

select
    source_projects.fiscal_year,
    source_projects.department_name
from source_projects
left join source_indicators using (fiscal_year, department_name)
left join by_project using (fiscal_year, department_name)
left join by_category using (fiscal_year, department_name)
left join targets using (fiscal_year, department_name)
left join quality using (fiscal_year, department_name)
left join comparison using (fiscal_year, department_name)
where by_project.total_amount is distinct from source_projects.total_amount
    or comparison.total_amount is distinct from source_projects.total_amount
    or by_project.project_count is distinct from source_projects.project_count
    or comparison.project_count is distinct from source_projects.project_count
    or coalesce(source_indicators.indicator_count, 0) is distinct from by_project.indicator_count
    or coalesce(source_indicators.indicator_count, 0) is distinct from coalesce(by_category.indicator_count, 0)
    or coalesce(source_indicators.indicator_count, 0) is distinct from comparison.indicator_count
    or coalesce(source_indicators.indicator_count, 0) is distinct from coalesce(targets.indicator_count, 0)
    or coalesce(source_indicators.indicator_count, 0) is distinct from quality.indicator_count
    or source_projects.project_count is distinct from quality.project_count
