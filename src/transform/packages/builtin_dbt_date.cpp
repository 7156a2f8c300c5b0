// dbt_date, built in: its common date macros, written for DuckDB from the package's README.
#include "transform/packages/builtin_packages.h"

namespace baliza::transform {

const char* builtin_dbt_date_macros() {
  return R"JINJA(
{% macro date_part(datepart, date) -%}
date_part('{{ datepart }}', {{ date }})
{%- endmacro %}

{% macro today(tz=none) -%}
current_date
{%- endmacro %}

{% macro now(tz=none) -%}
current_timestamp
{%- endmacro %}

{% macro convert_timezone(column, target_tz=none, source_tz=none) -%}
cast({{ column }} as timestamp)
{%- endmacro %}

{% macro n_days_ago(n, date=none, tz=none) -%}
cast({{ dbt.dateadd('day', -1 * n, date if date else dbt_date.today(tz)) }} as date)
{%- endmacro %}

{% macro n_days_away(n, date=none, tz=none) -%}
cast({{ dbt.dateadd('day', n, date if date else dbt_date.today(tz)) }} as date)
{%- endmacro %}

{% macro yesterday(date=none, tz=none) -%}
{{ dbt_date.n_days_ago(1, date, tz) }}
{%- endmacro %}

{% macro tomorrow(date=none, tz=none) -%}
{{ dbt_date.n_days_away(1, date, tz) }}
{%- endmacro %}

{% macro n_weeks_ago(n, tz=none) -%}
cast(date_trunc('week', {{ dbt.dateadd('week', -1 * n, dbt_date.today(tz)) }}) as date)
{%- endmacro %}

{% macro n_weeks_away(n, tz=none) -%}
cast(date_trunc('week', {{ dbt.dateadd('week', n, dbt_date.today(tz)) }}) as date)
{%- endmacro %}

{% macro n_months_ago(n, tz=none) -%}
cast(date_trunc('month', {{ dbt.dateadd('month', -1 * n, dbt_date.today(tz)) }}) as date)
{%- endmacro %}

{% macro n_months_away(n, tz=none) -%}
cast(date_trunc('month', {{ dbt.dateadd('month', n, dbt_date.today(tz)) }}) as date)
{%- endmacro %}

{% macro last_month(tz=none) -%}
{{ dbt_date.n_months_ago(1, tz) }}
{%- endmacro %}

{% macro next_month(tz=none) -%}
{{ dbt_date.n_months_away(1, tz) }}
{%- endmacro %}

{% macro day_name(date, short=True) -%}
{%- if short -%}strftime({{ date }}, '%a'){%- else -%}dayname({{ date }}){%- endif -%}
{%- endmacro %}

{% macro month_name(date, short=True) -%}
{%- if short -%}strftime({{ date }}, '%b'){%- else -%}monthname({{ date }}){%- endif -%}
{%- endmacro %}

{% macro day_of_week(date, isoweek=true) -%}
{%- if isoweek -%}isodow({{ date }}){%- else -%}(dayofweek({{ date }}) + 1){%- endif -%}
{%- endmacro %}

{% macro day_of_month(date) -%}
dayofmonth({{ date }})
{%- endmacro %}

{% macro day_of_year(date) -%}
dayofyear({{ date }})
{%- endmacro %}

{% macro week_start(date=none, tz=none) -%}
{%- set date = date if date else dbt_date.today(tz) -%}
cast({{ date }} - cast(dayofweek({{ date }}) as integer) * interval 1 day as date)
{%- endmacro %}

{% macro week_end(date=none, tz=none) -%}
{%- set date = date if date else dbt_date.today(tz) -%}
cast({{ dbt_date.week_start(date) }} + interval 6 day as date)
{%- endmacro %}

{% macro iso_week_start(date=none, tz=none) -%}
{%- set date = date if date else dbt_date.today(tz) -%}
cast(date_trunc('week', {{ date }}) as date)
{%- endmacro %}

{% macro iso_week_end(date=none, tz=none) -%}
{%- set date = date if date else dbt_date.today(tz) -%}
cast(date_trunc('week', {{ date }}) + interval 6 day as date)
{%- endmacro %}

{% macro iso_week_of_year(date=none, tz=none) -%}
{%- set date = date if date else dbt_date.today(tz) -%}
weekofyear({{ date }})
{%- endmacro %}

{% macro week_of_year(date=none, tz=none) -%}
{%- set date = date if date else dbt_date.today(tz) -%}
cast(strftime({{ date }}, '%U') as integer)
{%- endmacro %}

{% macro from_unixtimestamp(epochs, format='seconds') -%}
{%- if format == 'seconds' -%}to_timestamp({{ epochs }})
{%- elif format == 'milliseconds' -%}epoch_ms(cast({{ epochs }} as bigint))
{%- elif format == 'microseconds' -%}make_timestamp(cast({{ epochs }} as bigint))
{%- else -%}{{ exceptions.raise_compiler_error("from_unixtimestamp: format must be seconds, milliseconds or microseconds, got " ~ format) }}
{%- endif -%}
{%- endmacro %}

{% macro to_unixtimestamp(timestamp) -%}
epoch({{ timestamp }})
{%- endmacro %}

{% macro periods_since(date_col, period_name='day', tz=none) -%}
{{ dbt.datediff(date_col, dbt_date.now(tz), period_name) }}
{%- endmacro %}

{% macro get_base_dates(start_date=none, end_date=none, n_dateparts=none, datepart='day') -%}
{%- if start_date and end_date -%}
select cast(date_{{ datepart }} as timestamp) as date_{{ datepart }}
from ({{ dbt_utils.date_spine(datepart, "cast('" ~ start_date ~ "' as date)", "cast('" ~ end_date ~ "' as date)") }}) as spine
{%- elif n_dateparts -%}
select cast(date_{{ datepart }} as timestamp) as date_{{ datepart }}
from ({{ dbt_utils.date_spine(datepart, dbt.dateadd(datepart, -1 * n_dateparts, dbt_date.today()), dbt_date.tomorrow()) }}) as spine
{%- else -%}
{{ exceptions.raise_compiler_error("get_base_dates: give start_date and end_date, or n_dateparts") }}
{%- endif -%}
{%- endmacro %}

{% macro get_date_dimension(start_date, end_date) -%}
select
  cast(d as date) as date_day,
  cast(d - interval 1 day as date) as prior_date_day,
  cast(d + interval 1 day as date) as next_date_day,
  isodow(d) as day_of_week,
  dayname(d) as day_of_week_name,
  strftime(d, '%a') as day_of_week_name_short,
  dayofmonth(d) as day_of_month,
  dayofyear(d) as day_of_year,
  cast(date_trunc('week', d) as date) as iso_week_start_date,
  weekofyear(d) as iso_week_of_year,
  month(d) as month_of_year,
  monthname(d) as month_name,
  strftime(d, '%b') as month_name_short,
  cast(date_trunc('month', d) as date) as month_start_date,
  cast(date_trunc('month', d) + interval 1 month - interval 1 day as date) as month_end_date,
  quarter(d) as quarter_of_year,
  cast(date_trunc('quarter', d) as date) as quarter_start_date,
  year(d) as year_number,
  cast(date_trunc('year', d) as date) as year_start_date
from range(cast('{{ start_date }}' as timestamp), cast('{{ end_date }}' as timestamp), interval 1 day) as t(d)
{%- endmacro %}
)JINJA";
}

}  // namespace baliza::transform
