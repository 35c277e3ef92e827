{{ config(**incremental_mart('departments')) }}

with indicator_targets as (
    select * from {{ ref('indicator_targets') }}
    where {{ in_change_set('departments', department_id='department_id') }}
),

final as (
    select
        fiscal_year,
        department_id,
        department_name,
        level1_code,
        level1_name,
        level2_code,
        level2_name,
        std_level1,
        std_level2,
        count(*) as indicator_count,
        -- A deadline is a quantified target too: it names a date that can be checked.
        count(case when annual_kind in ('quantitative', 'deadline') then 1 end) as quantitative_count,
        count(case when annual_kind = 'qualitative' then 1 end) as qualitative_count,
        count(case when annual_kind = 'unparsed' or annual_kind is null then 1 end) as unparsed_count
    from indicator_targets
    group by
        fiscal_year, department_id, department_name, level1_code, level1_name, level2_code, level2_name,
        std_level1, std_level2
)

select * from final
