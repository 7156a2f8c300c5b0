select department_id, name as department, hires_per_year from {{ ref('config_departments') }}
