{{ config(**incremental_mart('files')) }}

with projects as (
    select * from {{ ref('stg_projects') }}
    where {{ in_change_set('files') }}
),

indicators as (
    select * from {{ ref('stg_indicators') }}
    where {{ in_change_set('files') }}
),

indicator_counts as (
    select project_id, count(*) as indicator_count
    from indicators
    group by project_id
),

final as (
    select
        projects.project_id,
        projects.fiscal_year,
        {{ department_id('projects.department_name') }} as department_id,
        projects.department_name,
        {{ is_own_level('projects.department_name') }} as is_own_level,
        projects.unit_name,
        projects.project_name,
        projects.total_amount,
        projects.fiscal_appropriation,
        projects.special_account_appropriation,
        projects.other_funds,
        coalesce(indicator_counts.indicator_count, 0) as indicator_count,
        cast(projects.total_amount as double)
            / nullif(cast(sum(projects.total_amount) over (
                partition by projects.fiscal_year, projects.department_name
            ) as double), 0) as share_of_department_total,
        projects.performance_goal,
        projects.period_goal,
        projects.source_form,
        projects.source_path,
        projects.source_line,
        projects.source_page
    from projects
    left join indicator_counts on projects.project_id = indicator_counts.project_id
)

select * from final
