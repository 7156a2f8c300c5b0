-- One row per ata de registro de preço record found in a stored raw page of atas_atualizacao or
-- atas (every version, valid or not): typed columns, lineage (payload_sha256, request_id,
-- record_position) and the validation verdict (falhas).
-- Quirks: atas often carry plain yyyy-MM-dd where the spec says date-time (both parse: a plain
-- date is midnight); the body's CNPJ is cnpjOrgao, with cnpj as a fallback; the purchase key is
-- numeroControlePNCPCompra.
-- Pages are parsed a batch at a time (var staging_lote_bytes of JSON per batch): memory is
-- bounded by a batch, not by the month (see Batched builds in CONTRIBUTING.md).
{{ config(materialized='incremental', unique_key='request_id', batch_input='paginas_brutas',
          batch_key='request_id', batch_weight='raw_size', batch_size=var('staging_lote_bytes'),
          batch_where="{{ paginas_pendentes(\"'atas_atualizacao', 'atas'\") }}") }}
with paginas as (
  {{ paginas_a_staging("'atas_atualizacao', 'atas'") }}
),

registros as (
  -- Parallel unnests in one select list: a lateral join here would copy each page body once
  -- per record (minutes and gigabytes at a month's volume).
  select request_id, endpoint, payload_sha256, collected_at,
         unnest(range(len(dados)))::integer as record_position, unnest(dados) as r
  from (
    select pg.request_id, pg.endpoint, pg.payload_sha256, pg.collected_at,
           from_json(pg.body, '{"data": [{
           "numeroControlePNCPAta": "VARCHAR", "numeroControlePNCPCompra": "VARCHAR",
           "numeroAtaRegistroPreco": "VARCHAR", "anoAta": "VARCHAR",
           "cancelado": "VARCHAR", "dataCancelamento": "VARCHAR",
           "dataAssinatura": "VARCHAR", "vigenciaInicio": "VARCHAR", "vigenciaFim": "VARCHAR",
           "dataPublicacaoPncp": "VARCHAR", "dataInclusao": "VARCHAR", "dataAtualizacao": "VARCHAR",
           "dataAtualizacaoGlobal": "VARCHAR",
           "usuario": "VARCHAR", "objetoContratacao": "VARCHAR",
           "cnpjOrgao": "VARCHAR", "cnpj": "VARCHAR", "nomeOrgao": "VARCHAR",
           "codigoUnidadeOrgao": "VARCHAR", "nomeUnidadeOrgao": "VARCHAR",
           "cnpjOrgaoSubrogado": "VARCHAR", "nomeOrgaoSubrogado": "VARCHAR",
           "codigoUnidadeOrgaoSubrogado": "VARCHAR", "nomeUnidadeOrgaoSubrogado": "VARCHAR"
         }]}').data as dados
    from paginas pg)
),

tipados as (
  select
    request_id, endpoint, payload_sha256, collected_at, record_position, r,
    nullif(trim(r.numeroControlePNCPAta), '') as numero_controle_pncp_ata,
    nullif(trim(r.numeroControlePNCPCompra), '') as numero_controle_pncp_compra,
    nullif(trim(r.numeroAtaRegistroPreco), '') as numero_ata_registro_preco,
    try_cast(r.anoAta as integer) as ano_ata,
    try_cast(r.cancelado as boolean) as cancelado,
    try_cast(nullif(trim(r.dataCancelamento), '') as timestamp) as data_cancelamento,
    try_cast(try_cast(nullif(trim(r.dataAssinatura), '') as timestamp) as date) as data_assinatura,
    try_cast(try_cast(nullif(trim(r.vigenciaInicio), '') as timestamp) as date) as vigencia_inicio,
    try_cast(try_cast(nullif(trim(r.vigenciaFim), '') as timestamp) as date) as vigencia_fim,
    try_cast(nullif(trim(r.dataPublicacaoPncp), '') as timestamp) as data_publicacao_pncp,
    try_cast(nullif(trim(r.dataInclusao), '') as timestamp) as data_inclusao,
    try_cast(nullif(trim(r.dataAtualizacao), '') as timestamp) as data_atualizacao,
    try_cast(nullif(trim(r.dataAtualizacaoGlobal), '') as timestamp) as data_atualizacao_global,
    nullif(trim(r.usuario), '') as usuario_nome,
    nullif(trim(r.objetoContratacao), '') as objeto_contratacao,
    coalesce(nullif(trim(r.cnpjOrgao), ''), nullif(trim(r.cnpj), '')) as orgao_cnpj,
    nullif(trim(r.nomeOrgao), '') as orgao_razao_social,
    nullif(trim(r.codigoUnidadeOrgao), '') as unidade_codigo,
    nullif(trim(r.nomeUnidadeOrgao), '') as unidade_nome,
    nullif(trim(r.cnpjOrgaoSubrogado), '') as orgao_sub_rogado_cnpj,
    nullif(trim(r.nomeOrgaoSubrogado), '') as orgao_sub_rogado_razao_social,
    nullif(trim(r.codigoUnidadeOrgaoSubrogado), '') as unidade_sub_rogada_codigo,
    nullif(trim(r.nomeUnidadeOrgaoSubrogado), '') as unidade_sub_rogada_nome
  from registros
),

verificados as (
  select t.*,
    list_filter([
      case when t.numero_controle_pncp_ata is null
        then {'campo': 'numeroControlePNCPAta', 'valor': r.numeroControlePNCPAta, 'falha': 'missing_key'} end,
      {{ falha_data('data_cancelamento', 'dataCancelamento', faixa=false) }},
      {{ falha_data('data_assinatura', 'dataAssinatura') }},
      {{ falha_data('vigencia_inicio', 'vigenciaInicio') }},
      {{ falha_data('vigencia_fim', 'vigenciaFim') }},
      {{ falha_data('data_publicacao_pncp', 'dataPublicacaoPncp', faixa=false) }},
      {{ falha_data('data_inclusao', 'dataInclusao', faixa=false) }},
      {{ falha_data('data_atualizacao', 'dataAtualizacao', faixa=false) }},
      {{ falha_data('data_atualizacao_global', 'dataAtualizacaoGlobal', faixa=false) }},
      case when t.vigencia_fim < t.vigencia_inicio
        then {'campo': 'vigenciaFim', 'valor': r.vigenciaFim, 'falha': 'inconsistent_dates'} end
    ] || {{ falhas_cnpj("[{'campo': 'cnpjOrgao', 'valor': coalesce(t.orgao_cnpj, '')},
                   {'campo': 'cnpjOrgaoSubrogado', 'valor': t.orgao_sub_rogado_cnpj}]") }},
    lambda f: f is not null) as falhas
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
