-- One row per contratação (numeroControlePNCP): the latest valid version by dataAtualizacao,
-- then dataAtualizacaoGlobal, then collected_at, with the raw page and position it came from.
{{ config(materialized='incremental', unique_key='numero_controle_pncp') }}
select * exclude (is_valid, failure_type, failure_types, offending_values)
from {{ ref('contratacoes_registros') }}
where is_valid
{% if is_incremental() %}
  -- only the keys with a record staged since this table was last built
  and numero_controle_pncp in (
    select numero_controle_pncp from {{ ref('contratacoes_registros') }}
    where staged_at > (select coalesce(max(staged_at), '-infinity'::timestamp) from {{ this }}))
{% endif %}
qualify row_number() over (
  partition by numero_controle_pncp
  order by data_atualizacao desc nulls last, data_atualizacao_global desc nulls last,
           collected_at desc, request_id desc, record_position desc) = 1
order by numero_controle_pncp
