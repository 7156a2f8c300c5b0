// dbt_expectations, built in: its most used generic tests, written for DuckDB from the
// package's documentation (each test selects the rows that fail; `row_condition` filters the
// rows a test looks at; `strictly` makes the bounds exclusive; null values are not checked by
// the value tests, as in the package).
#include "transform/packages/builtin_packages.h"

namespace baliza::transform {

const char* builtin_dbt_expectations_macros() {
  return R"JINJA(
{% macro bounds_violated(expression, min_value=none, max_value=none, strictly=false) -%}
not (1 = 1
{%- if min_value is not none %} and {{ expression }} {{ '>' if strictly else '>=' }} {{ min_value }}{% endif %}
{%- if max_value is not none %} and {{ expression }} {{ '<' if strictly else '<=' }} {{ max_value }}{% endif %})
{%- endmacro %}

{% macro filtered(model, row_condition=none) -%}
(select * from {{ model }}{% if row_condition %} where {{ row_condition }}{% endif %})
{%- endmacro %}

{% macro value_list(values, quote_values=true) -%}
{%- for v in values -%}{{ ("'" ~ (v | string | replace("'", "''")) ~ "'") if quote_values else v }}{{ ', ' if not loop.last }}{%- endfor -%}
{%- endmacro %}

{% macro aggregate_between(model, aggregate, min_value=none, max_value=none, group_by=none, row_condition=none, strictly=false) -%}
select *
from (
  select {% if group_by %}{{ group_by | join(', ') }}, {% endif %}{{ aggregate }} as expression
  from {{ dbt_expectations.filtered(model, row_condition) }} as rows_checked
  {%- if group_by %}
  group by {{ group_by | join(', ') }}
  {%- endif %}
) as aggregated
where expression is null or {{ dbt_expectations.bounds_violated('expression', min_value, max_value, strictly) }}
{%- endmacro %}

{% test expect_column_values_to_be_between(model, column_name, min_value=none, max_value=none, row_condition=none, strictly=false) -%}
select *
from {{ dbt_expectations.filtered(model, row_condition) }} as rows_checked
where {{ column_name }} is not null
  and {{ dbt_expectations.bounds_violated(column_name, min_value, max_value, strictly) }}
{%- endtest %}

{% test expect_column_values_to_not_be_null(model, column_name, row_condition=none) -%}
select *
from {{ dbt_expectations.filtered(model, row_condition) }} as rows_checked
where {{ column_name }} is null
{%- endtest %}

{% test expect_column_values_to_be_null(model, column_name, row_condition=none) -%}
select *
from {{ dbt_expectations.filtered(model, row_condition) }} as rows_checked
where {{ column_name }} is not null
{%- endtest %}

{% test expect_column_values_to_be_unique(model, column_name, row_condition=none) -%}
select {{ column_name }}, count(*) as n_records
from {{ dbt_expectations.filtered(model, row_condition) }} as rows_checked
where {{ column_name }} is not null
group by {{ column_name }}
having count(*) > 1
{%- endtest %}

{% test expect_column_values_to_be_in_set(model, column_name, value_set, quote_values=true, row_condition=none) -%}
select *
from {{ dbt_expectations.filtered(model, row_condition) }} as rows_checked
where {{ column_name }} is not null
  and {{ column_name }} not in ({{ dbt_expectations.value_list(value_set, quote_values) }})
{%- endtest %}

{% test expect_column_values_to_not_be_in_set(model, column_name, value_set, quote_values=true, row_condition=none) -%}
select *
from {{ dbt_expectations.filtered(model, row_condition) }} as rows_checked
where {{ column_name }} in ({{ dbt_expectations.value_list(value_set, quote_values) }})
{%- endtest %}

{% test expect_column_values_to_match_regex(model, column_name, regex, row_condition=none, is_raw=false, flags='') -%}
select *
from {{ dbt_expectations.filtered(model, row_condition) }} as rows_checked
where {{ column_name }} is not null
  and not regexp_matches(cast({{ column_name }} as varchar), '{{ regex | replace("'", "''") }}'{% if flags %}, '{{ flags }}'{% endif %})
{%- endtest %}

{% test expect_column_values_to_not_match_regex(model, column_name, regex, row_condition=none, is_raw=false, flags='') -%}
select *
from {{ dbt_expectations.filtered(model, row_condition) }} as rows_checked
where {{ column_name }} is not null
  and regexp_matches(cast({{ column_name }} as varchar), '{{ regex | replace("'", "''") }}'{% if flags %}, '{{ flags }}'{% endif %})
{%- endtest %}

{% test expect_column_values_to_match_like_pattern(model, column_name, like_pattern, row_condition=none) -%}
select *
from {{ dbt_expectations.filtered(model, row_condition) }} as rows_checked
where {{ column_name }} is not null and {{ column_name }} not like '{{ like_pattern }}'
{%- endtest %}

{% test expect_column_value_lengths_to_be_between(model, column_name, min_value=none, max_value=none, row_condition=none, strictly=false) -%}
select *
from {{ dbt_expectations.filtered(model, row_condition) }} as rows_checked
where {{ column_name }} is not null
  and {{ dbt_expectations.bounds_violated('length(cast(' ~ column_name ~ ' as varchar))', min_value, max_value, strictly) }}
{%- endtest %}

{% test expect_column_value_lengths_to_equal(model, column_name, value, row_condition=none) -%}
select *
from {{ dbt_expectations.filtered(model, row_condition) }} as rows_checked
where {{ column_name }} is not null and length(cast({{ column_name }} as varchar)) <> {{ value }}
{%- endtest %}

{% test expect_column_pair_values_A_to_be_greater_than_B(model, column_A, column_B, or_equal=false, row_condition=none) -%}
select *
from {{ dbt_expectations.filtered(model, row_condition) }} as rows_checked
where not ({{ column_A }} {{ '>=' if or_equal else '>' }} {{ column_B }})
{%- endtest %}

{% test expect_column_pair_values_to_be_equal(model, column_A, column_B, row_condition=none) -%}
select *
from {{ dbt_expectations.filtered(model, row_condition) }} as rows_checked
where {{ column_A }} is distinct from {{ column_B }}
{%- endtest %}

{% test expect_compound_columns_to_be_unique(model, column_list, ignore_row_if='all_values_are_missing', row_condition=none, quote_columns=false) -%}
select {{ column_list | join(', ') }}, count(*) as n_records
from {{ dbt_expectations.filtered(model, row_condition) }} as rows_checked
where {% if ignore_row_if == 'any_value_is_missing' %}{% for c in column_list %}{{ c }} is not null{{ ' and ' if not loop.last }}{% endfor %}{% else %}not ({% for c in column_list %}{{ c }} is null{{ ' and ' if not loop.last }}{% endfor %}){% endif %}
group by {{ column_list | join(', ') }}
having count(*) > 1
{%- endtest %}

{% test expect_table_row_count_to_be_between(model, min_value=none, max_value=none, group_by=none, row_condition=none, strictly=false) -%}
{{ dbt_expectations.aggregate_between(model, 'count(*)', min_value, max_value, group_by, row_condition, strictly) }}
{%- endtest %}

{% test expect_table_row_count_to_equal(model, value, group_by=none, row_condition=none) -%}
{{ dbt_expectations.aggregate_between(model, 'count(*)', value, value, group_by, row_condition) }}
{%- endtest %}

{% test expect_table_row_count_to_equal_other_table(model, compare_model, group_by=none, compare_group_by=none, factor=1, row_condition=none, compare_row_condition=none) -%}
select *
from (select count(*) as a from {{ dbt_expectations.filtered(model, row_condition) }} as x) as counted,
     (select count(*) as b from {{ dbt_expectations.filtered(compare_model, compare_row_condition) }} as y) as compared
where a <> b * {{ factor }}
{%- endtest %}

{% test expect_column_min_to_be_between(model, column_name, min_value=none, max_value=none, group_by=none, row_condition=none, strictly=false) -%}
{{ dbt_expectations.aggregate_between(model, 'min(' ~ column_name ~ ')', min_value, max_value, group_by, row_condition, strictly) }}
{%- endtest %}

{% test expect_column_max_to_be_between(model, column_name, min_value=none, max_value=none, group_by=none, row_condition=none, strictly=false) -%}
{{ dbt_expectations.aggregate_between(model, 'max(' ~ column_name ~ ')', min_value, max_value, group_by, row_condition, strictly) }}
{%- endtest %}

{% test expect_column_mean_to_be_between(model, column_name, min_value=none, max_value=none, group_by=none, row_condition=none, strictly=false) -%}
{{ dbt_expectations.aggregate_between(model, 'avg(' ~ column_name ~ ')', min_value, max_value, group_by, row_condition, strictly) }}
{%- endtest %}

{% test expect_column_median_to_be_between(model, column_name, min_value=none, max_value=none, group_by=none, row_condition=none, strictly=false) -%}
{{ dbt_expectations.aggregate_between(model, 'median(' ~ column_name ~ ')', min_value, max_value, group_by, row_condition, strictly) }}
{%- endtest %}

{% test expect_column_sum_to_be_between(model, column_name, min_value=none, max_value=none, group_by=none, row_condition=none, strictly=false) -%}
{{ dbt_expectations.aggregate_between(model, 'sum(' ~ column_name ~ ')', min_value, max_value, group_by, row_condition, strictly) }}
{%- endtest %}

{% test expect_column_stdev_to_be_between(model, column_name, min_value=none, max_value=none, group_by=none, row_condition=none, strictly=false) -%}
{{ dbt_expectations.aggregate_between(model, 'stddev_samp(' ~ column_name ~ ')', min_value, max_value, group_by, row_condition, strictly) }}
{%- endtest %}

{% test expect_column_distinct_count_to_be_greater_than(model, column_name, value, group_by=none, row_condition=none) -%}
{{ dbt_expectations.aggregate_between(model, 'count(distinct ' ~ column_name ~ ')', value, none, group_by, row_condition, true) }}
{%- endtest %}

{% test expect_column_distinct_count_to_be_less_than(model, column_name, value, group_by=none, row_condition=none) -%}
{{ dbt_expectations.aggregate_between(model, 'count(distinct ' ~ column_name ~ ')', none, value, group_by, row_condition, true) }}
{%- endtest %}

{% test expect_column_distinct_count_to_equal(model, column_name, value, group_by=none, row_condition=none) -%}
{{ dbt_expectations.aggregate_between(model, 'count(distinct ' ~ column_name ~ ')', value, value, group_by, row_condition) }}
{%- endtest %}

{% test expect_column_proportion_of_unique_values_to_be_between(model, column_name, min_value=none, max_value=none, group_by=none, row_condition=none, strictly=false) -%}
{{ dbt_expectations.aggregate_between(model, 'count(distinct ' ~ column_name ~ ') * 1.0 / count(*)', min_value, max_value, group_by, row_condition, strictly) }}
{%- endtest %}

{% test expect_row_values_to_have_recent_data(model, column_name, datepart, interval, row_condition=none) -%}
select *
from (
  select max({{ column_name }}) as most_recent
  from {{ dbt_expectations.filtered(model, row_condition) }} as rows_checked
) as recency
where most_recent is null
   or most_recent < {{ dbt.dateadd(datepart, interval * -1, 'current_timestamp') }}
{%- endtest %}

{% test expect_column_to_exist(model, column_name, column_index=none, transform='upper') -%}
select '{{ column_name }}' as missing_column
where not exists (
  select 1 from (describe select * from {{ model }}) as cols
  where upper(cols.column_name) = upper('{{ column_name }}'))
{%- endtest %}

{% test expect_table_columns_to_contain_set(model, column_list, transform='upper') -%}
select wanted.name as missing_column
from (values {% for c in column_list %}('{{ c }}'){{ ', ' if not loop.last }}{% endfor %}) as wanted(name)
where upper(wanted.name) not in (select upper(column_name) from (describe select * from {{ model }}) as cols)
{%- endtest %}

{% test expect_column_values_to_be_of_type(model, column_name, column_type) -%}
select wanted.name as column_name, cols.column_type as found_type
from (values ('{{ column_name }}')) as wanted(name)
left join (describe select * from {{ model }}) as cols on upper(cols.column_name) = upper(wanted.name)
where cols.column_type is null or upper(cols.column_type) <> upper('{{ column_type }}')
{%- endtest %}
)JINJA";
}

}  // namespace baliza::transform
