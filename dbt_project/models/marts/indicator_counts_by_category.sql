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
        count(*) filter (where annual_kind in ('quantitative', 'deadline')) as quantitative_count,
        count(*) filter (where annual_kind = 'qualitative') as qualitative_count,
        count(*) filter (where annual_kind = 'unparsed' or annual_kind is null) as unparsed_count
    from indicator_targets
    group by all
)

select * from final
