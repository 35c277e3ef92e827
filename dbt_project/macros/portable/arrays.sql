{# Arrays of strings (target_quality.findings and unknown_units: VARCHAR[] on DuckDB,
   array<string> on Spark), built the same way on each engine. #}

{# The expressions' values as an array, the nulls left out, in the order given. #}
{% macro array_without_nulls(expressions) -%}
    {{ return(adapter.dispatch('array_without_nulls', 'budget_warehouse')(expressions)) }}
{%- endmacro %}

{% macro default__array_without_nulls(expressions) -%}
    list_filter([{{ expressions | join(', ') }}], lambda element: element is not null)
{%- endmacro %}

{% macro spark__array_without_nulls(expressions) -%}
    filter(array({{ expressions | join(', ') }}), element -> element is not null)
{%- endmacro %}

{# Aggregate: the distinct non-null values of the expressions over the group, sorted (by code point). #}
{% macro sorted_distinct_strings(expressions) -%}
    {{ return(adapter.dispatch('sorted_distinct_strings', 'budget_warehouse')(expressions)) }}
{%- endmacro %}

{% macro default__sorted_distinct_strings(expressions) -%}
    list_sort(list_distinct(flatten(list([{{ expressions | join(', ') }}]))))
{%- endmacro %}

{% macro spark__sorted_distinct_strings(expressions) -%}
    array_sort(array_distinct(filter(flatten(collect_list(array({{ expressions | join(', ') }}))), element -> element is not null)))
{%- endmacro %}

{% macro empty_string_array() -%}
    {{ return(adapter.dispatch('empty_string_array', 'budget_warehouse')()) }}
{%- endmacro %}

{% macro default__empty_string_array() -%}
    cast([] as varchar[])
{%- endmacro %}

{% macro spark__empty_string_array() -%}
    cast(array() as array<string>)
{%- endmacro %}

{% macro array_size(expression) -%}
    {{ return(adapter.dispatch('array_size', 'budget_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__array_size(expression) -%}
    len({{ expression }})
{%- endmacro %}

{% macro spark__array_size(expression) -%}
    size({{ expression }})
{%- endmacro %}
