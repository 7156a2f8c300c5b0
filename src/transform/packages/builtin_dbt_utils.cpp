// dbt_utils, built in: the macros and generic tests projects use most, written for DuckDB from
// the package's README (arguments, defaults and the SQL each one documents producing).
#include "transform/packages/builtin_packages.h"

namespace baliza::transform {

const char* builtin_dbt_utils_macros() {
  return R"JINJA(
{% macro generate_surrogate_key(field_list) -%}
{%- set parts = [] -%}
{%- for field in field_list -%}
  {%- do parts.append("coalesce(cast(" ~ field ~ " as varchar), '_dbt_utils_surrogate_key_null_')") -%}
{%- endfor -%}
md5(cast({{ parts | join(" || '-' || ") }} as varchar))
{%- endmacro %}

{% macro surrogate_key(field_list) -%}
{{ exceptions.raise_compiler_error("dbt_utils.surrogate_key was replaced by dbt_utils.generate_surrogate_key (note: it treats nulls differently)") }}
{%- endmacro %}

{% macro get_filtered_columns_in_relation(from, except=[]) -%}
{%- if not execute -%}{{ return([]) }}{%- endif -%}
{%- set lowered = except | map('lower') | list -%}
{%- set names = [] -%}
{%- for col in adapter.get_columns_in_relation(from) -%}
  {%- if col.column | lower not in lowered -%}{%- do names.append(col.column) -%}{%- endif -%}
{%- endfor -%}
{{ return(names) }}
{%- endmacro %}

{% macro star(from, relation_alias=False, except=[], prefix='', suffix='', quote_identifiers=True) -%}
{%- if not execute -%}{{ return('*') }}{%- endif -%}
{%- set cols = get_filtered_columns_in_relation(from, except) -%}
{%- if cols | length == 0 -%}
{{ return('/* no columns returned from star() macro */') }}
{%- endif -%}
{%- for col in cols -%}
{%- if relation_alias %}{{ relation_alias }}.{% endif -%}
{%- if quote_identifiers %}{{ adapter.quote(col) }}{% else %}{{ col }}{% endif -%}
{%- if prefix != '' or suffix != '' %} as {% if quote_identifiers %}{{ adapter.quote(prefix ~ col ~ suffix) }}{% else %}{{ prefix ~ col ~ suffix }}{% endif %}{% endif -%}
{%- if not loop.last %},
{% endif -%}
{%- endfor -%}
{%- endmacro %}

{% macro union_relations(relations, column_override=none, include=[], exclude=[], source_column_name='_dbt_source_relation', where=none) -%}
{%- if include | length > 0 and exclude | length > 0 -%}
  {{ exceptions.raise_compiler_error("union_relations: give either include or exclude, not both") }}
{%- endif -%}
{%- if not execute -%}{{ return('') }}{%- endif -%}
{%- set overrides = column_override or {} -%}
{%- set include_lower = include | map('lower') | list -%}
{%- set exclude_lower = exclude | map('lower') | list -%}
{%- set ns = namespace(names=[], types={}) -%}
{%- set per_relation = [] -%}
{%- for relation in relations -%}
  {%- set present = {} -%}
  {%- for col in adapter.get_columns_in_relation(relation) -%}
    {%- set key = col.column | lower -%}
    {%- if (include_lower | length == 0 or key in include_lower) and key not in exclude_lower -%}
      {%- do present.update({key: col.column}) -%}
      {%- if key not in ns.types -%}
        {%- do ns.names.append(col.column) -%}
        {%- do ns.types.update({key: overrides.get(col.column, col.data_type)}) -%}
      {%- endif -%}
    {%- endif -%}
  {%- endfor -%}
  {%- do per_relation.append(present) -%}
{%- endfor -%}
{%- for relation in relations %}
{%- set present = per_relation[loop.index0] %}
select
  {%- if source_column_name is not none %}
  cast('{{ relation }}' as varchar) as {{ adapter.quote(source_column_name) }},
  {%- endif %}
  {%- for name in ns.names %}
  {%- set key = name | lower %}
  {% if key in present %}cast({{ adapter.quote(present[key]) }} as {{ ns.types[key] }}){% else %}cast(null as {{ ns.types[key] }}){% endif %} as {{ adapter.quote(name) }}{{ "," if not loop.last }}
  {%- endfor %}
from {{ relation }}
{%- if where %}
where {{ where }}
{%- endif %}
{% if not loop.last %}
union all
{% endif -%}
{%- endfor -%}
{%- endmacro %}

{% macro date_spine(datepart, start_date, end_date) -%}
select range as date_{{ datepart }}
from range(cast({{ start_date }} as timestamp), cast({{ end_date }} as timestamp), interval 1 {{ datepart }})
{%- endmacro %}

{% macro generate_series(upper_bound) -%}
select range as generated_number from range(1, {{ upper_bound }} + 1)
{%- endmacro %}

{% macro pivot(column, values, alias=True, agg='sum', cmp='=', prefix='', suffix='', then_value=1, else_value=0, quote_identifiers=True, distinct=False) -%}
{%- for value in values -%}
{{ agg }}({% if distinct %}distinct {% endif %}case when {{ column }} {{ cmp }} '{{ dbt.escape_single_quotes(value) }}' then {{ then_value }} else {{ else_value }} end)
{%- if alias %} as {% if quote_identifiers %}{{ adapter.quote(prefix ~ value ~ suffix) }}{% else %}{{ prefix ~ value ~ suffix }}{% endif %}{% endif -%}
{%- if not loop.last %},
{% endif -%}
{%- endfor -%}
{%- endmacro %}

{% macro unpivot(relation=none, cast_to='varchar', exclude=none, remove=none, field_name='field_name', value_name='value', quote_identifiers=False) -%}
{%- if not relation -%}
  {{ exceptions.raise_compiler_error("unpivot: give the relation to unpivot (relation=ref('...'))") }}
{%- endif -%}
{%- if not execute -%}{{ return('') }}{%- endif -%}
{%- set exclude = exclude or [] -%}
{%- set remove = remove or [] -%}
{%- set exclude_lower = exclude | map('lower') | list -%}
{%- set remove_lower = remove | map('lower') | list -%}
{%- set kept = [] -%}
{%- for col in adapter.get_columns_in_relation(relation) -%}
  {%- if col.column | lower not in exclude_lower and col.column | lower not in remove_lower -%}{%- do kept.append(col) -%}{%- endif -%}
{%- endfor -%}
{%- for col in kept %}
select
  {%- for e in exclude %}
  {{ e }},
  {%- endfor %}
  cast('{{ col.column }}' as varchar) as {% if quote_identifiers %}{{ adapter.quote(field_name) }}{% else %}{{ field_name }}{% endif %},
  cast({% if col.data_type == 'BOOLEAN' %}cast({{ adapter.quote(col.column) }} as varchar){% else %}{{ adapter.quote(col.column) }}{% endif %} as {{ cast_to }}) as {% if quote_identifiers %}{{ adapter.quote(value_name) }}{% else %}{{ value_name }}{% endif %}
from {{ relation }}
{% if not loop.last %}union all{% endif -%}
{%- endfor -%}
{%- endmacro %}

{% macro get_column_values(table, column, order_by='count(*) desc', max_records=none, default=none, where=none) -%}
{%- set default = [] if default is none else default -%}
{%- if not execute -%}{{ return(default) }}{%- endif -%}
{%- set relation = adapter.get_relation(database=table.database, schema=table.schema, identifier=table.identifier) if table is not string else table -%}
{%- if relation is none -%}{{ return(default) }}{%- endif -%}
{%- set sql -%}
select {{ column }} as value
from {{ relation }}
{% if where is not none %}where {{ where }}
{% endif %}group by {{ column }}
order by {{ order_by }}
{% if max_records is not none %}limit {{ max_records }}{% endif %}
{%- endset -%}
{%- set result = run_query(sql) -%}
{{ return(result.columns[0].values() | list) }}
{%- endmacro %}

{% macro get_single_value(sql_statement, default=none) -%}
{%- if not execute -%}{{ return(default) }}{%- endif -%}
{%- set result = run_query(sql_statement) -%}
{%- if result.rows | length == 0 -%}{{ return(default) }}{%- endif -%}
{{ return(result.rows[0][0]) }}
{%- endmacro %}

{% macro get_query_results_as_dict(sql_statement) -%}
{%- set out = {} -%}
{%- if execute -%}
  {%- set result = run_query(sql_statement) -%}
  {%- for name in result.column_names -%}
    {%- do out.update({name: result.columns[loop.index0].values() | list}) -%}
  {%- endfor -%}
{%- endif -%}
{{ return(out) }}
{%- endmacro %}

{% macro get_relations_by_pattern(schema_pattern, table_pattern, exclude='', database=target.database) -%}
{%- if not execute -%}{{ return([]) }}{%- endif -%}
{%- set sql -%}
select distinct table_catalog, table_schema, table_name
from information_schema.tables
where table_schema ilike '{{ schema_pattern }}' and table_name ilike '{{ table_pattern }}'
{%- if exclude %} and table_name not ilike '{{ exclude }}'{% endif %}
order by 2, 3
{%- endset -%}
{%- set relations = [] -%}
{%- for row in run_query(sql) -%}
  {%- do relations.append(api.Relation.create(database=row[0], schema=row[1], identifier=row[2])) -%}
{%- endfor -%}
{{ return(relations) }}
{%- endmacro %}

{% macro get_relations_by_prefix(schema, prefix, exclude='', database=target.database) -%}
{{ return(dbt_utils.get_relations_by_pattern(schema, prefix ~ '%', exclude, database)) }}
{%- endmacro %}

{% macro deduplicate(relation, partition_by, order_by) -%}
select * exclude (_dbt_utils_row_number)
from (
  select _dedupe_inner.*, row_number() over (partition by {{ partition_by }} order by {{ order_by }}) as _dbt_utils_row_number
  from {{ relation }} as _dedupe_inner
) as _dedupe_numbered
where _dbt_utils_row_number = 1
{%- endmacro %}

{% macro group_by(n) -%}
group by {% for i in range(1, n + 1) %}{{ i }}{{ ', ' if not loop.last }}{% endfor %}
{%- endmacro %}

{% macro safe_add(field_list) -%}
{%- set parts = [] -%}
{%- for f in field_list -%}{%- do parts.append('coalesce(' ~ f ~ ', 0)') -%}{%- endfor -%}
{{ parts | join(' + ') }}
{%- endmacro %}

{% macro safe_subtract(field_list) -%}
{%- set parts = [] -%}
{%- for f in field_list -%}{%- do parts.append('coalesce(' ~ f ~ ', 0)') -%}{%- endfor -%}
{{ parts | join(' - ') }}
{%- endmacro %}

{% macro safe_divide(numerator, denominator) -%}
({{ numerator }}) / nullif(({{ denominator }}), 0)
{%- endmacro %}

{% macro nullcheck(cols) -%}
{%- for col in cols -%}
nullif({{ col.quoted if col.quoted is defined else col }}, '') as {{ col.quoted if col.quoted is defined else col }}{{ ',' if not loop.last }}
{% endfor -%}
{%- endmacro %}

{% macro width_bucket(expr, min_value, max_value, num_buckets) -%}
case when {{ expr }} < {{ min_value }} then 0
     when {{ expr }} >= {{ max_value }} then {{ num_buckets }} + 1
     else cast(floor(({{ expr }} - {{ min_value }}) * {{ num_buckets }} / ({{ max_value }} - {{ min_value }})) as integer) + 1 end
{%- endmacro %}

{% macro haversine_distance(lat1, lon1, lat2, lon2, unit='mi') -%}
{%- set radius = 3961 if unit == 'mi' else 6371 -%}
2 * {{ radius }} * asin(sqrt(pow(sin(radians(({{ lat2 }} - {{ lat1 }}) / 2)), 2) + cos(radians({{ lat1 }})) * cos(radians({{ lat2 }})) * pow(sin(radians(({{ lon2 }} - {{ lon1 }}) / 2)), 2)))
{%- endmacro %}

{% macro pretty_time(format='%H:%M:%S') -%}
{{ return(modules.datetime.datetime.now().strftime(format)) }}
{%- endmacro %}

{% macro pretty_log_format(message) -%}
{{ return(pretty_time() ~ ' + ' ~ message) }}
{%- endmacro %}

{% macro log_info(message) -%}
{{ log(pretty_log_format(message), info=True) }}
{%- endmacro %}

{# Generic tests: each selects the rows that fail. #}

{% test expression_is_true(model, expression, column_name=None) -%}
select *
from {{ model }}
where not ({% if column_name %}{{ column_name }} {% endif %}{{ expression }})
{%- endtest %}

{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) -%}
select *
from {{ model }}
where not (1 = 1
{%- if min_value is not none %} and {{ column_name }} >{{ '=' if inclusive }} {{ min_value }}{% endif %}
{%- if max_value is not none %} and {{ column_name }} <{{ '=' if inclusive }} {{ max_value }}{% endif %})
{%- endtest %}

{% test unique_combination_of_columns(model, combination_of_columns, quote_columns=false) -%}
{%- set cols = [] -%}
{%- for c in combination_of_columns -%}{%- do cols.append(adapter.quote(c) if quote_columns else c) -%}{%- endfor -%}
select {{ cols | join(', ') }}, count(*) as n_records
from {{ model }}
group by {{ cols | join(', ') }}
having count(*) > 1
{%- endtest %}

{% test not_null_proportion(model, column_name, at_least, at_most=1.0) -%}
select *
from (
  select sum(case when {{ column_name }} is not null then 1 else 0 end) * 1.0 / count(*) as not_null_proportion
  from {{ model }}
) as proportions
where not_null_proportion < {{ at_least }} or not_null_proportion > {{ at_most }}
{%- endtest %}

{% test relationships_where(model, column_name, to, field, from_condition='1=1', to_condition='1=1') -%}
select child.{{ column_name }}
from (select {{ column_name }} from {{ model }} where {{ column_name }} is not null and {{ from_condition }}) as child
left join (select {{ field }} from {{ to }} where {{ to_condition }}) as parent
  on child.{{ column_name }} = parent.{{ field }}
where parent.{{ field }} is null
{%- endtest %}

{% test recency(model, field, datepart, interval, ignore_time_component=False, group_by_columns=[]) -%}
{%- set threshold = dbt.dateadd(datepart, interval * -1, 'current_timestamp') -%}
{%- if ignore_time_component -%}{%- set threshold = 'cast(' ~ threshold ~ ' as date)' -%}{%- endif -%}
select *
from (
  select {% for g in group_by_columns %}{{ g }}, {% endfor %}max({% if ignore_time_component %}cast({{ field }} as date){% else %}{{ field }}{% endif %}) as most_recent
  from {{ model }}
  {%- if group_by_columns | length > 0 %}
  group by {{ group_by_columns | join(', ') }}
  {%- endif %}
) as recency
where most_recent is null or most_recent < {{ threshold }}
{%- endtest %}

{% test at_least_one(model, column_name, group_by_columns=[]) -%}
select *
from (
  select {% for g in group_by_columns %}{{ g }}, {% endfor %}count({{ column_name }}) as filled
  from {{ model }}
  {%- if group_by_columns | length > 0 %}
  group by {{ group_by_columns | join(', ') }}
  {%- endif %}
) as counts
where filled = 0
{%- endtest %}

{% test not_constant(model, column_name, group_by_columns=[]) -%}
select *
from (
  select {% for g in group_by_columns %}{{ g }}, {% endfor %}count(distinct {{ column_name }}) as distinct_values
  from {{ model }}
  {%- if group_by_columns | length > 0 %}
  group by {{ group_by_columns | join(', ') }}
  {%- endif %}
) as d
where distinct_values = 1
{%- endtest %}

{% test not_empty_string(model, column_name, trim_whitespace=true) -%}
select *
from {{ model }}
where {% if trim_whitespace %}trim({{ column_name }}){% else %}{{ column_name }}{% endif %} = ''
{%- endtest %}

{% test accepted_values_where(model, column_name, values, where='1=1') -%}
select *
from {{ model }}
where {{ where }} and {{ column_name }} not in ({% for v in values %}'{{ v }}'{{ ', ' if not loop.last }}{% endfor %})
{%- endtest %}

{% test equal_rowcount(model, compare_model) -%}
select *
from (select count(*) as a from {{ model }}) as x, (select count(*) as b from {{ compare_model }}) as y
where a != b
{%- endtest %}

{% test cardinality_equality(model, column_name, to, field) -%}
select * from (
  (select {{ column_name }} as v from {{ model }} except select {{ field }} from {{ to }})
  union all
  (select {{ field }} from {{ to }} except select {{ column_name }} from {{ model }})
) as diff
{%- endtest %}
)JINJA";
}

}  // namespace baliza::transform
