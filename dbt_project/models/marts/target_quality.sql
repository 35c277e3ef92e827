{{ config(**incremental_mart('departments')) }}

with projects as (
    select * from {{ ref('budget_by_project') }}
    where {{ in_change_set('departments', department_id='department_id') }}
),

indicator_targets as (
    select * from {{ ref('indicator_targets') }}
    where {{ in_change_set('departments', department_id='department_id') }}
),

indicators as (
    select
        *,
        annual_kind in ('quantitative', 'deadline') as is_quantified,
        annual_kind = 'unparsed' or period_kind = 'unparsed' as has_unparsed_target,
        -- Typed readings are compared, so "≥95%" and "≥ 95%" agree; unread texts by their text.
        case
            -- A per-project table may publish one of the two only: nothing to differ from.
            when annual_text is null or period_text is null then false
            when has_unparsed_target then {{ trim_spaces('annual_text') }} is distinct from {{ trim_spaces('period_text') }}
            else annual_kind is distinct from period_kind
                or annual_operator is distinct from period_operator
                or annual_value is distinct from period_value
                or annual_unit is distinct from period_unit
                or annual_per is distinct from period_per
                or annual_deadline is distinct from period_deadline
                or annual_value_max is distinct from period_value_max
        end as annual_differs_from_period
    from indicator_targets
),

per_project as (
    select
        project_id,
        count(*) as indicator_count,
        count(case when is_quantified then 1 end) as quantitative_count,
        {{ dbt.bool_or("std_level1 = '产出指标'") }} as has_output_indicator,
        {{ dbt.bool_or("std_level1 = '产出指标' and is_quantified") }} as has_quantified_output_indicator,
        {{ dbt.bool_or("std_level1 = '效益指标'") }} as has_benefit_indicator,
        {{ dbt.bool_or("std_level1 = '满意度指标'") }} as has_satisfaction_indicator,
        {{ dbt.bool_or('annual_differs_from_period') }} as annual_differs_from_period,
        {{ dbt.bool_or('has_unparsed_target') }} as has_unparsed_target,
        {{ dbt.bool_or('std_level1 is null') }} as has_unmapped_indicator,
        -- Units the seed unit_conversions does not know, so their targets do not compare.
        {{ sorted_distinct_strings([
            'case when annual_unit is not null and annual_unit_family is null then annual_unit end',
            'case when period_unit is not null and period_unit_family is null then period_unit end',
        ]) }} as unknown_units,
        -- The weakest promise when a project states several satisfaction targets; a range
        -- ("90%-95%") promises its lower bound.
        min(case
            when std_level1 = '满意度指标' and annual_unit = '%' and annual_operator in ('>=', '>', '=', 'between')
                then annual_value
        end) as satisfaction_target_pct
    from indicators
    group by project_id
),

flags as (
    select
        projects.project_id,
        projects.fiscal_year,
        projects.department_id,
        projects.department_name,
        projects.unit_name,
        projects.project_name,
        coalesce(per_project.indicator_count, 0) as indicator_count,
        coalesce(per_project.quantitative_count, 0) as quantitative_count,
        cast(per_project.quantitative_count as double) / per_project.indicator_count as quantitative_share,
        coalesce(per_project.has_output_indicator, false) as has_output_indicator,
        coalesce(per_project.has_quantified_output_indicator, false) as has_quantified_output_indicator,
        coalesce(per_project.has_benefit_indicator, false) as has_benefit_indicator,
        coalesce(per_project.has_satisfaction_indicator, false) as has_satisfaction_indicator,
        coalesce(per_project.annual_differs_from_period, false) as annual_differs_from_period,
        coalesce(per_project.has_unparsed_target, false) as has_unparsed_target,
        coalesce(per_project.has_unmapped_indicator, false) as has_unmapped_indicator,
        coalesce(per_project.unknown_units, {{ empty_string_array() }}) as unknown_units,
        per_project.satisfaction_target_pct
    from projects
    left join per_project on projects.project_id = per_project.project_id
),

final as (
    select
        project_id,
        fiscal_year,
        department_id,
        department_name,
        unit_name,
        project_name,
        indicator_count,
        quantitative_count,
        quantitative_share,
        has_output_indicator,
        has_benefit_indicator,
        has_satisfaction_indicator,
        annual_differs_from_period,
        satisfaction_target_pct,
        {{ array_without_nulls([
            "case when not has_quantified_output_indicator then 'no quantified output indicator' end",
            "case when not has_benefit_indicator then 'no benefit indicator' end",
            "case when not has_satisfaction_indicator then 'no satisfaction indicator' end",
            "case when annual_differs_from_period then 'annual target differs from period target' end",
            "case when has_unparsed_target then 'unparsed target' end",
            "case when has_unmapped_indicator then 'indicator outside the standard tree' end",
            "case when " ~ array_size('unknown_units') ~ " > 0 then 'unit outside unit_conversions' end",
        ]) }} as findings,
        unknown_units
    from flags
)

select * from final
