-- numeroControlePNCP of the purchase a maintenance-API request asked for, from its task params
-- (`params`: SQL text of the JSON params column): "<cnpj>-1-<sequencial, at least 6 digits>/<ano>"
-- (printf keeps a sequencial of 7 digits whole; lpad would cut it).
{% macro numero_controle_compra(params) -%}
(({{ params }}) ->> 'cnpj') || '-1-' || printf('%06d', try_cast(({{ params }}) ->> 'sequencial' as bigint))
  || '/' || (({{ params }}) ->> 'ano')
{%- endmacro %}
