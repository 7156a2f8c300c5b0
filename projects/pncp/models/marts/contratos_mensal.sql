-- One row per month of publication x orgao (CNPJ) x modalidade of the purchase x UF of the unit:
-- how many contratos were published and their global value. modalidade_id is NULL when the
-- contrato names no purchase or its purchase is not loaded.
select
  date_trunc('month', k.data_publicacao_pncp)::date as mes,
  k.orgao_cnpj,
  c.modalidade_id,
  k.uf_sigla,
  count(*) as qtd_contratos,
  sum(k.valor_global)::decimal(18, 4) as valor_global,
  sum(k.valor_inicial)::decimal(18, 4) as valor_inicial
from {{ ref('contratos') }} k
left join {{ ref('contratacoes') }} c on c.numero_controle_pncp = k.numero_controle_pncp_compra
group by all
order by 1, 2, 3, 4
