{# A department's identity in SQL, as pipelines/ingest/departments.py computes it in Python:
   width folded (full-width ASCII to half width), spaces and format characters (Unicode category
   Cf: zero-width spaces, bidi marks, soft hyphens) removed, （本级）/(本级) taken off, then
   one rename of the seed department_aliases followed. Keep the two in step. The texts below reach
   every engine through sql_string and regexp_replace_all (macros/portable/strings.sql), so that
   DuckDB and Spark compute the same department_id. #}

{% macro department_folded(column) -%}
    {%- set full_width %}！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～{% endset -%}
    {%- set half_width %}!"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~{% endset -%}
    {%- set spaces %}[\t\n\f\r \x{3000}\x{00A0}\p{Cf}]{% endset -%}
    {{ regexp_replace_all('translate(' ~ column ~ ', ' ~ sql_string(full_width) ~ ', ' ~ sql_string(half_width) ~ ')', spaces) }}
{%- endmacro %}

{% macro department_key(column) -%}
    {%- set own_level %}\(本级\)$ {%- endset -%}
    {{ regexp_replace_all(department_folded(column), own_level) }}
{%- endmacro %}

{% macro is_own_level(column) -%}
    ({{ department_folded(column) }} like '%(本级)')
{%- endmacro %}

{# max, not any_value: one answer on every engine even if two alias rows fold to one old name. #}
{% macro department_id(column) -%}
    md5(coalesce(
        (
            select max({{ department_key('department_aliases.new_name') }})
            from {{ ref('department_aliases') }} as department_aliases
            where {{ department_key('department_aliases.old_name') }} = {{ department_key(column) }}
        ),
        {{ department_key(column) }}
    ))
{%- endmacro %}
