-- The workforce at the start of var('start_year'): the census, var('replicas') times
-- (each copy gets its own employee ids).
select
  c.employee_id + r.replica * 1000000 as employee_id,
  c.department_id,
  c.level,
  c.salary,
  c.hire_year,
  c.birth_year,
  current_timestamp as loaded_at
from {{ ref('census') }} c
cross join range({{ var('replicas') }}) r(replica)
