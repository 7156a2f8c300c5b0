-- One row per instrumento de cobrança (instrumento_key = cnpj/ano/sequencialContrato/
-- sequencialInstrumentoCobranca): the latest valid version by dataAtualizacao.
-- Ties (same dates, different content) are broken by content, never by when or in which
-- order pages were fetched: the greatest payload_sha256, then record_position, so the same
-- raw pages always give the same table; collected_at and request_id only choose among
-- copies of the identical record (the same page stored twice).
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
  order by data_atualizacao desc nulls last, payload_sha256 desc, record_position desc,
           collected_at desc, request_id desc) = 1
order by instrumento_key
