-- One row per distinct version of a contrato (numeroControlePNCP x dataAtualizacao) seen in raw
-- (contratos and contratos_atualizacao, valid records only), in order: its values, the previous
-- version's, and the change. The first version has versao 1 and no previous values.
with versoes as (
  select * from {{ ref('contratos_registros') }}
  where is_valid
  qualify row_number() over (
    partition by numero_controle_pncp, data_atualizacao
    order by payload_sha256 desc, record_position desc, collected_at desc, request_id desc) = 1
)

select
  numero_controle_pncp,
  row_number() over w as versao,
  count(*) over (partition by numero_controle_pncp) as qtd_versoes,
  data_atualizacao,
  numero_retificacao,
  orgao_cnpj,
  valor_inicial,
  valor_global,
  lag(valor_global) over w as valor_global_anterior,
  valor_global - lag(valor_global) over w as variacao_valor_global,
  valor_acumulado,
  data_vigencia_fim,
  lag(data_vigencia_fim) over w as data_vigencia_fim_anterior,
  endpoint, payload_sha256, request_id, record_position
from versoes
window w as (partition by numero_controle_pncp order by data_atualizacao nulls first, collected_at)
order by numero_controle_pncp, versao
