-- One row per ata de registro de preço (numeroControlePNCPAta): the latest valid version by
-- dataAtualizacao, then dataAtualizacaoGlobal, with its raw page and position.
-- Ties (same dates, different content) are broken by content, never by when or in which
-- order pages were fetched: the greatest payload_sha256, then record_position, so the same
-- raw pages always give the same table; collected_at and request_id only choose among
-- copies of the identical record (the same page stored twice).
{{ config(materialized='incremental', unique_key='numero_controle_pncp_ata') }}
select * exclude (is_valid, failure_type, failure_types, offending_values)
from {{ ref('atas_registros') }}
where is_valid
{% if is_incremental() %}
  -- only the keys with a record staged since this table was last built
  and numero_controle_pncp_ata in (
    select numero_controle_pncp_ata from {{ ref('atas_registros') }}
    where staged_at > (select coalesce(max(staged_at), '-infinity'::timestamp) from {{ this }}))
{% endif %}
qualify row_number() over (
  partition by numero_controle_pncp_ata
  order by data_atualizacao desc nulls last, data_atualizacao_global desc nulls last,
           payload_sha256 desc, record_position desc, collected_at desc, request_id desc) = 1
order by numero_controle_pncp_ata
