-- One row per item record found in a stored page of itens_compra (every fetch, every version
-- of the purchase, valid or not): the purchase it belongs to (from the request's path
-- parameters: the items carry no purchase key), the purchase version the fetch was planned for
-- (versao_compra), typed columns, lineage (payload_sha256, request_id, record_position) and
-- the validation verdict. staging.itens_compra keeps the items of each purchase's newest
-- fetched version; quarantine.itens_compra the records that failed validation.
{{ config(materialized='incremental', unique_key='request_id', batch_input='paginas_manutencao',
          batch_key='request_id', batch_weight='raw_size', batch_size=var('staging_lote_bytes'),
          batch_where="{{ paginas_pendentes(\"'itens_compra'\") }} and http_status = 200") }}
with paginas as (
  select request_id, endpoint, task_id, params, page, payload_sha256, collected_at, data_date,
         baliza_payload(compressed) as body
  from {{ ref('paginas_manutencao') }}
  where {{ paginas_pendentes("'itens_compra'") }} and http_status = 200
),

registros as (
  select request_id, endpoint, task_id, params, page, payload_sha256, collected_at, data_date,
         unnest(range(len(dados)))::integer as record_position, unnest(dados) as r
  from (
    select pg.*, from_json(pg.body, '[{
           "numeroItem": "VARCHAR", "descricao": "VARCHAR", "materialOuServico": "VARCHAR",
           "materialOuServicoNome": "VARCHAR", "valorUnitarioEstimado": "VARCHAR",
           "valorTotal": "VARCHAR", "quantidade": "VARCHAR", "unidadeMedida": "VARCHAR",
           "orcamentoSigiloso": "VARCHAR", "itemCategoriaId": "VARCHAR", "itemCategoriaNome": "VARCHAR",
           "criterioJulgamentoId": "VARCHAR", "criterioJulgamentoNome": "VARCHAR",
           "situacaoCompraItem": "VARCHAR", "situacaoCompraItemNome": "VARCHAR",
           "tipoBeneficio": "VARCHAR", "tipoBeneficioNome": "VARCHAR",
           "dataInclusao": "VARCHAR", "dataAtualizacao": "VARCHAR", "temResultado": "VARCHAR",
           "ncmNbsCodigo": "VARCHAR", "catalogoCodigoItem": "VARCHAR",
           "informacaoComplementar": "VARCHAR"
         }]') as dados
    from paginas pg)
),

tipados as (
  select
    request_id, endpoint, task_id, page, payload_sha256, collected_at, record_position, r,
    data_date as data_publicacao,
    nullif(trim(params ->> 'cnpj'), '') as orgao_cnpj,
    try_cast(params ->> 'ano' as integer) as ano_compra,
    try_cast(params ->> 'sequencial' as integer) as sequencial_compra,
    params ->> '_versao' as versao_compra,
    {{ numero_controle_compra('params') }} as numero_controle_pncp,
    try_cast(r.numeroItem as integer) as numero_item,
    nullif(trim(r.descricao), '') as descricao,
    nullif(upper(trim(r.materialOuServico)), '') as material_ou_servico,
    -- Money and quantities can carry 4 decimals: parsed from the JSON text, never a double.
    try_cast(r.valorUnitarioEstimado as decimal(18, 4)) as valor_unitario_estimado,
    try_cast(r.valorTotal as decimal(18, 4)) as valor_total,
    try_cast(r.quantidade as decimal(18, 4)) as quantidade,
    nullif(trim(r.unidadeMedida), '') as unidade_medida,
    try_cast(r.orcamentoSigiloso as boolean) as orcamento_sigiloso,
    try_cast(r.criterioJulgamentoId as integer) as criterio_julgamento_id,
    nullif(trim(r.criterioJulgamentoNome), '') as criterio_julgamento_nome,
    -- An integer in live bodies, a string enum ('1'..'5') in the spec: both cast the same.
    try_cast(trim(r.situacaoCompraItem) as integer) as situacao_item_id,
    nullif(trim(r.situacaoCompraItemNome), '') as situacao_item_nome,
    try_cast(trim(r.tipoBeneficio) as integer) as tipo_beneficio_id,
    try_cast(nullif(trim(r.dataInclusao), '') as timestamp) as data_inclusao,
    try_cast(nullif(trim(r.dataAtualizacao), '') as timestamp) as data_atualizacao,
    coalesce(try_cast(r.temResultado as boolean), false) as tem_resultado,
    nullif(trim(r.ncmNbsCodigo), '') as ncm_nbs_codigo,
    nullif(trim(r.catalogoCodigoItem), '') as catalogo_codigo_item,
    nullif(trim(r.informacaoComplementar), '') as informacao_complementar
  from registros
),

verificados as (
  select t.*,
    list_filter([
      case when t.numero_item is null or t.numero_item < 1
        then {'campo': 'numeroItem', 'valor': r.numeroItem, 'falha': 'missing_key'} end,
      case when t.orgao_cnpj is null or t.ano_compra is null or t.sequencial_compra is null
        then {'campo': 'params', 'valor': t.numero_controle_pncp, 'falha': 'missing_key'} end,
      case when t.material_ou_servico is not null and t.material_ou_servico not in ('M', 'S')
        then {'campo': 'materialOuServico', 'valor': r.materialOuServico, 'falha': 'invalid_code'} end,
      {{ falha_data('data_inclusao', 'dataInclusao') }},
      {{ falha_data('data_atualizacao', 'dataAtualizacao') }},
      case when t.valor_unitario_estimado < 0 or t.valor_total < 0 or t.quantidade < 0
        then {'campo': 'valorUnitarioEstimado/valorTotal/quantidade',
              'valor': concat_ws('/', r.valorUnitarioEstimado, r.valorTotal, r.quantidade),
              'falha': 'negative_value'} end,
      case when t.valor_total is null and r.valorTotal is not null
             or t.valor_total > {{ var('valor_maximo') }}
        then {'campo': 'valorTotal', 'valor': r.valorTotal, 'falha': 'absurd_value'} end
    ], lambda f: f is not null) as falhas
  from tipados t
)

select
  * exclude (r, falhas),
  len(falhas) = 0 as is_valid,
  falhas[1].falha as failure_type,
  list_distinct(list_transform(falhas, lambda f: f.falha)) as failure_types,
  case when len(falhas) > 0 then to_json(falhas) end as offending_values,
  current_timestamp::timestamp as staged_at
from verificados
