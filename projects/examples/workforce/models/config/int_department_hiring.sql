-- Hires per department and year, scaled with the census.
select department_id, department, hires_per_year * {{ var('replicas') }} as hires
from {{ ref('stg_departments') }}
