{{ config(alias='pca_itens') }}
-- One row per PCA item record (any version; or plan without items) that failed validation:
-- failure_type, failure_types, offending_values (JSON [{campo, valor, falha}]) and the raw page
-- (payload_sha256, request_id), record_position and item_position it came from.
select
  failure_type, failure_types, offending_values,
  payload_sha256, request_id, record_position, item_position, endpoint, collected_at,
  item_key, id_pca_pncp, numero_item, orgao_cnpj, valor_total, data_atualizacao
from {{ ref('pca_itens_registros') }}
where not is_valid
order by payload_sha256, record_position, item_position
