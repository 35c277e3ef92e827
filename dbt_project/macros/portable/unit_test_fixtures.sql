{# dbt unit tests on Spark: dbt-spark pastes an array fixture value into the SQL unquoted, so the
   expected lists of _marts.yml (written "['a', 'b']", the text DuckDB casts to a list) would not
   parse. Here such a value is read as JSON instead; every other value is cast as dbt-spark casts it.
   (A macro of the root project takes precedence over dbt-spark's own spark__safe_cast.) #}
{% macro spark__safe_cast(field, type) -%}
    {%- if type.lower().startswith('array') and field is string and field.startswith("'") -%}
        from_json(replace({{ field }}, '\'', '"'), '{{ type }}')
    {%- else -%}
        {%- set field_clean = field.strip('"').strip("'") if (cast_from_string_unsupported_for(type) and field is string) else field -%}
        cast({{ field_clean }} as {{ type }})
    {%- endif -%}
{%- endmacro %}
