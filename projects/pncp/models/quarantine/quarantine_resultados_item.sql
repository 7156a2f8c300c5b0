{{ config(alias='resultados_item') }}
-- One row per result record (any fetch) that failed validation, with its raw page and position.
select
  failure_type, failure_types, offending_values,
  payload_sha256, request_id, record_position, endpoint, collected_at,
  numero_controle_pncp, numero_item, sequencial_resultado, valor_unitario_homologado
from {{ ref('resultados_item_registros') }}
where not is_valid
order by payload_sha256, record_position
