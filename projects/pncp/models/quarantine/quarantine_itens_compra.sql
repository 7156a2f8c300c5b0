{{ config(alias='itens_compra') }}
-- One row per item record (any fetch) that failed validation: failure_type (the first failed
-- check), failure_types (all), offending_values (JSON [{campo, valor, falha}]) and the raw page
-- (payload_sha256, request_id) and record_position it came from.
select
  failure_type, failure_types, offending_values,
  payload_sha256, request_id, record_position, endpoint, collected_at,
  numero_controle_pncp, numero_item, versao_compra, valor_unitario_estimado, quantidade
from {{ ref('itens_compra_registros') }}
where not is_valid
order by payload_sha256, record_position
