with source as (
    select * from {{ source('landing', 'indicators') }}
),

renamed as (
    select
        {{ hashed_id(['fiscal_year', 'department_name', 'unit_name', 'project_name', 'indicator_seq']) }} as indicator_id,
        {{ hashed_id(['fiscal_year', 'department_name', 'unit_name', 'project_name']) }} as project_id,
        source_path,
        source_line,
        source_page,
        fiscal_year,
        department_name,
        unit_name,
        project_name,
        indicator_seq,
        level1_code,
        level1_name,
        level2_code,
        level2_name,
        indicator_name,
        period_target_text,
        annual_target_text,
        annual_operator,
        cast(annual_value as double) as annual_value,
        annual_unit,
        annual_per,
        annual_kind,
        cast(annual_deadline as date) as annual_deadline,
        period_operator,
        cast(period_value as double) as period_value,
        period_unit,
        period_per,
        period_kind,
        cast(period_deadline as date) as period_deadline,
        cast(annual_value_max as double) as annual_value_max,
        cast(period_value_max as double) as period_value_max
    from source
)

select * from renamed
