{# On-run-start (dbt_project.yml): makes the landing tables the staging models' sources on every engine.
   DuckDB: the load writes them into the warehouse file itself, so there is nothing to do.
   Spark: the landing is Parquet under BUDGET_SPARK_LANDING_DIR, one folder per table
   (<dir>/<table>/, the row tables in hive folders fiscal_year=<year>/, docs/scale-out.md); each
   build registers landing.<table> over its folder with the columns __sources.yml declares, and
   recovers the partitions, since the catalog starts empty in every dbt process. It also creates
   the schemas of the models, seeds and tests, so that `dbt test` alone finds them. #}
{% macro register_spark_landing() -%}
    {{ return(adapter.dispatch('register_spark_landing', 'budget_warehouse')()) }}
{%- endmacro %}

{% macro default__register_spark_landing() -%}
{%- endmacro %}

{% macro spark__register_spark_landing() -%}
    {%- if execute -%}
        {%- set landing_dir = env_var('BUDGET_SPARK_LANDING_DIR', env_var('TMPDIR', '/tmp') ~ '/budget-warehouse-spark/landing') -%}
        {%- set schemas = ['landing'] -%}
        {%- for node in graph.nodes.values() if node.resource_type in ('model', 'seed') and node.schema not in schemas -%}
            {%- do schemas.append(node.schema) -%}
        {%- endfor -%}
        {%- for schema in schemas -%}
            {%- do run_query('create schema if not exists ' ~ schema) -%}
        {%- endfor -%}
        {%- for source in graph.sources.values() if source.source_name == 'landing' -%}
            {%- do run_query('drop table if exists ' ~ source.schema ~ '.' ~ source.name) -%}
            {%- do run_query(spark_landing_table_ddl(source, landing_dir.rstrip('/') ~ '/' ~ source.name)) -%}
            {%- if source.meta.get('partitioned_by') -%}
                {%- do run_query('alter table ' ~ source.schema ~ '.' ~ source.name ~ ' recover partitions') -%}
            {%- endif -%}
        {%- endfor -%}
        {#- A mistyped BUDGET_SPARK_LANDING_DIR is no error to Spark (a missing folder reads as an
            empty table), so an empty landing is said out loud. -#}
        {%- set loaded = run_query('select count(*) from landing.department_tables').columns[0].values()[0] -%}
        {%- if loaded == 0 -%}
            {%- do log('warning: landing.department_tables is empty: no table under BUDGET_SPARK_LANDING_DIR=' ~ landing_dir ~ ' (docs/scale-out.md)', info=True) -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{# `create table` over a folder: the declared columns (data_type in __sources.yml, Spark types),
   the partition column last as Spark keeps it; inferred from the files when none are declared. #}
{% macro spark_landing_table_ddl(source, location) -%}
    {%- set partitioned_by = source.meta.get('partitioned_by', []) -%}
    {%- set columns = [] -%}
    {%- for column in source.columns.values() if column.name not in partitioned_by -%}
        {%- do columns.append(column) -%}
    {%- endfor -%}
    {%- for name in partitioned_by -%}
        {%- do columns.append(source.columns[name]) -%}
    {%- endfor -%}
    {%- set relation = source.schema ~ '.' ~ source.name -%}
    create table {{ relation }}
    {%- if columns %} ({% for column in columns %}{{ column.name }} {{ column.data_type }}{{ ', ' if not loop.last }}{% endfor %}){% endif %}
    using parquet
    {%- if partitioned_by %} partitioned by ({{ partitioned_by | join(', ') }}){% endif %}
    location {{ budget_warehouse.sql_string(location) }}
{%- endmacro %}
