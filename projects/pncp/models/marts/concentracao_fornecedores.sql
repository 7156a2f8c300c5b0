-- One row per orgao x supplier among the orgao's top suppliers (var top_fornecedores) by
-- contracted value: contracts, value, share of the orgao's total and the running share.
with por_fornecedor as (
  select orgao_cnpj, ni_fornecedor, tipo_pessoa,
         -- the latest name (ties: the greatest), so the result never depends on row order
         arg_max(nome_razao_social_fornecedor, (data_atualizacao, nome_razao_social_fornecedor))
           as nome_fornecedor,
         count(*) as qtd_contratos,
         sum(valor_global)::decimal(18, 4) as valor_global
  from {{ ref('contratos') }}
  where ni_fornecedor is not null
  group by orgao_cnpj, ni_fornecedor, tipo_pessoa
),

ranqueados as (
  select *,
    row_number() over (partition by orgao_cnpj order by valor_global desc nulls last, ni_fornecedor) as posicao,
    sum(valor_global) over (partition by orgao_cnpj) as valor_orgao,
    count(*) over (partition by orgao_cnpj) as fornecedores_orgao
  from por_fornecedor
)

select
  orgao_cnpj, posicao, ni_fornecedor, tipo_pessoa, nome_fornecedor, qtd_contratos, valor_global,
  valor_orgao::decimal(18, 4) as valor_orgao, fornecedores_orgao,
  round(valor_global / nullif(valor_orgao, 0), 6)::double as participacao,
  round(sum(valor_global) over (partition by orgao_cnpj order by posicao) / nullif(valor_orgao, 0), 6)::double
    as participacao_acumulada
from ranqueados
where posicao <= {{ var('top_fornecedores') }}
order by orgao_cnpj, posicao
