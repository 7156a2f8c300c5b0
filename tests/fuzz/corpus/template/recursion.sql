{% macro down(n) %}{{ down(n + 1) }}{% endmacro %}
===
{{ down(0) }}
