{# An indicator category name as the standard tree is matched on: spaces removed and a trailing
   note such as （20分） dropped, since self-evaluations print the weight beside the name. The
   space class is spelled out: DuckDB's \s and Spark's (Java's) \s differ by the vertical tab. #}
{% macro category_name(column) -%}
    {%- set spaces %}[\t\n\f\r \x{3000}]{% endset -%}
    {%- set trailing_note %}[（(][^（()）]*[）)]$ {%- endset -%}
    {{ regexp_replace_all(regexp_replace_all(column, spaces), trailing_note) }}
{%- endmacro %}
