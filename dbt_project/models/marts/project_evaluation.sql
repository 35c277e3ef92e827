{{ config(**incremental_mart('departments')) }}

with evaluations as (
    select * from {{ ref('stg_project_evaluations') }}
    where {{ in_change_set('departments') }}
),

target_achievement as (
    select * from {{ ref('target_achievement') }}
    where {{ in_change_set('departments', department_id='department_id') }}
),

achievement as (
    select
        project_id,
        count(case when achieved then 1 end) as achieved_count,
        count(case when not achieved then 1 end) as missed_count
    from target_achievement
    group by project_id
),

final as (
    select
        evaluations.project_id,
        evaluations.fiscal_year,
        {{ department_id('evaluations.department_name') }} as department_id,
        evaluations.department_name,
        evaluations.unit_name,
        evaluations.project_name,
        evaluations.budget_initial,
        evaluations.budget_adjusted,
        evaluations.executed,
        evaluations.execution_rate,
        evaluations.self_score,
        evaluations.indicator_count,
        coalesce(achievement.achieved_count, 0) as achieved_count,
        coalesce(achievement.missed_count, 0) as missed_count,
        -- 总分 = the indicators' 得分 + the funds' 得分 (within 0.01); null when no 总分 is printed.
        case
            when evaluations.self_score is null then null
            else abs(
                evaluations.self_score
                - coalesce(evaluations.indicator_score_total, 0)
                - coalesce(evaluations.budget_score, 0)
            ) <= 0.01
        end as score_consistent,
        evaluations.source_path,
        evaluations.source_line
    from evaluations
    left join achievement on evaluations.project_id = achievement.project_id
)

select * from final
