-- One row per item of a purchase (numero_controle_pncp + numero_item): the items of the newest
-- version of the purchase whose fetch is done (a purchase that changed is fetched again, and
-- its older fetch stops counting: an item dropped upstream drops here too). Purchases removed
-- upstream (staging.compras_removidas) are left out. Copies of one record (a page stored
-- twice) are told apart by content, never by fetch time.
with versoes as (
  select numero_controle_pncp, max(versao_compra) as versao
  from {{ ref('itens_compra_buscas') }}
  where task_status = 'done'
  group by numero_controle_pncp
)
select i.* exclude (is_valid, failure_type, failure_types, offending_values)
from {{ ref('itens_compra_registros') }} i
join versoes v on v.numero_controle_pncp = i.numero_controle_pncp and v.versao = i.versao_compra
where i.is_valid
  and i.numero_controle_pncp not in (select numero_controle_pncp from {{ ref('compras_removidas') }})
qualify row_number() over (
  partition by i.numero_controle_pncp, i.numero_item
  order by i.payload_sha256 desc, i.record_position desc, i.request_id desc) = 1
order by i.numero_controle_pncp, i.numero_item
