-- One row per result record found in a stored page of resultados_item (every fetch, every
-- version of the purchase, valid or not): the purchase and item it belongs to (from the
-- request's path parameters), the purchase version the fetch was planned for, typed columns,
-- lineage (payload_sha256, request_id, record_position) and the validation verdict.
{{ config(materialized='incremental', unique_key='request_id', batch_input='paginas_manutencao',
          batch_key='request_id', batch_weight='raw_size', batch_size=var('staging_lote_bytes'),
          batch_where="{{ paginas_pendentes(\"'resultados_item'\") }} and http_status = 200") }}
with paginas as (
  select request_id, endpoint, task_id, params, payload_sha256, collected_at, data_date,
         baliza_payload(compressed) as body
  from {{ ref('paginas_manutencao') }}
  where {{ paginas_pendentes("'resultados_item'") }} and http_status = 200
),

registros as (
  select request_id, endpoint, task_id, params, payload_sha256, collected_at, data_date,
         unnest(range(len(dados)))::integer as record_position, unnest(dados) as r
  from (
    select pg.*, from_json(pg.body, '[{
           "numeroControlePNCPCompra": "VARCHAR", "numeroItem": "VARCHAR",
           "sequencialResultado": "VARCHAR", "niFornecedor": "VARCHAR", "tipoPessoa": "VARCHAR",
           "nomeRazaoSocialFornecedor": "VARCHAR", "porteFornecedorId": "VARCHAR",
           "porteFornecedorNome": "VARCHAR", "codigoPais": "VARCHAR",
           "quantidadeHomologada": "VARCHAR", "valorUnitarioHomologado": "VARCHAR",
           "valorTotalHomologado": "VARCHAR", "percentualDesconto": "VARCHAR",
           "situacaoCompraItemResultadoId": "VARCHAR", "situacaoCompraItemResultadoNome": "VARCHAR",
           "dataResultado": "VARCHAR", "dataInclusao": "VARCHAR", "dataAtualizacao": "VARCHAR",
           "dataCancelamento": "VARCHAR", "motivoCancelamento": "VARCHAR",
           "ordemClassificacaoSrp": "VARCHAR", "aplicacaoBeneficioMeEpp": "VARCHAR"
         }]') as dados
    from paginas pg)
),

tipados as (
  select
    request_id, endpoint, task_id, payload_sha256, collected_at, record_position, r,
    data_date as data_publicacao,
    {{ numero_controle_compra('params') }} as numero_controle_pncp,
    nullif(trim(params ->> 'cnpj'), '') as orgao_cnpj,
    params ->> '_versao' as versao_compra,
    try_cast(params ->> 'numeroItem' as integer) as numero_item,
    try_cast(r.sequencialResultado as integer) as sequencial_resultado,
    try_cast(r.numeroItem as integer) as numero_item_registro,
    nullif(trim(r.niFornecedor), '') as ni_fornecedor,
    nullif(upper(trim(r.tipoPessoa)), '') as tipo_pessoa,
    nullif(trim(r.nomeRazaoSocialFornecedor), '') as nome_fornecedor,
    try_cast(trim(r.porteFornecedorId) as integer) as porte_fornecedor_id,
    nullif(trim(r.codigoPais), '') as codigo_pais,
    try_cast(r.quantidadeHomologada as decimal(18, 4)) as quantidade_homologada,
    try_cast(r.valorUnitarioHomologado as decimal(18, 4)) as valor_unitario_homologado,
    try_cast(r.valorTotalHomologado as decimal(18, 4)) as valor_total_homologado,
    try_cast(r.percentualDesconto as decimal(9, 4)) as percentual_desconto,
    try_cast(trim(r.situacaoCompraItemResultadoId) as integer) as situacao_resultado_id,
    nullif(trim(r.situacaoCompraItemResultadoNome), '') as situacao_resultado_nome,
    try_cast(nullif(trim(r.dataResultado), '') as date) as data_resultado,
    try_cast(nullif(trim(r.dataInclusao), '') as timestamp) as data_inclusao,
    try_cast(nullif(trim(r.dataAtualizacao), '') as timestamp) as data_atualizacao,
    try_cast(nullif(trim(r.dataCancelamento), '') as timestamp) as data_cancelamento,
    nullif(trim(r.motivoCancelamento), '') as motivo_cancelamento,
    try_cast(r.ordemClassificacaoSrp as integer) as ordem_classificacao_srp,
    try_cast(r.aplicacaoBeneficioMeEpp as boolean) as aplicacao_beneficio_me_epp
  from registros
),

verificados as (
  select t.*,
    list_filter([
      case when t.sequencial_resultado is null or t.numero_item is null
        then {'campo': 'sequencialResultado', 'valor': r.sequencialResultado, 'falha': 'missing_key'} end,
      case when t.numero_item_registro is distinct from t.numero_item
        then {'campo': 'numeroItem', 'valor': r.numeroItem, 'falha': 'wrong_parent'} end,
      case when t.situacao_resultado_id is null or t.situacao_resultado_id not in (1, 2)
        then {'campo': 'situacaoCompraItemResultadoId', 'valor': r.situacaoCompraItemResultadoId,
              'falha': 'invalid_code'} end,
      case when r.dataResultado is not null and t.data_resultado is null
        then {'campo': 'dataResultado', 'valor': r.dataResultado, 'falha': 'unparseable_date'} end,
      case when t.valor_unitario_homologado < 0 or t.valor_total_homologado < 0
             or t.quantidade_homologada < 0
        then {'campo': 'valorUnitarioHomologado/valorTotalHomologado/quantidadeHomologada',
              'valor': concat_ws('/', r.valorUnitarioHomologado, r.valorTotalHomologado,
                                 r.quantidadeHomologada),
              'falha': 'negative_value'} end,
      case when t.valor_total_homologado is null and r.valorTotalHomologado is not null
             or t.valor_total_homologado > {{ var('valor_maximo') }}
        then {'campo': 'valorTotalHomologado', 'valor': r.valorTotalHomologado, 'falha': 'absurd_value'} end
    ], lambda f: f is not null) as falhas
  from tipados t
)

select
  * exclude (r, falhas, numero_item_registro),
  len(falhas) = 0 as is_valid,
  falhas[1].falha as failure_type,
  list_distinct(list_transform(falhas, lambda f: f.falha)) as failure_types,
  case when len(falhas) > 0 then to_json(falhas) end as offending_values,
  current_timestamp::timestamp as staged_at
from verificados
