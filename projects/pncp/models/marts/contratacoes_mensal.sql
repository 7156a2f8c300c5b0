-- One row per month of publication x orgao (CNPJ) x modalidade x UF of the unit: how many
-- contratações were published and their estimated and homologated values.
select
  date_trunc('month', c.data_publicacao_pncp)::date as mes,
  c.orgao_cnpj,
  c.modalidade_id,
  m.nome as modalidade_nome,
  c.uf_sigla,
  count(*) as qtd_contratacoes,
  sum(c.valor_total_estimado)::decimal(18, 4) as valor_total_estimado,
  sum(c.valor_total_homologado)::decimal(18, 4) as valor_total_homologado,
  count(c.valor_total_homologado) as qtd_homologadas
from {{ ref('contratacoes') }} c
left join {{ ref('modalidades') }} m on m.codigo = c.modalidade_id
group by all
order by mes, orgao_cnpj, modalidade_id, uf_sigla
