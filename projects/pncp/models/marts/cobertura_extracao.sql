-- One row per endpoint x day planned (planning.task_plan) or fetched: tasks planned and
-- finished, pages and records stored (runtime.task_results, raw.api_requests) and requests that
-- failed (meta.failed_requests). Days that were fetched without a plan still show up.
-- Aggregates joined to aggregates: the SQL cannot be inverted row by row, so the build records
-- which plan, result, request and failure rows make each row (lineage_capture), for trace/impact.
{{ config(lineage_capture=true) }}
with tarefas as (
  select endpoint_name as endpoint, data_date as dia, task_id, status
  from {{ source('planning', 'task_plan') }}
),

resultados as (
  select t.endpoint, t.dia,
         count(distinct r.task_id) as tarefas_com_resultado,
         count(*) as paginas,
         sum(r.records_count) as registros
  from {{ source('runtime', 'task_results') }} r
  join tarefas t using (task_id)
  group by all
),

falhas as (
  select f.endpoint, coalesce(t.dia, f.failed_at::date) as dia,
         count(*) as requisicoes_falhas,
         count(*) filter (where f.resolved_at is null) as falhas_pendentes
  from {{ source('meta', 'failed_requests') }} f
  left join tarefas t using (task_id)
  group by all
),

armazenadas as (
  select q.endpoint, coalesce(t.dia, q.collected_at::date) as dia,
         count(*) filter (where q.http_status = 200) as paginas_armazenadas,
         count(*) filter (where q.http_status <> 200) as respostas_sem_corpo
  from {{ source('raw', 'api_requests') }} q
  left join tarefas t using (task_id)
  group by all
),

planejadas as (
  select endpoint, dia, count(*) as tarefas_planejadas,
         count(*) filter (where status = 'done') as tarefas_concluidas
  from tarefas
  group by all
),

chaves as (
  select endpoint, dia from planejadas
  union select endpoint, dia from armazenadas
  union select endpoint, dia from falhas
)

select
  k.endpoint, k.dia,
  coalesce(p.tarefas_planejadas, 0) as tarefas_planejadas,
  coalesce(p.tarefas_concluidas, 0) as tarefas_concluidas,
  coalesce(r.tarefas_com_resultado, 0) as tarefas_com_resultado,
  coalesce(r.paginas, 0) as paginas,
  coalesce(r.registros, 0) as registros,
  coalesce(a.paginas_armazenadas, 0) as paginas_armazenadas,
  coalesce(a.respostas_sem_corpo, 0) as respostas_sem_corpo,
  coalesce(f.requisicoes_falhas, 0) as requisicoes_falhas,
  coalesce(f.falhas_pendentes, 0) as falhas_pendentes,
  case when coalesce(p.tarefas_planejadas, 0) = 0 then null
       else round(coalesce(r.tarefas_com_resultado, 0) / p.tarefas_planejadas, 4) end as cobertura
from chaves k
left join planejadas p using (endpoint, dia)
left join resultados r using (endpoint, dia)
left join falhas f using (endpoint, dia)
left join armazenadas a using (endpoint, dia)
order by k.endpoint, k.dia
