with indicators as (
    select * from {{ ref('stg_indicators') }}
),

standard_tree as (
    select * from {{ ref('standard_indicator_tree') }}
),

-- A tree row naming the local level 1 is more specific than one for any level 1, so it wins.
standard_levels as (
    select
        indicators.indicator_id,
        standard_tree.std_level1,
        standard_tree.std_level2
    from indicators
    inner join standard_tree
        on trim(indicators.level2_name) = trim(standard_tree.level2_name)
        and (
            standard_tree.level1_name is null
            or trim(indicators.level1_name) = trim(standard_tree.level1_name)
        )
    qualify row_number() over (
        partition by indicators.indicator_id order by standard_tree.level1_name is null
    ) = 1
),

final as (
    select
        indicators.indicator_id,
        indicators.project_id,
        indicators.fiscal_year,
        indicators.department_name,
        indicators.unit_name,
        indicators.project_name,
        indicators.indicator_seq,
        indicators.level1_code,
        indicators.level1_name,
        indicators.level2_code,
        indicators.level2_name,
        standard_levels.std_level1,
        standard_levels.std_level2,
        indicators.indicator_name,
        indicators.annual_target_text as annual_text,
        indicators.annual_operator,
        indicators.annual_value,
        indicators.annual_unit,
        indicators.annual_per,
        indicators.annual_kind,
        indicators.annual_deadline,
        indicators.period_target_text as period_text,
        indicators.period_operator,
        indicators.period_value,
        indicators.period_unit,
        indicators.period_per,
        indicators.period_kind,
        indicators.period_deadline,
        indicators.source_path,
        indicators.source_line,
        indicators.source_page
    from indicators
    left join standard_levels on indicators.indicator_id = standard_levels.indicator_id
)

select * from final
