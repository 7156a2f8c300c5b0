-- One row per instrumento de cobrança record found in a stored raw page of
-- instrumentoscobranca_inclusao (every version, valid or not): typed columns, lineage
-- (payload_sha256, request_id, record_position) and the validation verdict. The natural key is
-- cnpj/ano/sequencialContrato/sequencialInstrumentoCobranca (instrumento_key). The nota fiscal
-- and the embedded contrato are kept as JSON, with their useful leaves typed (valores of the
-- nota fiscal are strings in this DTO).
-- Pages are parsed a batch at a time (var staging_lote_bytes of JSON per batch): memory is
-- bounded by a batch, not by the month (see Batched builds in CONTRIBUTING.md).
{{ config(materialized='incremental', unique_key='request_id', batch_input='paginas_brutas',
          batch_key='request_id', batch_weight='raw_size', batch_size=var('staging_lote_bytes'),
          batch_where="{{ paginas_pendentes(\"'instrumentoscobranca_inclusao'\") }}") }}
with paginas as (
  {{ paginas_a_staging("'instrumentoscobranca_inclusao'") }}
),

registros as (
  -- Parallel unnests in one select list: a lateral join here would copy each page body once
  -- per record (minutes and gigabytes at a month's volume).
  select request_id, endpoint, payload_sha256, collected_at,
         unnest(range(len(dados)))::integer as record_position, unnest(dados) as r
  from (
    select pg.request_id, pg.endpoint, pg.payload_sha256, pg.collected_at,
           from_json(pg.body, '{"data": [{
           "cnpj": "VARCHAR", "ano": "VARCHAR", "sequencialContrato": "VARCHAR",
           "sequencialInstrumentoCobranca": "VARCHAR",
           "tipoInstrumentoCobranca": {"id": "VARCHAR", "nome": "VARCHAR", "descricao": "VARCHAR",
                                       "dataInclusao": "VARCHAR", "dataAtualizacao": "VARCHAR", "statusAtivo": "VARCHAR"},
           "numeroInstrumentoCobranca": "VARCHAR", "dataEmissaoDocumento": "VARCHAR", "observacao": "VARCHAR",
           "chaveNFe": "VARCHAR", "fonteNFe": "VARCHAR", "dataConsultaNFe": "VARCHAR",
           "statusResponseNFe": "VARCHAR", "jsonResponseNFe": "VARCHAR",
           "notaFiscalEletronica": "JSON",
           "dataInclusao": "VARCHAR", "dataAtualizacao": "VARCHAR",
           "recuperarContratoDTO": "JSON"
         }]}').data as dados
    from paginas pg)
),

tipados as (
  select
    request_id, endpoint, payload_sha256, collected_at, record_position, r,
    nullif(trim(r.cnpj), '') as orgao_cnpj,
    try_cast(r.ano as integer) as ano,
    try_cast(r.sequencialContrato as integer) as sequencial_contrato,
    try_cast(r.sequencialInstrumentoCobranca as integer) as sequencial_instrumento_cobranca,
    try_cast(r.tipoInstrumentoCobranca.id as integer) as tipo_instrumento_cobranca_id,
    nullif(trim(r.tipoInstrumentoCobranca.nome), '') as tipo_instrumento_cobranca_nome,
    nullif(trim(r.numeroInstrumentoCobranca), '') as numero_instrumento_cobranca,
    try_cast(try_cast(nullif(trim(r.dataEmissaoDocumento), '') as timestamp) as date) as data_emissao_documento,
    nullif(trim(r.observacao), '') as observacao,
    nullif(trim(r.chaveNFe), '') as chave_nfe,
    try_cast(r.fonteNFe as integer) as fonte_nfe,
    try_cast(nullif(trim(r.dataConsultaNFe), '') as timestamp) as data_consulta_nfe,
    nullif(trim(r.statusResponseNFe), '') as status_response_nfe,
    nullif(trim(r.jsonResponseNFe), '') as json_response_nfe,
    r.notaFiscalEletronica as nota_fiscal_eletronica,
    try_cast(json_extract_string(r.notaFiscalEletronica, 'valorNotaFiscal') as decimal(18, 4)) as valor_nota_fiscal,
    nullif(trim(json_extract_string(r.notaFiscalEletronica, 'niEmitente')), '') as ni_emitente,
    nullif(trim(json_extract_string(r.notaFiscalEletronica, 'nomeEmitente')), '') as nome_emitente,
    try_cast(nullif(trim(json_extract_string(r.notaFiscalEletronica, 'dataEmissao')), '') as timestamp) as data_emissao_nfe,
    try_cast(nullif(trim(r.dataInclusao), '') as timestamp) as data_inclusao,
    try_cast(nullif(trim(r.dataAtualizacao), '') as timestamp) as data_atualizacao,
    nullif(trim(json_extract_string(r.recuperarContratoDTO, 'numeroControlePNCP')), '') as numero_controle_pncp_contrato,
    r.recuperarContratoDTO as contrato
  from registros
),

verificados as (
  select t.*,
    list_filter([
      case when t.orgao_cnpj is null or t.ano is null or t.sequencial_instrumento_cobranca is null
        then {'campo': 'cnpj/ano/sequencialInstrumentoCobranca',
              'valor': concat_ws('/', r.cnpj, r.ano, r.sequencialInstrumentoCobranca), 'falha': 'missing_key'} end,
      {{ falha_data('data_emissao_documento', 'dataEmissaoDocumento') }},
      {{ falha_data('data_consulta_nfe', 'dataConsultaNFe', faixa=false) }},
      {{ falha_data('data_inclusao', 'dataInclusao', faixa=false) }},
      {{ falha_data('data_atualizacao', 'dataAtualizacao', faixa=false) }},
      case when t.valor_nota_fiscal < 0
        then {'campo': 'notaFiscalEletronica.valorNotaFiscal', 'valor': json_extract_string(r.notaFiscalEletronica, 'valorNotaFiscal'), 'falha': 'negative_value'} end,
      case when t.valor_nota_fiscal is null and json_extract_string(r.notaFiscalEletronica, 'valorNotaFiscal') is not null
             or t.valor_nota_fiscal > {{ var('valor_maximo') }}
        then {'campo': 'notaFiscalEletronica.valorNotaFiscal', 'valor': json_extract_string(r.notaFiscalEletronica, 'valorNotaFiscal'), 'falha': 'absurd_value'} end
    ] || {{ falhas_cnpj("[{'campo': 'cnpj', 'valor': t.orgao_cnpj}]") }},
    lambda f: f is not null) as falhas
  from tipados t
)

select
  * exclude (r, falhas),
  concat_ws('/', orgao_cnpj, ano, coalesce(sequencial_contrato, 0), sequencial_instrumento_cobranca)
    as instrumento_key,
  len(falhas) = 0 as is_valid,
  falhas[1].falha as failure_type,
  list_distinct(list_transform(falhas, lambda f: f.falha)) as failure_types,
  case when len(falhas) > 0 then to_json(falhas) end as offending_values,
  current_timestamp::timestamp as staged_at
from verificados
