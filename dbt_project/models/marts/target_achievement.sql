{{ config(**incremental_mart('departments')) }}

with results as (
    select * from {{ ref('stg_indicator_results') }}
    where {{ in_change_set('departments') }}
),

indicator_targets as (
    select * from {{ ref('indicator_targets') }}
    where {{ in_change_set('departments', department_id='department_id') }}
),

standard_tree as (
    select * from {{ ref('standard_indicator_tree') }}
),

-- The standard category by name, as for the target tables (a row naming the level 1 wins).
standard_levels as (
    select result_id, std_level1, std_level2
    from (
        select
            results.result_id,
            standard_tree.std_level1,
            standard_tree.std_level2,
            row_number() over (
                partition by results.result_id
                order by standard_tree.level1_name is null, standard_tree.std_level1, standard_tree.std_level2
            ) as match_rank
        from results
        inner join standard_tree
            on {{ category_name('results.level2_name') }} = {{ category_name('standard_tree.level2_name') }}
            and (standard_tree.level1_name is null or {{ category_name('results.level1_name') }} = {{ category_name('standard_tree.level1_name') }})
    ) as matches
    where match_rank = 1
),

with_department as (
    select *, {{ department_id('department_name') }} as department_id
    from results
),

-- The promise in the target table of the same year, department, project and indicator name.
linked as (
    select result_id, indicator_id, annual_text, annual_operator, annual_value, annual_unit, annual_kind
    from (
        select
            with_department.result_id,
            indicator_targets.indicator_id,
            indicator_targets.annual_text,
            indicator_targets.annual_operator,
            indicator_targets.annual_value,
            indicator_targets.annual_unit,
            indicator_targets.annual_kind,
            row_number() over (
                partition by with_department.result_id
                order by indicator_targets.indicator_seq, indicator_targets.indicator_id
            ) as link_rank
        from with_department
        inner join indicator_targets
            on with_department.fiscal_year = indicator_targets.fiscal_year
            and with_department.department_id = indicator_targets.department_id
            and {{ trim_spaces('with_department.project_name') }} = {{ trim_spaces('indicator_targets.project_name') }}
            and {{ trim_spaces('with_department.indicator_name') }} = {{ trim_spaces('indicator_targets.indicator_name') }}
    ) as links
    where link_rank = 1
),

-- The self-evaluation's own 年度指标值 when it prints one, else the linked target table's.
targets as (
    select
        with_department.*,
        linked.indicator_id as target_indicator_id,
        with_department.target_text is null and linked.indicator_id is not null as uses_linked_target,
        standard_levels.std_level1,
        standard_levels.std_level2
    from with_department
    left join linked on with_department.result_id = linked.result_id
    left join standard_levels on with_department.result_id = standard_levels.result_id
),

typed as (
    select
        targets.*,
        case when uses_linked_target then linked.annual_text else targets.target_text end as promised_text,
        case when uses_linked_target then linked.annual_operator else targets.target_operator end as promised_operator,
        case when uses_linked_target then linked.annual_value else targets.target_value end as promised_value,
        case when uses_linked_target then linked.annual_unit else targets.target_unit end as promised_unit,
        case when uses_linked_target then linked.annual_kind else targets.target_kind end as promised_kind
    from targets
    left join linked on targets.result_id = linked.result_id
),

final as (
    select
        result_id,
        project_id,
        fiscal_year,
        department_id,
        department_name,
        unit_name,
        project_name,
        indicator_seq,
        std_level1,
        std_level2,
        indicator_name,
        promised_text as target_text,
        promised_operator as target_operator,
        promised_value as target_value,
        target_value_max,
        promised_unit as target_unit,
        actual_text,
        actual_value,
        actual_unit,
        weight,
        score,
        -- Compared only when both are numbers in the same unit (an actual without a unit takes
        -- the target's); a qualitative or unread target, or a different unit, gives null.
        case
            when promised_kind is distinct from 'quantitative' or promised_operator is null
                or promised_value is null or actual_value is null then null
            when actual_unit is not null and promised_unit is not null and actual_unit <> promised_unit then null
            when target_value_max is not null then actual_value between promised_value and target_value_max
            when promised_operator = '>=' then actual_value >= promised_value
            when promised_operator = '>' then actual_value > promised_value
            when promised_operator = '<=' then actual_value <= promised_value
            when promised_operator = '<' then actual_value < promised_value
            when promised_operator = '=' then actual_value = promised_value
        end as achieved,
        deviation_reason,
        target_indicator_id,
        source_path,
        source_line
    from typed
)

select * from final
