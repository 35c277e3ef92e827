{# Schemas are named by layer (staging, marts) exactly: BI users query marts.<table>. #}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name if custom_schema_name is not none else target.schema }}
{%- endmacro %}
