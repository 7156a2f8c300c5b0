-- Every request of the maintenance API's endpoints (a purchase's items, an item's results:
-- endpoints.yaml itens_compra, resultados_item) with its task's params (the purchase's path
-- parameters and `_versao`, the purchase version it was planned for), the day of its task, its
-- status (200 with a body; 204/404 without: no items, or the purchase is gone) and, for 200,
-- the compressed body. Pages are bare JSON arrays. current: the request is a current result of
-- its task (not superseded by a later fetch of the same task).
{{ config(materialized='ephemeral') }}
select r.request_id, r.endpoint, r.task_id, r.params, r.page, r.http_status, r.payload_sha256,
       r.collected_at, r.url, t.data_date, t.status as task_status, p.raw_size, p.compressed,
       tr.request_id is not null and tr.superseded_at is null as current
from {{ source('raw', 'api_requests') }} r
left join {{ source('raw', 'payloads') }} p using (payload_sha256)
left join {{ source('planning', 'task_plan') }} t using (task_id)
left join {{ source('runtime', 'task_results') }} tr using (request_id)
where r.endpoint in ('itens_compra', 'resultados_item')
