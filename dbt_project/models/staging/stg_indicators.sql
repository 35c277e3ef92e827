with source as (
    select * from {{ source('landing', 'indicators') }}
),

renamed as (
    select
        md5(concat_ws('|', fiscal_year, department_name, unit_name, project_name, indicator_seq)) as indicator_id,
        md5(concat_ws('|', fiscal_year, department_name, unit_name, project_name)) as project_id,
        source_path,
        source_line,
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
        annual_target_text
    from source
)

select * from renamed
