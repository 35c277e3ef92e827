{# Row-level tests of an incremental mart read only the rows this build rebuilt, when the load
   asks for it (BUDGET_DBT_TEST_SCOPE=changes, pipelines/defs/dbt_scope.py): a load that changed
   k files tests k files' rows, not the whole warehouse. The staging views (meta change_scope
   'files' in dbt_project.yml) likewise: each of their rows is a function of one landing row, so
   a row of a file that did not change was tested by an earlier build and is the same row now.
   Sound only for tests that judge each row on its own (not_null, accepted_values,
   expression_is_true, and relationships from the child's side, whose parent is read whole).
   A test across rows reads every row, with one exception: the staging views' unique keys are
   md5s of the fiscal year, the department as printed and more (macros/portable/ids.sql), so two
   rows with one key belong to one year and department, and a duplicate a load can bring in lies
   within the departments its changed files held or hold (meta unique_scope 'department_names':
   the on-run-start table changed_departments). The singular tests and every test of a table
   mart read every row on every build. A full rebuild and the nightly run test every row.

   dbt applies a test's `where` config through this macro; the root project's version replaces
   dbt's own (which stays below as the fallback), so no test needs its own config. #}

{% macro get_where_subquery(relation) -%}
    {%- set scope = budget_warehouse.test_change_scope() -%}
    {%- if scope is none -%}
        {{ return(adapter.dispatch('get_where_subquery', 'dbt')(relation)) }}
    {%- endif -%}
    {%- set where = config.get('where', '') -%}
    {%- if scope == 'department_names' -%}
        {%- set predicate -%}
            (fiscal_year, department_name) in (
                select fiscal_year, department_name from {{ budget_warehouse.changed_departments_relation() }}
            )
        {%- endset -%}
    {%- else -%}
        {%- set predicate = budget_warehouse.change_predicate(scope, graph.nodes[model.attached_node].name, 'source_path', 'fiscal_year', 'department_id') -%}
    {%- endif -%}
    {%- set filtered -%}
        (select * from {{ relation }}
         where {{ predicate }}
         {%- if where %} and ({{ where }}){% endif %}) dbt_subquery
    {%- endset -%}
    {{ return(filtered) }}
{%- endmacro %}


{# The change scope of the mart this test reads, or none: test every row. #}
{% macro test_change_scope() -%}
    {%- set row_level = ['not_null', 'accepted_values', 'expression_is_true', 'relationships'] -%}
    {%- if not execute or env_var('BUDGET_DBT_TEST_SCOPE', '') != 'changes' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set test_name = (model.get('test_metadata') or {}).get('name') -%}
    {%- set tested = graph.nodes.get(model.get('attached_node')) -%}
    {%- if tested is none -%}
        {{ return(none) }}
    {%- elif test_name in row_level -%}
        {#- Set by incremental_mart on DuckDB's incremental marts, and for the staging views. -#}
        {{ return(tested.config.meta.get('change_scope')) }}
    {%- elif test_name in ['unique', 'unique_combination'] -%}
        {{ return(tested.config.meta.get('unique_scope')) }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}
