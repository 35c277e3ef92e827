with source as (
    select * from {{ source('landing', 'projects') }}
),

renamed as (
    select
        {{ hashed_id(['fiscal_year', 'department_name', 'unit_name', 'project_name']) }} as project_id,
        source_path,
        source_line,
        source_page,
        fiscal_year,
        department_name,
        unit_name,
        project_name,
        cast(total_amount as decimal(18, 2)) as total_amount,
        cast(fiscal_appropriation as decimal(18, 2)) as fiscal_appropriation,
        cast(special_account_appropriation as decimal(18, 2)) as special_account_appropriation,
        cast(other_funds as decimal(18, 2)) as other_funds,
        performance_goal,
        period_goal,
        coalesce(source_form, 'horizontal') as source_form
    from source
)

select * from renamed
