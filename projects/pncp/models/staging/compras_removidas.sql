-- Purchases removed upstream, and how it was seen (never silently kept):
--   itens_404    the items of its newest fetched version answered 404 (the purchase is not
--                there any more);
--   nao_listada  a re-read of the day's publication listing (contratacoes_publicacao, same
--                task: same day and modalidade) no longer has it, although an earlier read did.
-- Their items and results are left out of staging.itens_compra / staging.resultados_item (the
-- record ledger counts them as filtered); their raw pages stay in the raw store. A purchase
-- whose listing was never read again and whose items were not fetched again cannot be seen
-- removed: re-reading a period (recheck_days, retry) is what finds them.
with versoes as (
  select numero_controle_pncp, max(versao_compra) as versao
  from {{ ref('itens_compra_buscas') }}
  where task_status = 'done'
  group by numero_controle_pncp
),
itens_404 as (
  select b.numero_controle_pncp, 'itens_404' as motivo, b.url as evidencia,
         b.collected_at as detectada_em
  from {{ ref('itens_compra_buscas') }} b
  join versoes v on v.numero_controle_pncp = b.numero_controle_pncp and v.versao = b.versao_compra
  where b.http_status = 404 and b.page = 1
),
leituras as (
  select r.numero_controle_pncp, tr.task_id, tr.superseded_at is null as atual, a.url,
         a.collected_at
  from {{ ref('contratacoes_registros') }} r
  join {{ source('runtime', 'task_results') }} tr on tr.request_id = r.request_id
  join {{ source('raw', 'api_requests') }} a on a.request_id = r.request_id
  where r.endpoint = 'contratacoes_publicacao' and r.numero_controle_pncp is not null
),
releituras as (  -- tasks read again: they have current and superseded pages
  select distinct tr.task_id, max(a.collected_at) as lida_em, min(a.url) as url
  from {{ source('runtime', 'task_results') }} tr
  join {{ source('raw', 'api_requests') }} a on a.request_id = tr.request_id
  where a.endpoint = 'contratacoes_publicacao' and tr.superseded_at is null
    and tr.task_id in (select task_id from {{ source('runtime', 'task_results') }}
                       where superseded_at is not null)
  group by tr.task_id
),
nao_listada as (
  select distinct l.numero_controle_pncp, 'nao_listada' as motivo, rl.url as evidencia,
         rl.lida_em as detectada_em
  from leituras l
  join releituras rl on rl.task_id = l.task_id
  where not l.atual
    and not exists (select 1 from leituras c
                    where c.task_id = l.task_id and c.atual
                      and c.numero_controle_pncp = l.numero_controle_pncp)
)
select numero_controle_pncp, motivo, evidencia, detectada_em
from (select * from itens_404 union all select * from nao_listada)
qualify row_number() over (partition by numero_controle_pncp order by motivo, detectada_em) = 1
order by numero_controle_pncp
