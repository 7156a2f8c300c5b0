-- One row per ata de registro de preço in force on the reference date (var data_referencia,
-- '' = today): not cancelled and vigenciaInicio <= date <= vigenciaFim.
with referencia as (
  select coalesce(try_cast('{{ var("data_referencia") }}' as date), current_date) as data_referencia
)

select
  r.data_referencia,
  a.numero_controle_pncp_ata, a.numero_controle_pncp_compra, a.orgao_cnpj, a.unidade_codigo,
  a.vigencia_inicio, a.vigencia_fim,
  a.vigencia_fim - r.data_referencia as dias_restantes,
  a.objeto_contratacao, a.data_assinatura, a.payload_sha256, a.record_position
from {{ ref('atas') }} a, referencia r
where not coalesce(a.cancelado, false)
  and a.vigencia_inicio <= r.data_referencia
  and a.vigencia_fim >= r.data_referencia
order by a.orgao_cnpj, a.vigencia_fim, a.numero_controle_pncp_ata
