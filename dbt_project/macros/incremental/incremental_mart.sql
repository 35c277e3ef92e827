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
            'meta': {'change_scope': scope},
        }) }}
    {%- else -%}
        {{ return({'materialized': 'table'}) }}
    {%- endif -%}
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
            {{ budget_warehouse.change_predicate(scope, none, 'fiscal_year', department_id or budget_warehouse.department_id(department_name)) }}
        {%- else -%}
            {{ budget_warehouse.change_predicate(scope, 'source_path', none, none) }}
        {%- endif -%}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{# Runs before the model's rows are inserted, in the same transaction. #}
{% macro delete_changed_rows(scope) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ budget_warehouse.change_predicate(scope, 'source_path', 'fiscal_year', 'department_id') }}
    {%- endif -%}
{%- endmacro %}


{% macro change_predicate(scope, source_path, fiscal_year, department_id) -%}
    {%- if scope == 'files' -%}
        {{ source_path }} in (select source_path from {{ budget_warehouse.load_changes_relation() }})
    {%- else -%}
        ({{ fiscal_year }}, {{ department_id }}) in ({{ budget_warehouse.changed_departments() }})
    {%- endif -%}
{%- endmacro %}


{# (fiscal_year, department_id) of every department a changed file held before the load (recorded
   in the change set) or holds now (its landing rows). #}
{% macro changed_departments() -%}
    {%- set changes = budget_warehouse.load_changes_relation() -%}
    select distinct held.fiscal_year, {{ budget_warehouse.department_id('held.department_name') }}
    from (
        select fiscal_year, department_name from {{ changes }} where department_name is not null
        {%- for table in ['department_tables', 'projects', 'indicators', 'project_evaluations', 'indicator_results'] %}
        union all
        select fiscal_year, department_name from {{ budget_warehouse.landing_relation(table) }}
        where source_path in (select source_path from {{ changes }})
        {%- endfor %}
    ) as held
{%- endmacro %}


{# The landing tables by name, not source(): the change set selects rows, it is not lineage. #}
{% macro load_changes_relation() -%}
    {{ return(budget_warehouse.landing_relation('load_changes')) }}
{%- endmacro %}

{% macro landing_relation(table) -%}
    {{ return(api.Relation.create(database=target.database, schema='landing', identifier=table)) }}
{%- endmacro %}
