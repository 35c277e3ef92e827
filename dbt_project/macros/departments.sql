{# A department's identity in SQL, as pipelines/ingest/departments.py computes it in Python:
   width folded (full-width ASCII to half width), spaces removed, （本级）/(本级) taken off, then
   one rename of the seed department_aliases followed. Keep the two in step. #}

{% macro department_folded(column) -%}
    regexp_replace(translate({{ column }}, '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～', '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~'), '[\s\x{3000}\x{00A0}]', '', 'g')
{%- endmacro %}

{% macro department_key(column) -%}
    regexp_replace({{ department_folded(column) }}, '\(本级\)$', '')
{%- endmacro %}

{% macro is_own_level(column) -%}
    regexp_matches({{ department_folded(column) }}, '\(本级\)$')
{%- endmacro %}

{% macro department_id(column) -%}
    md5(coalesce(
        (
            select any_value({{ department_key('department_aliases.new_name') }})
            from {{ ref('department_aliases') }} as department_aliases
            where {{ department_key('department_aliases.old_name') }} = {{ department_key(column) }}
        ),
        {{ department_key(column) }}
    ))
{%- endmacro %}
