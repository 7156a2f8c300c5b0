-- One row per supplier (niFornecedor: CNPJ for PJ, CPF for PF, foreign id for PE) of any
-- contrato, with its latest name, type, country and contract totals (ties on the date: the greatest value).
select
  ni_fornecedor,
  arg_max(tipo_pessoa, (data_atualizacao, tipo_pessoa)) filter (where data_atualizacao is not null) as tipo_pessoa,
  arg_max(nome_razao_social_fornecedor, (data_atualizacao, nome_razao_social_fornecedor))
    filter (where data_atualizacao is not null) as nome,
  arg_max(codigo_pais_fornecedor, (data_atualizacao, codigo_pais_fornecedor))
    filter (where codigo_pais_fornecedor is not null and data_atualizacao is not null) as codigo_pais,
  count(*) as qtd_contratos,
  count(distinct orgao_cnpj) as qtd_orgaos,
  sum(valor_global)::decimal(18, 4) as valor_global,
  min(data_assinatura) as primeira_assinatura,
  max(data_assinatura) as ultima_assinatura
from {{ ref('contratos') }}
where ni_fornecedor is not null
group by ni_fornecedor
order by ni_fornecedor
