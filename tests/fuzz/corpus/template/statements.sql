{#- every statement, with whitespace control -#}
{% set cols = ['id', 'name', 'amount'] %}
{%- set block -%}
  select {{ cols | join(', ') }}
{%- endset %}
select
{%- for c in cols if c != 'name' %}
  {{ c }}{{ ',' if not loop.last }} -- {{ loop.index }}/{{ loop.length }} {{ loop.first }} {{ loop.revindex }} {{ loop.previtem }} {{ loop.nextitem }} {{ loop.cycle('a', 'b') }}
{%- else %}
  1
{%- endfor %}
{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }}{% endfor %}
{% for x in [] %}never{% else %}empty{% endfor %}
{% if cols | length > 2 %}many{% elif cols %}some{% else %}none{% endif %}
{% raw %}{{ not rendered }}{% endraw %}
{% filter upper %}shout {{ cols[0] }}{% endfilter %}
{% set ns = namespace(total=0) %}{% for i in range(5) %}{% set ns.total = ns.total + i %}{% endfor %}{{ ns.total }}
{% do cols.append('extra') %}{{ cols }}
{{ block }}
from {{ ref('orders') }}
