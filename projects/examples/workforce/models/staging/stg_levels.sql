select level, title, base_salary from {{ ref('config_levels') }}
