{# Row-level tests of an incremental mart read only the rows this build rebuilt, when the load
   asks for it (BUDGET_DBT_TEST_SCOPE=changes, pipelines/defs/dbt_scope.py): a load that changed
   k files tests k files' rows, not the whole warehouse. The staging views (meta change_scope
   'files' in dbt_project.yml) likewise: each of their rows is a function of one landing row, so
   a row of a file that did not change was tested by an earlier build and is the same row now.
   Sound only for tests that judge each row on its own (not_null, accepted_values and the
   project's not_null_columns, accepted_values_columns, expressions_are_true, and relationships
   from the child's side; its parent: see below).

   Unique keys (meta unique_scope) are tested within the changed departments: every key of a
   staging view or an incremental mart holds the fiscal year and the department as printed (as
   columns, or hashed into an md5 id), so two rows with one key belong to one year and department,
   and a duplicate a build can bring in has a rebuilt row, in a department it changed. The staging
   views and the files-scope marts read the departments the changed files held or hold ('department_names':
   the on-run-start table changed_departments); a departments-scope mart, the departments it
   rebuilt. An md5 id is read whole when a department name holds its separator (tests_hashed_key).
   relationships reads its parent within the same departments (default__test_relationships), and
   assert_marts_reconcile_with_sources the departments the build could change
   (in_tested_departments). The other singular tests and every test of a table mart read every
   row on every build. A full rebuild and the nightly run test every row.

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
    {%- if budget_warehouse.tests_hashed_key() and budget_warehouse.names_hold_separator(relation) -%}
        {{ return(adapter.dispatch('get_where_subquery', 'dbt')(relation)) }}
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
    {%- set row_level = ['not_null', 'not_null_columns', 'accepted_values', 'accepted_values_columns', 'expressions_are_true', 'relationships'] -%}
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


{# A `unique` test of an md5 id (a staging view's or a mart's): hashed_id joins the values by '|'
   (macros/portable/ids.sql), so two rows of different departments can share an id only when a
   department name holds a '|' ('甲|乙' + '丙' and '甲' + '乙|丙'). Then the test reads every row. #}
{% macro tests_hashed_key() -%}
    {{ return((model.get('test_metadata') or {}).get('name') == 'unique') }}
{%- endmacro %}

{# Asked once, before the test's query: as a disjunct of its filter, it would keep DuckDB from
   pushing the department filter into a staging view, which then hashes every row. #}
{% macro names_hold_separator(relation) -%}
    {%- set found = run_query("select exists (select 1 from " ~ relation ~ " where department_name like '%|%')") -%}
    {{ return(found.columns[0].values()[0]) }}
{%- endmacro %}


{# For a singular test that compares the marts with the landing per year and department as
   printed: on a scoped build, true for the departments the build could have changed (those its
   changed files held or hold, and every name of their department_ids, which the
   departments-scope marts rebuilt); elsewhere every mart row and landing row is what an earlier
   build tested. A full build, the nightly run: true. #}
{% macro in_tested_departments(fiscal_year='fiscal_year', department_name='department_name') -%}
    {#- Referred to unconditionally, so that dbt knows the test reads them. -#}
    {%- set comparison = ref('department_comparison') -%}
    {%- set aliases = ref('department_aliases') -%}
    {%- if execute and env_var('BUDGET_DBT_TEST_SCOPE', '') == 'changes' -%}
        {%- set changed = budget_warehouse.changed_departments_relation() -%}
        ({{ fiscal_year }}, {{ department_name }}) in (
            select fiscal_year, department_name from {{ changed }}
            union all
            select fiscal_year, department_name from {{ comparison }}
            where (fiscal_year, department_id) in (
                select fiscal_year, {{ budget_warehouse.department_id('department_name') }} from {{ changed }}
            )
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{# relationships reads its parent within the child's departments too, on a scoped build: every
   link here is an md5 id that hashes the fiscal year and department as printed (project_id), or
   a link made by department_id (target_achievement.target_indicator_id), so a child row's parent
   lies in the child row's year and department. A files-scope child (rows of the changed files)
   reads the parent's rows of the departments those files held or hold; a departments-scope child,
   of the departments it rebuilt. Reading less of the parent can only fail more child rows, never
   fewer; while a name on either side holds the ids' separator, the parent is read whole, so that
   no such failure is a false one. Elsewhere (Spark, a full build), dbt's own test. #}
{% macro default__test_relationships(model, column_name, to, field) -%}
    {{ return(dbt.default__test_relationships(model, column_name, budget_warehouse.parent_in_scope(to, model), field)) }}
{%- endmacro %}

{% macro parent_in_scope(parent, child) -%}
    {%- set scope = budget_warehouse.test_change_scope() -%}
    {%- set tested = graph.nodes.get(model.get('attached_node')) if scope is not none else none -%}
    {%- set departments = tested.config.meta.get('unique_scope') if tested is not none else none -%}
    {%- if departments is none or budget_warehouse.names_hold_separator(parent) or budget_warehouse.names_hold_separator(child) -%}
        {{ return(parent) }}
    {%- elif departments == 'department_names' -%}
        {%- set predicate -%}
            (fiscal_year, department_name) in (
                select fiscal_year, department_name from {{ budget_warehouse.changed_departments_relation() }}
            )
        {%- endset -%}
    {%- else -%}
        {%- set predicate = budget_warehouse.change_predicate(departments, tested.name, none, 'fiscal_year', 'department_id') -%}
    {%- endif -%}
    {{ return('(select * from ' ~ parent ~ ' where ' ~ predicate ~ ') dbt_parent') }}
{%- endmacro %}
