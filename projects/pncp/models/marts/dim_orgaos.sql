-- One row per orgao (CNPJ) seen in any staging model, with its latest known name, poder and
-- esfera (ties on the date: the greatest value, so the result never depends on row order;
-- poderId/esferaId can be "N" in real data: kept, it is in the code tables).
with vistos as (
  select orgao_cnpj, orgao_razao_social, orgao_poder_id, orgao_esfera_id, data_atualizacao as visto_em, 'contratacoes' as origem from {{ ref('contratacoes') }}
  union all
  select orgao_cnpj, orgao_razao_social, orgao_poder_id, orgao_esfera_id, data_atualizacao, 'contratos' from {{ ref('contratos') }}
  union all
  select orgao_cnpj, orgao_razao_social, null, null, data_atualizacao, 'atas' from {{ ref('atas') }}
  union all
  select orgao_cnpj, orgao_razao_social, null, null, data_atualizacao, 'pca_itens' from {{ ref('pca_itens') }}
  union all
  select orgao_cnpj, null, null, null, data_atualizacao, 'instrumentos_cobranca' from {{ ref('instrumentos_cobranca') }}
)

select
  orgao_cnpj,
  arg_max(orgao_razao_social, (visto_em, orgao_razao_social)) filter (where orgao_razao_social is not null and visto_em is not null) as razao_social,
  arg_max(orgao_poder_id, (visto_em, orgao_poder_id)) filter (where orgao_poder_id is not null and visto_em is not null) as poder_id,
  arg_max(orgao_esfera_id, (visto_em, orgao_esfera_id)) filter (where orgao_esfera_id is not null and visto_em is not null) as esfera_id,
  min(visto_em) as primeiro_registro,
  max(visto_em) as ultimo_registro,
  list_sort(list_distinct(list(origem))) as origens
from vistos
where orgao_cnpj is not null
group by orgao_cnpj
order by orgao_cnpj
