with source as (
    select * from {{ source('landing', 'funding_units') }}
),

renamed as (
    select
        source_path,
        source_line,
        source_page,
        fiscal_year,
        department_name,
        unit_name,
        cast(total_amount as decimal(18, 2)) as total_amount,
        cast(fiscal_appropriation as decimal(18, 2)) as fiscal_appropriation,
        cast(special_account_appropriation as decimal(18, 2)) as special_account_appropriation,
        cast(other_funds as decimal(18, 2)) as other_funds
    from source
)

select * from renamed
