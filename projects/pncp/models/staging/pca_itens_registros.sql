-- One row per PCA item found in a stored raw page of pca_atualizacao (or pca / pca_usuario),
-- every version, valid or not; a plan with no items gives one row with item_position NULL
-- (quarantined as plan_without_items) so that no record disappears. Typed columns, lineage
-- (payload_sha256, request_id, record_position of the plan, item_position inside its itens) and
-- the validation verdict. PCA names its dates dataInicio/dataFim in queries and carries
-- plan-level fields (idPcaPncp, orgaoEntidadeCnpj, dataAtualizacaoGlobalPCA) beside the items.
-- Pages are parsed a batch at a time (var staging_lote_bytes of JSON per batch): memory is
-- bounded by a batch, not by the month (see Batched builds in CONTRIBUTING.md).
{{ config(materialized='incremental', unique_key='request_id', batch_input='paginas_brutas',
          batch_key='request_id', batch_weight='raw_size', batch_size=var('staging_lote_bytes'),
          batch_where="{{ paginas_pendentes(\"'pca_atualizacao', 'pca', 'pca_usuario'\") }}") }}
with paginas as (
  {{ paginas_a_staging("'pca_atualizacao', 'pca', 'pca_usuario'") }}
),

planos as (
  -- Parallel unnests in one select list: a lateral join here would copy each page body once
  -- per record (minutes and gigabytes at a month's volume).
  select request_id, endpoint, payload_sha256, collected_at,
         unnest(range(len(dados)))::integer as record_position, unnest(dados) as r
  from (
    select pg.request_id, pg.endpoint, pg.payload_sha256, pg.collected_at,
           from_json(pg.body, '{"data": [{
           "idPcaPncp": "VARCHAR", "anoPca": "VARCHAR",
           "orgaoEntidadeCnpj": "VARCHAR", "orgaoEntidadeRazaoSocial": "VARCHAR",
           "codigoUnidade": "VARCHAR", "nomeUnidade": "VARCHAR",
           "dataPublicacaoPNCP": "VARCHAR", "dataAtualizacaoGlobalPCA": "VARCHAR",
           "itens": [{
             "numeroItem": "VARCHAR", "categoriaItemPcaNome": "VARCHAR",
             "classificacaoCatalogoId": "VARCHAR", "nomeClassificacaoCatalogo": "VARCHAR",
             "classificacaoSuperiorCodigo": "VARCHAR", "classificacaoSuperiorNome": "VARCHAR",
             "pdmCodigo": "VARCHAR", "pdmDescricao": "VARCHAR",
             "codigoItem": "VARCHAR", "descricaoItem": "VARCHAR", "unidadeFornecimento": "VARCHAR",
             "quantidadeEstimada": "VARCHAR", "valorUnitario": "VARCHAR", "valorTotal": "VARCHAR",
             "valorOrcamentoExercicio": "VARCHAR", "unidadeRequisitante": "VARCHAR",
             "grupoContratacaoCodigo": "VARCHAR", "grupoContratacaoNome": "VARCHAR",
             "dataDesejada": "VARCHAR", "dataInclusao": "VARCHAR", "dataAtualizacao": "VARCHAR"
           }]
         }]}').data as dados
    from paginas pg)
),

registros as (
  select * exclude (itens), unnest(range(len(itens)))::integer as item_position, unnest(itens) as it
  from (
    select pl.*, case when len(coalesce(pl.r.itens, [])) = 0 then [null] else pl.r.itens end as itens
    from planos pl)
),

tipados as (
  select
    request_id, endpoint, payload_sha256, collected_at, record_position,
    case when it is not null then item_position end as item_position, r, it,
    nullif(trim(r.idPcaPncp), '') as id_pca_pncp,
    try_cast(it.numeroItem as integer) as numero_item,
    try_cast(r.anoPca as integer) as ano_pca,
    nullif(trim(r.orgaoEntidadeCnpj), '') as orgao_cnpj,
    nullif(trim(r.orgaoEntidadeRazaoSocial), '') as orgao_razao_social,
    nullif(trim(r.codigoUnidade), '') as unidade_codigo,
    nullif(trim(r.nomeUnidade), '') as unidade_nome,
    try_cast(nullif(trim(r.dataPublicacaoPNCP), '') as timestamp) as data_publicacao_pncp,
    try_cast(nullif(trim(r.dataAtualizacaoGlobalPCA), '') as timestamp) as data_atualizacao_global_pca,
    nullif(trim(it.categoriaItemPcaNome), '') as categoria_item_pca_nome,
    try_cast(it.classificacaoCatalogoId as integer) as classificacao_catalogo_id,
    nullif(trim(it.nomeClassificacaoCatalogo), '') as nome_classificacao_catalogo,
    nullif(trim(it.classificacaoSuperiorCodigo), '') as classificacao_superior_codigo,
    nullif(trim(it.classificacaoSuperiorNome), '') as classificacao_superior_nome,
    nullif(trim(it.pdmCodigo), '') as pdm_codigo,
    nullif(trim(it.pdmDescricao), '') as pdm_descricao,
    nullif(trim(it.codigoItem), '') as codigo_item,
    nullif(trim(it.descricaoItem), '') as descricao_item,
    nullif(trim(it.unidadeFornecimento), '') as unidade_fornecimento,
    try_cast(it.quantidadeEstimada as decimal(18, 4)) as quantidade_estimada,
    try_cast(it.valorUnitario as decimal(18, 4)) as valor_unitario,
    try_cast(it.valorTotal as decimal(18, 4)) as valor_total,
    try_cast(it.valorOrcamentoExercicio as decimal(18, 4)) as valor_orcamento_exercicio,
    nullif(trim(it.unidadeRequisitante), '') as unidade_requisitante,
    nullif(trim(it.grupoContratacaoCodigo), '') as grupo_contratacao_codigo,
    nullif(trim(it.grupoContratacaoNome), '') as grupo_contratacao_nome,
    try_cast(try_cast(nullif(trim(it.dataDesejada), '') as timestamp) as date) as data_desejada,
    try_cast(nullif(trim(it.dataInclusao), '') as timestamp) as data_inclusao,
    try_cast(nullif(trim(it.dataAtualizacao), '') as timestamp) as data_atualizacao
  from registros
),

verificados as (
  select t.*,
    list_filter([
      case when t.it is null
        then {'campo': 'itens', 'valor': '[]', 'falha': 'plan_without_items'} end,
      case when t.id_pca_pncp is null
        then {'campo': 'idPcaPncp', 'valor': r.idPcaPncp, 'falha': 'missing_key'} end,
      case when t.it is not null and t.numero_item is null
        then {'campo': 'numeroItem', 'valor': it.numeroItem, 'falha': 'missing_key'} end,
      case when t.data_desejada is null and nullif(trim(it.dataDesejada), '') is not null
             or t.data_desejada not between '{{ var("data_minima") }}'::date and '{{ var("data_maxima") }}'::date
        then {'campo': 'dataDesejada', 'valor': it.dataDesejada, 'falha': 'unparseable_date'} end,
      case when t.data_inclusao is null and nullif(trim(it.dataInclusao), '') is not null
        then {'campo': 'dataInclusao', 'valor': it.dataInclusao, 'falha': 'unparseable_date'} end,
      case when t.data_atualizacao is null and nullif(trim(it.dataAtualizacao), '') is not null
        then {'campo': 'dataAtualizacao', 'valor': it.dataAtualizacao, 'falha': 'unparseable_date'} end,
      {{ falha_data('data_publicacao_pncp', 'dataPublicacaoPNCP', faixa=false) }},
      {{ falha_data('data_atualizacao_global_pca', 'dataAtualizacaoGlobalPCA', faixa=false) }},
      case when t.quantidade_estimada < 0 then {'campo': 'quantidadeEstimada', 'valor': it.quantidadeEstimada, 'falha': 'negative_value'} end,
      case when t.valor_unitario < 0 then {'campo': 'valorUnitario', 'valor': it.valorUnitario, 'falha': 'negative_value'} end,
      case when t.valor_total < 0 then {'campo': 'valorTotal', 'valor': it.valorTotal, 'falha': 'negative_value'} end,
      case when t.valor_orcamento_exercicio < 0 then {'campo': 'valorOrcamentoExercicio', 'valor': it.valorOrcamentoExercicio, 'falha': 'negative_value'} end,
      case when t.valor_unitario is null and it.valorUnitario is not null or t.valor_unitario > {{ var('valor_maximo') }}
        then {'campo': 'valorUnitario', 'valor': it.valorUnitario, 'falha': 'absurd_value'} end,
      case when t.valor_total is null and it.valorTotal is not null or t.valor_total > {{ var('valor_maximo') }}
        then {'campo': 'valorTotal', 'valor': it.valorTotal, 'falha': 'absurd_value'} end,
      case when t.valor_orcamento_exercicio is null and it.valorOrcamentoExercicio is not null
             or t.valor_orcamento_exercicio > {{ var('valor_maximo') }}
        then {'campo': 'valorOrcamentoExercicio', 'valor': it.valorOrcamentoExercicio, 'falha': 'absurd_value'} end
    ] || {{ falhas_cnpj("[{'campo': 'orgaoEntidadeCnpj', 'valor': t.orgao_cnpj}]") }},
    lambda f: f is not null) as falhas
  from tipados t
)

select
  * exclude (r, it, falhas),
  id_pca_pncp || '#' || numero_item as item_key,
  len(falhas) = 0 as is_valid,
  falhas[1].falha as failure_type,
  list_distinct(list_transform(falhas, lambda f: f.falha)) as failure_types,
  case when len(falhas) > 0 then to_json(falhas) end as offending_values,
  current_timestamp::timestamp as staged_at
from verificados
