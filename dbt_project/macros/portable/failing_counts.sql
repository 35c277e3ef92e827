{# One scan of `model` counting the rows that fail each check, spread over one row per failing
   check by a join with the checks' labels (no UNPIVOT, whose syntax DuckDB and Spark do not
   share): `label_column` holds the label, failing_rows the count. `checks` is a list of
   [label, condition that a failing row meets]; a null condition does not count, as a null
   `where not (…)` selects no row. The merged tests (tests/generic/) use it: one dbt node a model. #}
{% macro failing_counts(model, label_column, checks) -%}
select failures.{{ label_column }}, failures.failing_rows
from (
    select
        labels.{{ label_column }},
        case labels.check_position
            {%- for check in checks %}
            when {{ loop.index }} then counts.failing_rows_{{ loop.index }}
            {%- endfor %}
        end as failing_rows
    from (
        select
            {%- for label, condition in checks %}
            count(case when {{ condition }} then 1 end) as failing_rows_{{ loop.index }}{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ model }}
    ) counts
    cross join (
        {%- for label, condition in checks %}
        select {{ loop.index }} as check_position, {{ budget_warehouse.sql_string(label) }} as {{ label_column }}
        {%- if not loop.last %} union all{% endif %}
        {%- endfor %}
    ) labels
) failures
where failures.failing_rows > 0
{%- endmacro %}
