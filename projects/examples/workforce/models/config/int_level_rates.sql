-- One row per level with every rate of the simulation (basis points: 100 = 1%).
select
  l.level,
  l.title,
  l.base_salary,
  r.raise_bp,
  p.promotion_bp,
  t.termination_bp,
  max(l.level) over () as max_level,
  lead(l.base_salary) over (order by l.level) as next_base_salary
from {{ ref('stg_levels') }} l
join {{ ref('config_raise_rates') }} r using (level)
join {{ ref('config_promotion_rates') }} p using (level)
join {{ ref('config_termination_rates') }} t using (level)
