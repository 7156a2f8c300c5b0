{% macro wrap(tag, sep=', ') -%}
<{{ tag }}>{{ caller() if caller is defined else '' }}{{ varargs | join(sep) }}{{ kwargs }}</{{ tag }}>
{%- endmacro %}
{% macro fact(n) %}{% if n <= 1 %}1{% else %}{{ n }}*{{ fact(n - 1) }}{% endif %}{% endmacro %}
{% macro rows(n) %}{% for i in range(n) %}{{ caller(i) }}{% endfor %}{% endmacro %}
{% macro give(x) %}{{ return({'x': x, 'list': [x, x * 2]}) }}{% endmacro %}
{% macro default__shout(x) %}{{ x | upper }}{% endmacro %}
{% macro duckdb__shout(x) %}{{ x | upper }}!{% endmacro %}
{% macro shout(x) %}{{ adapter.dispatch('shout')(x) }}{% endmacro %}
{% test positive(model, column_name) %}select * from {{ model }} where {{ column_name }} < 0{% endtest %}
===
{% call wrap('b') %}inner {{ 1 + 2 }}{% endcall %}
{{ wrap('i', 'x', 'y', extra=1) }}
{{ fact(5) }}
{% set r = give(3) %}{{ r.x }} {{ r['list'][1] }}
{{ shout('hi') }}
{% call(row) rows(3) %}{{ row }}{% endcall %}
