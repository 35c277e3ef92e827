{# Incremental marts (docs/warehouse.md, "Incremental marts").

   A mart built from per-file rows is `incremental` on DuckDB: a load rebuilds only the rows of
   the files in landing.load_changes (the change set the load recorded, pipelines/load/changes.py)
   instead of every row. Each such model has one config line and one filter call:

       {{ config(**incremental_mart('files')) }}
       ... select * from {{ ref('stg_projects') }} where {{ in_change_set('files') }}

   The scope says which rows are rebuilt:
   - 'files': the rows whose source_path is a changed file (rows that depend on their file only);
   - 'departments': the rows of every fiscal year and department_id a changed file held before
     or holds after the load (rows that link files of one department, such as a 自评表 to its
     目标表, or that aggregate a department).
   The pre-hook deletes those rows from the mart (so removed and quarantined files' rows leave),
   and the model's filter selects them again from the landing.

   On any other adapter (Spark) every mart is a table: this macro is the one place that says so.
   A full rebuild (the first build, `dbt build --full-refresh`, which the load passes whenever the
   dbt project changed, seeds included) builds every row, since is_incremental() is then false. #}

{% macro incremental_mart(scope) -%}
    {%- if scope not in ('files', 'departments') -%}
        {{ exceptions.raise_compiler_error("incremental_mart: scope must be 'files' or 'departments', not " ~ scope) }}
    {%- endif -%}
    {%- if target.type == 'duckdb' -%}
        {{ return({
            'materialized': 'incremental',
            'incremental_strategy': 'append',
            'on_schema_change': 'fail',
            'pre_hook': "{{ budget_warehouse.delete_changed_rows('" ~ scope ~ "') }}",
            'meta': {'change_scope': scope, 'unique_scope': budget_warehouse.unique_scope(scope)},
        }) }}
    {%- else -%}
        {{ return({'materialized': 'table'}) }}
    {%- endif -%}
{%- endmacro %}


{# Where a scoped build looks for duplicates of a mart's unique keys (scoped_tests.sql). Every
   unique key of a mart holds the fiscal year and the department as printed, as columns or hashed
   into an md5 id, so two rows with one key belong to one year and department, and one of them
   was rebuilt by this build (the mart was tested before it). A files-scope mart rebuilds the rows
   of the changed files, whose departments the on-run-start table changed_departments names; a
   departments-scope mart rebuilds whole departments, its own change set. #}
{% macro unique_scope(scope) -%}
    {{ return('department_names' if scope == 'files' else scope) }}
{%- endmacro %}


{# A where-clause predicate: true on a full build; on an incremental run, the rows in scope.
   `department_name`: the column the department_id is computed from (as the marts compute it),
   or `department_id`: a column that holds it already (an upstream mart's). #}
{% macro in_change_set(scope, department_name='department_name', department_id=none) -%}
    {%- if scope == 'departments' and this is not none -%}
        {#- Parsed unconditionally, so that dbt knows the model reads the seed the ids come from
            (a unit test, without `this`, gives its own inputs and reads no change set). -#}
        {%- set aliases = ref('department_aliases') -%}
    {%- endif -%}
    {#- A unit test has no relation of its own (`this` is none): it builds from its given rows. -#}
    {%- if this is not none and is_incremental() -%}
        {%- if scope == 'departments' -%}
            {{ budget_warehouse.change_predicate(scope, this.identifier, none, 'fiscal_year', department_id or budget_warehouse.department_id(department_name)) }}
        {%- else -%}
            {{ budget_warehouse.change_predicate(scope, this.identifier, 'source_path', none, none) }}
        {%- endif -%}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{# Runs before the model's rows are inserted, in the same transaction: the department ids of the
   change set for this model (its scoped tests read them too), then the delete. #}
{% macro delete_changed_rows(scope) -%}
    {%- if is_incremental() -%}
        {%- if scope == 'departments' -%}
            {%- call statement('changed_departments') -%}
                create or replace table {{ budget_warehouse.changed_departments_relation(this.identifier) }} as
                select distinct fiscal_year, {{ budget_warehouse.department_id('department_name') }} as department_id
                from {{ budget_warehouse.changed_departments_relation() }}
            {%- endcall -%}
        {%- endif -%}
        delete from {{ this }}
        where {{ budget_warehouse.change_predicate(scope, this.identifier, 'source_path', 'fiscal_year', 'department_id') }}
    {%- endif -%}
{%- endmacro %}


{# The rows in scope of `model`, by the given columns. #}
{% macro change_predicate(scope, model, source_path, fiscal_year, department_id) -%}
    {%- if scope == 'files' -%}
        {{ source_path }} in (select source_path from {{ budget_warehouse.load_changes_relation() }})
    {%- else -%}
        ({{ fiscal_year }}, {{ department_id }}) in (
            select fiscal_year, department_id from {{ budget_warehouse.changed_departments_relation(model) }}
        )
    {%- endif -%}
{%- endmacro %}


{# on-run-start (dbt_project.yml): the (fiscal_year, department_name) pairs a changed file held
   before the load (recorded in the change set) or holds now (its landing rows), computed once
   per dbt invocation so that the models and tests that ask do not each scan the landing tables.
   Names, not ids: a hook cannot read the seed department_aliases through ref(); each
   department-scope model's pre-hook turns them into ids (delete_changed_rows). #}
{% macro record_changed_departments() -%}
    {#- Only DuckDB builds incrementally; other adapters have no change set (nor a target.database). -#}
    {%- if execute and target.type == 'duckdb' -%}
        {%- set changes = budget_warehouse.load_changes_relation() -%}
    {%- endif -%}
    {%- if execute and target.type == 'duckdb' and budget_warehouse.relation_exists(changes) -%}
        {%- set table = budget_warehouse.changed_departments_relation() -%}
        {%- call statement('changed_department_names') -%}
            create schema if not exists {{ table.schema }};
            create or replace table {{ table }} as
            select distinct fiscal_year, department_name
            from (
                select fiscal_year, department_name from {{ changes }} where department_name is not null
                {%- for landing_table in ['department_tables', 'projects', 'indicators', 'project_evaluations', 'indicator_results'] %}
                union all
                select fiscal_year, department_name from {{ budget_warehouse.landing_relation(landing_table) }}
                where source_path in (select source_path from {{ changes }})
                {%- endfor %}
            ) as held
        {%- endcall -%}
        {%- do adapter.commit() -%}
    {%- endif -%}
{%- endmacro %}


{# dbt's working tables in the staging schema: the changed (fiscal_year, department_name) pairs,
   and per department-scope mart the (fiscal_year, department_id) pairs it rebuilds. #}
{% macro changed_departments_relation(model=none) -%}
    {%- set name = 'changed_departments' ~ ('__' ~ model if model else '') -%}
    {{ return(api.Relation.create(database=target.database, schema='staging', identifier=name)) }}
{%- endmacro %}


{# The landing tables by name, not source(): the change set selects rows, it is not lineage. #}
{% macro load_changes_relation() -%}
    {{ return(budget_warehouse.landing_relation('load_changes')) }}
{%- endmacro %}

{% macro landing_relation(table) -%}
    {{ return(api.Relation.create(database=target.database, schema='landing', identifier=table)) }}
{%- endmacro %}

{# Whether a table exists in the database (dbt's relation cache knows only the schemas it builds). #}
{% macro relation_exists(relation) -%}
    {%- set found = run_query(
        "select count(*) from information_schema.tables where table_schema = '" ~ relation.schema
        ~ "' and table_name = '" ~ relation.identifier ~ "'") -%}
    {{ return(found.columns[0].values()[0] > 0) }}
{%- endmacro %}
