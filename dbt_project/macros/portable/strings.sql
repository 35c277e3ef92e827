{# A string as an SQL literal of the engine. DuckDB follows the standard (a quote doubled, the
   backslash an ordinary character); Spark reads a backslash as an escape, and two quoted
   strings side by side as one, so both are escaped there. Regexes and the width-folding tables
   go through this, so that every engine receives the same characters. #}
{% macro sql_string(value) -%}
    {{ return(adapter.dispatch('sql_string', 'budget_warehouse')(value)) }}
{%- endmacro %}

{% macro default__sql_string(value) -%}
    '{{ value | replace("'", "''") }}'
{%- endmacro %}

{% macro spark__sql_string(value) -%}
    '{{ value | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}

{# Every match of a regular expression replaced (DuckDB replaces the first unless told 'g'). #}
{% macro regexp_replace_all(expression, pattern, replacement='') -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'budget_warehouse')(expression, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, {{ budget_warehouse.sql_string(pattern) }}, {{ budget_warehouse.sql_string(replacement) }}, 'g')
{%- endmacro %}

{% macro spark__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, {{ budget_warehouse.sql_string(pattern) }}, {{ budget_warehouse.sql_string(replacement) }})
{%- endmacro %}

{# Leading and trailing spaces removed, as DuckDB's trim does: every Unicode space separator
   (category Zs: the ASCII space, U+00A0, U+3000 …), not tabs or line breaks. Spark's trim takes
   off the ASCII space only. (\z, not $: Java's $ also matches before a final line break.) #}
{% macro trim_spaces(expression) -%}
    {{ return(adapter.dispatch('trim_spaces', 'budget_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__trim_spaces(expression) -%}
    trim({{ expression }})
{%- endmacro %}

{% macro spark__trim_spaces(expression) -%}
    {%- set edges %}^\p{Zs}+|\p{Zs}+\z{% endset -%}
    {{ budget_warehouse.spark__regexp_replace_all(expression, edges, '') }}
{%- endmacro %}
