with source as (
    select * from {{ source('landing', 'load_issues') }}
),

renamed as (
    select
        source_path,
        source_sha256,
        fiscal_year,
        department_name,
        category,
        severity,
        source_line,
        source_page,
        message,
        detected_at
    from source
)

select * from renamed
