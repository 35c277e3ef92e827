{# Fails with one row per expression that some row does not meet: the expression's text and how
   many rows fail it. One test per model (and severity) instead of one expression_is_true test per
   expression, because each test node costs a build ~30 ms of dbt's own work however fast its
   query (docs/warehouse.md, "Incremental marts"). An entry is the expression, or
   {expression: …, where: …} to judge only the rows the `where` selects (what a test's own `where`
   config did). A scoped build reads only the rows in scope (macros/incremental/scoped_tests.sql). #}
{% test expressions_are_true(model, expressions) %}
{%- set checks = [] -%}
{%- for entry in expressions -%}
    {%- set expression = (entry.expression if entry is mapping else entry) | trim -%}
    {%- set condition = 'not (' ~ expression ~ ')' -%}
    {%- if entry is mapping and entry.get('where') -%}
        {%- set condition = '(' ~ entry.where ~ ') and ' ~ condition -%}
    {%- endif -%}
    {%- do checks.append([expression, condition]) -%}
{%- endfor -%}
{{ budget_warehouse.failing_counts(model, 'expression', checks) }}
{% endtest %}
