{{ config(materialized='incremental', unique_key='id', tags=['a', 'b'], meta={'k': var('v')}) }}
{%- set relation = adapter.get_relation(database=this.database, schema=this.schema, identifier=this.identifier) -%}
{%- set cols = adapter.get_columns_in_relation(ref('orders')) -%}
{%- if execute %}{% set rows = run_query('select 1 as id, 2') %}{% set first = rows.columns[0].values() %}{% endif -%}
{% call statement('main', fetch_result=True) %}select 1, 2, 3{% endcall %}
{% set res = load_result('main') %}{{ res['data'] }} {{ res.table.rows | length }}
{{ log('message', info=True) }}{{ print('p') }}{{ exceptions.warn('careful') }}
select {% for c in cols %}{{ adapter.quote(c.name) }} as {{ c.column }} /* {{ c.data_type }} {{ c.dtype }} */, {% endfor %}
  {{ var('v') }} as v, {{ var('missing_with_default', 5) }} as d, '{{ env_var('HOME', 'x') | length > 0 }}' as e,
  '{{ target.name }}/{{ target.schema }}/{{ target.type }}' as t, '{{ this }}' as me, '{{ this.identifier }}' as ident,
  '{{ invocation_id }}' as inv, '{{ run_started_at }}' as started, {{ is_incremental() }} as inc,
  '{{ model.name }}' as model_name, '{{ config.get("materialized") }}' as mat, '{{ flags.FULL_REFRESH }}' as fr,
  '{{ modules.datetime.date(2024, 1, 31).strftime("%Y-%m") }}' as ym, {{ fromjson('{"a": [1]}').a[0] }} as j,
  '{{ tojson({"x": 1}) }}' as tj, '{{ local_md5("x") }}' as h, {{ zip([1, 2], ['a', 'b']) | list | length }} as z,
  '{{ doc("orders") }}' as doc, {{ set([1, 1, 2]) | length }} as s, '{{ api.Relation.create(schema="s", identifier="t") }}' as rel
from {{ ref('orders') }} o join {{ source('raw', 'payments') }} p on true join {{ ref('pkg', 'other', v=2) }} x on true
{% if is_incremental() %}where o.id > (select max(id) from {{ this }}){% endif %}
{{ dbt_utils.star(ref('orders'), except=['id']) }}
{{ dbt_utils.generate_surrogate_key(['a', 'b']) }}
{{ dbt.date_trunc('month', 'ts') }} {{ dbt.dateadd('day', 1, 'ts') }} {{ dbt.datediff('a', 'b', 'day') }}
{{ dbt.type_string() }} {{ dbt.safe_cast('x', dbt.type_int()) }} {{ dbt.concat(['a', 'b']) }} {{ dbt.hash('a') }}
