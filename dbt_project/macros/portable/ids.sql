{# A stable key: the md5 (32 lower-case hex digits) of the values as text, joined by '|' (a null
   value is left out). Every engine must give the same id for the same row, since BI tools join
   marts built by either engine on it; md5, concat_ws and casts to string agree on DuckDB and Spark. #}
{% macro hashed_id(columns) -%}
    {{ return(adapter.dispatch('hashed_id', 'budget_warehouse')(columns)) }}
{%- endmacro %}

{% macro default__hashed_id(columns) -%}
    md5(concat_ws('|', {% for column in columns %}cast({{ column }} as {{ dbt.type_string() }}){{ ', ' if not loop.last }}{% endfor %}))
{%- endmacro %}
