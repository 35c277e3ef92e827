{# An indicator category name as the standard tree is matched on: spaces removed and a trailing
   note such as （20分） dropped, since self-evaluations print the weight beside the name. #}
{% macro category_name(column) -%}
    regexp_replace(regexp_replace({{ column }}, '[\s\x{3000}]', '', 'g'), '[（(][^（()）]*[）)]$', '')
{%- endmacro %}
