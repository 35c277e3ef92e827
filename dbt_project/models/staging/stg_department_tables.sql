with source as (
    select * from {{ source('landing', 'department_tables') }}
),

renamed as (
    select
        source_path,
        source_sha256,
        source_line,
        source_page,
        loaded_at,
        fiscal_year,
        department_name,
        title,
        cast(total_amount as decimal(18, 2)) as total_amount,
        cast(fiscal_appropriation as decimal(18, 2)) as fiscal_appropriation,
        cast(special_account_appropriation as decimal(18, 2)) as special_account_appropriation,
        cast(other_funds as decimal(18, 2)) as other_funds
    from source
)

select * from renamed
