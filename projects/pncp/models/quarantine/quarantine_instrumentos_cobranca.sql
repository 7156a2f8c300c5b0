{{ config(alias='instrumentos_cobranca') }}
-- One row per instrumento de cobrança record (any version) that failed validation:
-- failure_type, failure_types, offending_values (JSON [{campo, valor, falha}]) and the raw page
-- (payload_sha256, request_id) and record_position it came from.
select
  failure_type, failure_types, offending_values,
  payload_sha256, request_id, record_position, endpoint, collected_at,
  instrumento_key, orgao_cnpj, data_emissao_documento, valor_nota_fiscal, data_atualizacao
from {{ ref('instrumentos_cobranca_registros') }}
where not is_valid
order by payload_sha256, record_position
