-- One row per supplier (niFornecedor: CNPJ for PJ, CPF for PF, foreign id for PE) of any
-- contrato, with its latest name, type, country and contract totals.
select
  ni_fornecedor,
  arg_max(tipo_pessoa, data_atualizacao) as tipo_pessoa,
  arg_max(nome_razao_social_fornecedor, data_atualizacao) as nome,
  arg_max(codigo_pais_fornecedor, data_atualizacao) filter (where codigo_pais_fornecedor is not null) as codigo_pais,
  count(*) as qtd_contratos,
  count(distinct orgao_cnpj) as qtd_orgaos,
  sum(valor_global)::decimal(18, 4) as valor_global,
  min(data_assinatura) as primeira_assinatura,
  max(data_assinatura) as ultima_assinatura
from {{ ref('contratos') }}
where ni_fornecedor is not null
group by ni_fornecedor
order by ni_fornecedor
