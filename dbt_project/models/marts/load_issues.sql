{{ config(**incremental_mart('files')) }}

with issues as (
    select * from {{ ref('stg_load_issues') }}
    where {{ in_change_set('files') }}
),

final as (
    select
        source_path,
        source_sha256,
        fiscal_year,
        {{ department_id('department_name') }} as department_id,
        department_name,
        category,
        severity,
        source_line,
        source_page,
        message,
        detected_at
    from issues
)

select * from final
