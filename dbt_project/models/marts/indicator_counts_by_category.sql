with indicators as (
    select * from {{ ref('stg_indicators') }}
),

final as (
    select
        fiscal_year,
        department_name,
        level1_code,
        level1_name,
        level2_code,
        level2_name,
        count(*) as indicator_count
    from indicators
    group by all
)

select * from final
