{{ config(**incremental_mart('files')) }}

with indicators as (
    select * from {{ ref('stg_indicators') }}
    where {{ in_change_set('files') }}
),

standard_tree as (
    select * from {{ ref('standard_indicator_tree') }}
),

unit_conversions as (
    select * from {{ ref('unit_conversions') }}
),

-- A tree row naming the local level 1 is more specific than one for any level 1, so it wins.
standard_levels as (
    select indicator_id, std_level1, std_level2
    from (
        select
            indicators.indicator_id,
            standard_tree.std_level1,
            standard_tree.std_level2,
            row_number() over (
                partition by indicators.indicator_id
                order by standard_tree.level1_name is null, standard_tree.std_level1, standard_tree.std_level2
            ) as match_rank
        from indicators
        inner join standard_tree
            on {{ category_name('indicators.level2_name') }} = {{ category_name('standard_tree.level2_name') }}
            and (
                standard_tree.level1_name is null
                or {{ category_name('indicators.level1_name') }} = {{ category_name('standard_tree.level1_name') }}
            )
    ) as matches
    where match_rank = 1
),

final as (
    select
        indicators.indicator_id,
        indicators.project_id,
        indicators.fiscal_year,
        {{ department_id('indicators.department_name') }} as department_id,
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
        indicators.annual_value_max,
        annual_units.unit_family as annual_unit_family,
        indicators.annual_value * cast(annual_units.factor_to_base as double) as annual_value_base,
        indicators.annual_value_max * cast(annual_units.factor_to_base as double) as annual_value_max_base,
        annual_units.base_unit as annual_unit_base,
        indicators.period_value_max,
        period_units.unit_family as period_unit_family,
        indicators.period_value * cast(period_units.factor_to_base as double) as period_value_base,
        indicators.period_value_max * cast(period_units.factor_to_base as double) as period_value_max_base,
        period_units.base_unit as period_unit_base,
        indicators.source_page
    from indicators
    left join standard_levels on indicators.indicator_id = standard_levels.indicator_id
    -- Units compare through the seed; a unit it lacks keeps a null family (and is reported).
    left join unit_conversions as annual_units on indicators.annual_unit = annual_units.unit
    left join unit_conversions as period_units on indicators.period_unit = period_units.unit
)

select * from final
