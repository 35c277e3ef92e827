-- A row here is a local category (一级指标 / 二级指标 names) that the seed standard_indicator_tree
-- does not map, so its indicators have no std_level1/std_level2. Add a row for it to
-- dbt_project/seeds/standard_indicator_tree.csv (docs/targets.md, "The standard indicator tree").
{{ config(severity='warn') }}

with indicator_targets as (
    select * from {{ ref('indicator_targets') }}
)

select
    level1_name,
    level2_name,
    count(*) as indicator_count,
    count(distinct department_name) as department_count
from indicator_targets
where std_level1 is null
group by level1_name, level2_name
order by indicator_count desc
