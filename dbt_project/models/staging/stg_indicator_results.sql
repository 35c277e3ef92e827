with source as (
    select * from {{ source('landing', 'indicator_results') }}
),

renamed as (
    select
        {{ hashed_id(['fiscal_year', 'department_name', 'unit_name', 'project_name', 'indicator_seq']) }} as result_id,
        {{ hashed_id(['fiscal_year', 'department_name', 'unit_name', 'project_name']) }} as project_id,
        source_path,
        source_line,
        fiscal_year,
        department_name,
        unit_name,
        project_name,
        indicator_seq,
        level1_name,
        level2_name,
        indicator_name,
        target_text,
        target_operator,
        cast(target_value as double) as target_value,
        cast(target_value_max as double) as target_value_max,
        target_unit,
        target_kind,
        actual_text,
        cast(actual_value as double) as actual_value,
        actual_unit,
        actual_kind,
        cast(weight as double) as weight,
        cast(score as double) as score,
        deviation_reason
    from source
)

select * from renamed
