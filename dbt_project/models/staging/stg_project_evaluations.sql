with source as (
    select * from {{ source('landing', 'project_evaluations') }}
),

renamed as (
    select
        {{ hashed_id(['fiscal_year', 'department_name', 'unit_name', 'project_name']) }} as project_id,
        source_path,
        source_line,
        fiscal_year,
        department_name,
        unit_name,
        project_name,
        cast(budget_initial as decimal(18, 2)) as budget_initial,
        cast(budget_adjusted as decimal(18, 2)) as budget_adjusted,
        cast(executed as decimal(18, 2)) as executed,
        cast(execution_rate as double) as execution_rate,
        cast(published_execution_rate as double) as published_execution_rate,
        cast(budget_weight as double) as budget_weight,
        cast(budget_score as double) as budget_score,
        cast(total_weight as double) as total_weight,
        cast(self_score as double) as self_score,
        indicator_count,
        cast(indicator_weight_total as double) as indicator_weight_total,
        cast(indicator_score_total as double) as indicator_score_total
    from source
)

select * from renamed
