-- Headcount and payroll at the end of every simulated year so far, per department.
select w.sim_year, d.department, count(*) as headcount, sum(w.salary) as payroll,
  count(*) filter (where w.status = 'hired') as hires,
  count(*) filter (where w.status = 'promoted') as promotions
from {{ ref('fct_workforce') }} w
join {{ ref('stg_departments') }} d using (department_id)
where w.status <> 'terminated'
group by all
order by 1, 2
