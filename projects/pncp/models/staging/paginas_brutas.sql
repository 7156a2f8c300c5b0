-- Every stored page (HTTP 200) with its compressed body and the day of data its task asked for
-- (planning.task_plan.data_date; NULL for a page whose task is no longer planned) and its JSON
-- size (raw_size: the weight of a page in the staging models' batches). The staging
-- *_registros models read their endpoints' pages from here; in an incremental run they take
-- only pages not staged yet, plus every page of the period given by `--mes` (vars
-- periodo_inicio / periodo_fim), which they re-stage.
{{ config(materialized='ephemeral') }}
select r.request_id, r.endpoint, r.payload_sha256, r.collected_at, t.data_date, p.raw_size,
       p.compressed
from {{ source('raw', 'api_requests') }} r
join {{ source('raw', 'payloads') }} p using (payload_sha256)
left join {{ source('planning', 'task_plan') }} t using (task_id)
where r.http_status = 200
