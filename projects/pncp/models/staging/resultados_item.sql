-- One row per result of an item (numero_controle_pncp + numero_item + sequencial_resultado):
-- the results of the newest version of the purchase fetched for that item, of items still in
-- staging.itens_compra (so purchases removed upstream are left out). Copies of one record are
-- told apart by content, never by fetch time.
with versoes as (
  select numero_controle_pncp, numero_item, max(versao_compra) as versao
  from {{ ref('resultados_item_registros') }}
  group by all
)
select r.* exclude (is_valid, failure_type, failure_types, offending_values)
from {{ ref('resultados_item_registros') }} r
join versoes v on v.numero_controle_pncp = r.numero_controle_pncp
  and v.numero_item = r.numero_item and v.versao = r.versao_compra
where r.is_valid
  and (r.numero_controle_pncp, r.numero_item) in
      (select (numero_controle_pncp, numero_item) from {{ ref('itens_compra') }})
qualify row_number() over (
  partition by r.numero_controle_pncp, r.numero_item, r.sequencial_resultado
  order by r.payload_sha256 desc, r.record_position desc, r.request_id desc) = 1
order by r.numero_controle_pncp, r.numero_item, r.sequencial_resultado
