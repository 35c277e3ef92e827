{# Fails with one row per column that holds a value outside its list: the column's name and how
   many rows hold such a value (a null is accepted, as by dbt's accepted_values). One test per
   model instead of accepted_values per column, for the ~30 ms each test node costs a build
   (docs/warehouse.md, "Incremental marts"). `columns` maps each column to its accepted values.
   A scoped build reads only the rows in scope (macros/incremental/scoped_tests.sql). #}
{% test accepted_values_columns(model, columns) %}
{%- set checks = [] -%}
{%- for column, values in columns.items() -%}
    {%- set listed = [] -%}
    {%- for value in values -%}
        {%- do listed.append(budget_warehouse.sql_string(value)) -%}
    {%- endfor -%}
    {%- do checks.append([column, adapter.quote(column) ~ ' not in (' ~ listed | join(', ') ~ ')']) -%}
{%- endfor -%}
{{ budget_warehouse.failing_counts(model, 'column_name', checks) }}
{% endtest %}
