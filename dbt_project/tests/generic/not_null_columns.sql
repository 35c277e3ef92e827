{# Fails with one row per listed column that holds a null: the column's name and how many of its
   rows are null. One test per model instead of dbt's not_null per column, because each test node
   costs a build ~30 ms of dbt's own work however fast its query (docs/warehouse.md, "Incremental
   marts"). One scan of the model (macros/portable/failing_counts.sql). A scoped build reads only
   the rows in scope, as for not_null (macros/incremental/scoped_tests.sql). #}
{% test not_null_columns(model, columns) %}
{%- set checks = [] -%}
{%- for column in columns -%}
    {%- do checks.append([column, adapter.quote(column) ~ ' is null']) -%}
{%- endfor -%}
{{ budget_warehouse.failing_counts(model, 'column_name', checks) }}
{% endtest %}
