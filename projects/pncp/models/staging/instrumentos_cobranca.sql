-- One row per instrumento de cobrança (instrumento_key = cnpj/ano/sequencialContrato/
-- sequencialInstrumentoCobranca): the latest valid version by dataAtualizacao, then collected_at.
{{ config(materialized='incremental', unique_key='instrumento_key') }}
select * exclude (is_valid, failure_type, failure_types, offending_values)
from {{ ref('instrumentos_cobranca_registros') }}
where is_valid
{% if is_incremental() %}
  -- only the keys with a record staged since this table was last built
  and instrumento_key in (
    select instrumento_key from {{ ref('instrumentos_cobranca_registros') }}
    where staged_at > (select coalesce(max(staged_at), '-infinity'::timestamp) from {{ this }}))
{% endif %}
qualify row_number() over (
  partition by instrumento_key
  order by data_atualizacao desc nulls last, collected_at desc, request_id desc,
           record_position desc) = 1
order by instrumento_key
