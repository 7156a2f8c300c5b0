-- One row per unidade (orgao CNPJ x codigoUnidade) seen in any staging model, with its latest
-- known name and location (UF, município, IBGE code where the source carries them).
with vistas as (
  select orgao_cnpj, unidade_codigo, unidade_nome, uf_sigla, uf_nome, municipio_nome, codigo_ibge, data_atualizacao as visto_em from {{ ref('contratacoes') }}
  union all
  select orgao_cnpj, unidade_codigo, unidade_nome, uf_sigla, uf_nome, municipio_nome, codigo_ibge, data_atualizacao from {{ ref('contratos') }}
  union all
  select orgao_cnpj, unidade_codigo, unidade_nome, null, null, null, null, data_atualizacao from {{ ref('atas') }}
  union all
  select orgao_cnpj, unidade_codigo, unidade_nome, null, null, null, null, data_atualizacao from {{ ref('pca_itens') }}
)

select
  orgao_cnpj,
  unidade_codigo,
  orgao_cnpj || '/' || unidade_codigo as unidade_key,
  arg_max(unidade_nome, (visto_em, unidade_nome)) filter (where unidade_nome is not null and visto_em is not null) as nome,
  arg_max(uf_sigla, (visto_em, uf_sigla)) filter (where uf_sigla is not null and visto_em is not null) as uf_sigla,
  arg_max(uf_nome, (visto_em, uf_nome)) filter (where uf_nome is not null and visto_em is not null) as uf_nome,
  arg_max(municipio_nome, (visto_em, municipio_nome)) filter (where municipio_nome is not null and visto_em is not null) as municipio_nome,
  arg_max(codigo_ibge, (visto_em, codigo_ibge)) filter (where codigo_ibge is not null and visto_em is not null) as codigo_ibge,
  max(visto_em) as ultimo_registro
from vistas
where orgao_cnpj is not null and unidade_codigo is not null
group by orgao_cnpj, unidade_codigo
order by orgao_cnpj, unidade_codigo
