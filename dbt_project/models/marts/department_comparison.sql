with budget_by_project as (
    select * from {{ ref('budget_by_project') }}
),

target_quality as (
    select * from {{ ref('target_quality') }}
),

project_evaluation as (
    select * from {{ ref('project_evaluation') }}
),

departments as (
    select
        fiscal_year,
        department_id,
        department_name,
        {{ dbt.bool_or('is_own_level') }} as is_own_level,
        cast(sum(total_amount) as decimal(18, 2)) as total_amount,
        count(*) as project_count,
        cast(sum(indicator_count) as bigint) as indicator_count
    from budget_by_project
    group by fiscal_year, department_id, department_name
),

-- Self-evaluations of the department and year, where loaded (by department_id: a 自评表 may
-- print the name with or without （本级）).
department_evaluations as (
    select
        fiscal_year,
        department_id,
        avg(execution_rate) as avg_execution_rate,
        avg(self_score) as avg_self_score
    from project_evaluation
    group by fiscal_year, department_id
),

-- Shares over all the department's indicators; satisfaction over the projects that state one.
department_targets as (
    select
        fiscal_year,
        department_name,
        cast(sum(quantitative_count) as double) / nullif(sum(indicator_count), 0) as quantitative_share,
        min(satisfaction_target_pct) as min_satisfaction_target_pct,
        avg(satisfaction_target_pct) as avg_satisfaction_target_pct
    from target_quality
    group by fiscal_year, department_name
),

final as (
    select
        current_year.fiscal_year,
        current_year.department_id,
        current_year.department_name,
        current_year.is_own_level,
        current_year.total_amount,
        current_year.project_count,
        current_year.indicator_count,
        cast(current_year.indicator_count as double) / current_year.project_count as indicators_per_project,
        cast(rank() over (
            partition by current_year.fiscal_year order by current_year.total_amount desc
        ) as bigint) as rank_by_total_amount,
        prior_year.total_amount as prior_year_total_amount,
        (cast(current_year.total_amount as double) - cast(prior_year.total_amount as double))
            / nullif(cast(prior_year.total_amount as double), 0) as change_pct,
        department_targets.quantitative_share,
        department_targets.min_satisfaction_target_pct,
        department_targets.avg_satisfaction_target_pct,
        department_evaluations.avg_execution_rate,
        department_evaluations.avg_self_score
    from departments as current_year
    -- By department_id, so that a name gaining or dropping （本级）, or renamed, keeps its prior year.
    left join departments as prior_year
        on current_year.department_id = prior_year.department_id
        and current_year.fiscal_year = prior_year.fiscal_year + 1
    left join department_targets
        on current_year.fiscal_year = department_targets.fiscal_year
        and current_year.department_name = department_targets.department_name
    left join department_evaluations
        on current_year.fiscal_year = department_evaluations.fiscal_year
        and current_year.department_id = department_evaluations.department_id
)

select * from final
