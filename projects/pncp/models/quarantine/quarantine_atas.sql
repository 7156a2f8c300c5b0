{{ config(alias='atas') }}
-- One row per ata record (any version) that failed validation: failure_type (the first failed
-- check), failure_types (all), offending_values (JSON [{campo, valor, falha}]) and the raw page
-- (payload_sha256, request_id) and record_position it came from.
select
  failure_type, failure_types, offending_values,
  payload_sha256, request_id, record_position, endpoint, collected_at,
  numero_controle_pncp_ata, orgao_cnpj, vigencia_inicio, vigencia_fim, data_atualizacao
from {{ ref('atas_registros') }}
where not is_valid
order by payload_sha256, record_position
