-- The events of one simulated year, read from that year's workforce: hires, terminations,
-- promotions. var('fail_year') makes one year fail on purpose (to try resuming a period run).
-- The record ledger balances it every year: the earlier years' events its table keeps (this
-- year's SQL does not produce them) are its `kept` line.
{{ config(unique_key=['sim_year', 'employee_id', 'event']) }}
{% set year = var('period_year', var('start_year')) | int %}
select sim_year, employee_id, department_id,
  case status when 'hired' then 'hire' when 'terminated' then 'termination' else 'promotion' end
    as event,
  level, salary,
  {% if (var('fail_year') | int) == year %}error('simulated failure in {{ year }}'){% else %}null{% endif %} as failure
from {{ ref('fct_workforce') }}
where sim_year = {{ year }} and status in ('hired', 'terminated', 'promoted')
