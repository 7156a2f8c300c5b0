-- The workforce at the end of one simulated year (var('period_year'), set by
-- `baliza build --periods 2025..2029 --step year`): the year starts from the previous year's
-- rows of this same table (the census for the first year), then terminations, promotions,
-- raises and hires happen. Draws are md5 hashes of (employee, year, event): deterministic.
{{ config(unique_key=['sim_year', 'employee_id']) }}
{% set year = var('period_year', var('start_year')) | int %}
{% set first = year == (var('start_year') | int) %}
with previous as (
{% if first or not is_incremental() %}
  select employee_id, department_id, level, salary, hire_year from {{ ref('stg_census') }}
{% else %}
  select employee_id, department_id, level, salary, hire_year from {{ this }}
  where sim_year = {{ year - 1 }} and status <> 'terminated'
{% endif %}
),
draws as (
  select p.*,
    ('0x' || substr(md5(p.employee_id || ':{{ year }}:term'), 1, 8))::BIGINT % 10000 as term_draw,
    ('0x' || substr(md5(p.employee_id || ':{{ year }}:promo'), 1, 8))::BIGINT % 10000 as promo_draw
  from previous p
),
moved as (
  select d.employee_id, d.department_id, d.hire_year, d.salary as previous_salary,
    d.term_draw < r.termination_bp as terminated,
    d.term_draw >= r.termination_bp and d.promo_draw < r.promotion_bp
      and d.level < r.max_level as promoted,
    d.level, r.next_base_salary
  from draws d join {{ ref('int_level_rates') }} r using (level)
),
stayed as (
  select m.employee_id, m.department_id, m.hire_year,
    case when m.terminated then 'terminated' when m.promoted then 'promoted' else 'active' end
      as status,
    case when m.promoted then m.level + 1 else m.level end as level,
    case when m.terminated then m.previous_salary
         when m.promoted then greatest(m.previous_salary, m.next_base_salary)
         else m.previous_salary end as base
  from moved m
),
hires as (
  select {{ year }}::BIGINT * 100000000 + h.department_id * 1000000 + i.n as employee_id,
    h.department_id, {{ year }} as hire_year, 'hired' as status, 1 as level,
    l.base_salary as salary
  from {{ ref('int_department_hiring') }} h
  cross join lateral (select range + 1 as n from range(h.hires)) i
  join {{ ref('int_level_rates') }} l on l.level = 1
)
select {{ year }} as sim_year, s.employee_id, s.department_id, s.hire_year, s.status, s.level,
  case when s.status = 'terminated' then s.base
       else s.base + s.base * r.raise_bp // 10000 end as salary
from stayed s join {{ ref('int_level_rates') }} r on r.level = s.level
union all
select {{ year }} as sim_year, employee_id, department_id, hire_year, status, level, salary
from hires
