{# Fails with one row per listed column that holds a null: the column's name and how many of its
   rows are null. One test per model instead of dbt's not_null per column, because each test node
   costs a build ~30 ms of dbt's own work however fast its query (docs/warehouse.md, "Incremental
   marts"). One scan of the model: its null counts are one row, spread over one row per column
   by a join with the columns' names (no UNPIVOT, whose syntax DuckDB and Spark do not share).
   A scoped build reads only the rows in scope, as for not_null (macros/incremental/scoped_tests.sql). #}
{% test not_null_columns(model, columns) %}
select null_counts.column_name, null_counts.null_rows
from (
    select
        names.column_name,
        case names.column_position
            {%- for column in columns %}
            when {{ loop.index }} then counts.null_rows_{{ loop.index }}
            {%- endfor %}
        end as null_rows
    from (
        select
            {%- for column in columns %}
            count(*) - count({{ adapter.quote(column) }}) as null_rows_{{ loop.index }}{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ model }}
    ) counts
    cross join (
        {%- for column in columns %}
        select {{ loop.index }} as column_position, {{ budget_warehouse.sql_string(column) }} as column_name
        {%- if not loop.last %} union all{% endif %}
        {%- endfor %}
    ) names
) null_counts
where null_counts.null_rows > 0
{% endtest %}
