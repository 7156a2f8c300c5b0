-- One row per contratação record found in a stored raw page of contratacoes_publicacao or
-- contratacoes_atualizacao (every version, valid or not): typed columns, lineage
-- (payload_sha256, request_id, record_position) and the validation verdict (falhas).
-- staging.contratacoes keeps the latest valid version per key; quarantine.contratacoes the rest
-- that failed validation.
-- Pages are parsed a batch at a time (var staging_lote_bytes of JSON per batch): memory is
-- bounded by a batch, not by the month (see Batched builds in CONTRIBUTING.md).
{{ config(materialized='incremental', unique_key='request_id', batch_input='paginas_brutas',
          batch_key='request_id', batch_weight='raw_size', batch_size=var('staging_lote_bytes'),
          batch_where="{{ paginas_pendentes(\"'contratacoes_publicacao', 'contratacoes_atualizacao'\") }}") }}
with paginas as (
  {{ paginas_a_staging("'contratacoes_publicacao', 'contratacoes_atualizacao'") }}
),

-- One JSON parse per page: the data array straight into structs (every leaf as text, so that a
-- type quirk such as situacaoCompraId integer vs string never fails the parse).
registros as (
  -- Parallel unnests in one select list: a lateral join here would copy each page body once
  -- per record (minutes and gigabytes at a month's volume).
  select request_id, endpoint, payload_sha256, collected_at,
         unnest(range(len(dados)))::integer as record_position, unnest(dados) as r
  from (
    select pg.request_id, pg.endpoint, pg.payload_sha256, pg.collected_at,
           from_json(pg.body, '{"data": [{
           "numeroControlePNCP": "VARCHAR",
           "orgaoEntidade": {"cnpj": "VARCHAR", "razaoSocial": "VARCHAR", "poderId": "VARCHAR", "esferaId": "VARCHAR"},
           "unidadeOrgao": {"codigoUnidade": "VARCHAR", "nomeUnidade": "VARCHAR", "ufSigla": "VARCHAR", "ufNome": "VARCHAR", "municipioNome": "VARCHAR", "codigoIbge": "VARCHAR"},
           "orgaoSubRogado": {"cnpj": "VARCHAR", "razaoSocial": "VARCHAR", "poderId": "VARCHAR", "esferaId": "VARCHAR"},
           "unidadeSubRogada": {"codigoUnidade": "VARCHAR", "nomeUnidade": "VARCHAR", "ufSigla": "VARCHAR", "ufNome": "VARCHAR", "municipioNome": "VARCHAR", "codigoIbge": "VARCHAR"},
           "anoCompra": "VARCHAR", "sequencialCompra": "VARCHAR", "numeroCompra": "VARCHAR", "processo": "VARCHAR",
           "objetoCompra": "VARCHAR", "modalidadeId": "VARCHAR", "modalidadeNome": "VARCHAR",
           "modoDisputaId": "VARCHAR", "modoDisputaNome": "VARCHAR",
           "tipoInstrumentoConvocatorioCodigo": "VARCHAR", "tipoInstrumentoConvocatorioNome": "VARCHAR",
           "amparoLegal": {"codigo": "VARCHAR", "nome": "VARCHAR", "descricao": "VARCHAR"},
           "srp": "VARCHAR", "situacaoCompraId": "VARCHAR", "situacaoCompraNome": "VARCHAR",
           "dataInclusao": "VARCHAR", "dataPublicacaoPncp": "VARCHAR", "dataAtualizacao": "VARCHAR",
           "dataAtualizacaoGlobal": "VARCHAR", "dataAberturaProposta": "VARCHAR", "dataEncerramentoProposta": "VARCHAR",
           "valorTotalEstimado": "VARCHAR", "valorTotalHomologado": "VARCHAR",
           "informacaoComplementar": "VARCHAR", "linkSistemaOrigem": "VARCHAR", "justificativaPresencial": "VARCHAR",
           "linkProcessoEletronico": "VARCHAR", "fontesOrcamentarias": "JSON", "usuarioNome": "VARCHAR"
         }]}').data as dados
    from paginas pg)
),

-- Typed values. Timestamps have no zone in PNCP bodies: they are Brasilia local time and stay
-- TIMESTAMP (without zone). Empty strings mean "not informed" and become NULL.
tipados as (
  select
    request_id, endpoint, payload_sha256, collected_at, record_position, r,
    nullif(trim(r.numeroControlePNCP), '') as numero_controle_pncp,
    nullif(trim(r.orgaoEntidade.cnpj), '') as orgao_cnpj,
    nullif(trim(r.orgaoEntidade.razaoSocial), '') as orgao_razao_social,
    nullif(upper(trim(r.orgaoEntidade.poderId)), '') as orgao_poder_id,
    nullif(upper(trim(r.orgaoEntidade.esferaId)), '') as orgao_esfera_id,
    nullif(trim(r.unidadeOrgao.codigoUnidade), '') as unidade_codigo,
    nullif(trim(r.unidadeOrgao.nomeUnidade), '') as unidade_nome,
    nullif(upper(trim(r.unidadeOrgao.ufSigla)), '') as uf_sigla,
    nullif(trim(r.unidadeOrgao.ufNome), '') as uf_nome,
    nullif(trim(r.unidadeOrgao.municipioNome), '') as municipio_nome,
    nullif(trim(r.unidadeOrgao.codigoIbge), '') as codigo_ibge,
    nullif(trim(r.orgaoSubRogado.cnpj), '') as orgao_sub_rogado_cnpj,
    nullif(trim(r.orgaoSubRogado.razaoSocial), '') as orgao_sub_rogado_razao_social,
    nullif(upper(trim(r.orgaoSubRogado.poderId)), '') as orgao_sub_rogado_poder_id,
    nullif(upper(trim(r.orgaoSubRogado.esferaId)), '') as orgao_sub_rogado_esfera_id,
    nullif(trim(r.unidadeSubRogada.codigoUnidade), '') as unidade_sub_rogada_codigo,
    nullif(trim(r.unidadeSubRogada.nomeUnidade), '') as unidade_sub_rogada_nome,
    nullif(upper(trim(r.unidadeSubRogada.ufSigla)), '') as unidade_sub_rogada_uf_sigla,
    nullif(trim(r.unidadeSubRogada.ufNome), '') as unidade_sub_rogada_uf_nome,
    nullif(trim(r.unidadeSubRogada.municipioNome), '') as unidade_sub_rogada_municipio_nome,
    nullif(trim(r.unidadeSubRogada.codigoIbge), '') as unidade_sub_rogada_codigo_ibge,
    try_cast(r.anoCompra as integer) as ano_compra,
    try_cast(r.sequencialCompra as integer) as sequencial_compra,
    nullif(trim(r.numeroCompra), '') as numero_compra,
    nullif(trim(r.processo), '') as processo,
    nullif(trim(r.objetoCompra), '') as objeto_compra,
    try_cast(r.modalidadeId as integer) as modalidade_id,
    nullif(trim(r.modalidadeNome), '') as modalidade_nome,
    try_cast(r.modoDisputaId as integer) as modo_disputa_id,
    nullif(trim(r.modoDisputaNome), '') as modo_disputa_nome,
    try_cast(r.tipoInstrumentoConvocatorioCodigo as integer) as tipo_instrumento_convocatorio_codigo,
    nullif(trim(r.tipoInstrumentoConvocatorioNome), '') as tipo_instrumento_convocatorio_nome,
    try_cast(r.amparoLegal.codigo as integer) as amparo_legal_codigo,
    nullif(trim(r.amparoLegal.nome), '') as amparo_legal_nome,
    nullif(trim(r.amparoLegal.descricao), '') as amparo_legal_descricao,
    try_cast(r.srp as boolean) as srp,
    -- An integer in real bodies, a string enum ('1'..'4') in the spec: both cast the same.
    try_cast(trim(r.situacaoCompraId) as integer) as situacao_compra_id,
    nullif(trim(r.situacaoCompraNome), '') as situacao_compra_nome,
    try_cast(nullif(trim(r.dataInclusao), '') as timestamp) as data_inclusao,
    try_cast(nullif(trim(r.dataPublicacaoPncp), '') as timestamp) as data_publicacao_pncp,
    try_cast(nullif(trim(r.dataAtualizacao), '') as timestamp) as data_atualizacao,
    try_cast(nullif(trim(r.dataAtualizacaoGlobal), '') as timestamp) as data_atualizacao_global,
    try_cast(nullif(trim(r.dataAberturaProposta), '') as timestamp) as data_abertura_proposta,
    try_cast(nullif(trim(r.dataEncerramentoProposta), '') as timestamp) as data_encerramento_proposta,
    -- Money can carry 4 decimals: parsed from the JSON text, never through a double.
    try_cast(r.valorTotalEstimado as decimal(18, 4)) as valor_total_estimado,
    try_cast(r.valorTotalHomologado as decimal(18, 4)) as valor_total_homologado,
    nullif(trim(r.informacaoComplementar), '') as informacao_complementar,
    nullif(trim(r.linkSistemaOrigem), '') as link_sistema_origem,
    nullif(trim(r.justificativaPresencial), '') as justificativa_presencial,
    nullif(trim(r.linkProcessoEletronico), '') as link_processo_eletronico,
    coalesce(r.fontesOrcamentarias, '[]'::json) as fontes_orcamentarias,
    nullif(trim(r.usuarioNome), '') as usuario_nome
  from registros
),

-- Every failed check as {campo, valor, falha}; a record with none is valid.
verificados as (
  select t.*,
    list_filter([
      case when t.numero_controle_pncp is null
        then {'campo': 'numeroControlePNCP', 'valor': r.numeroControlePNCP, 'falha': 'missing_key'} end,
      case when t.modalidade_id is null
        then {'campo': 'modalidadeId', 'valor': r.modalidadeId, 'falha': 'invalid_code'} end,
      case when r.situacaoCompraId is not null and t.situacao_compra_id is null
        then {'campo': 'situacaoCompraId', 'valor': r.situacaoCompraId, 'falha': 'invalid_code'} end,
      {{ falha_data('data_inclusao', 'dataInclusao') }},
      {{ falha_data('data_publicacao_pncp', 'dataPublicacaoPncp', obrigatoria=true) }},
      {{ falha_data('data_atualizacao', 'dataAtualizacao') }},
      {{ falha_data('data_atualizacao_global', 'dataAtualizacaoGlobal', faixa=false) }},
      {{ falha_data('data_abertura_proposta', 'dataAberturaProposta', faixa=false) }},
      {{ falha_data('data_encerramento_proposta', 'dataEncerramentoProposta', faixa=false) }},
      case when t.valor_total_estimado < 0
        then {'campo': 'valorTotalEstimado', 'valor': r.valorTotalEstimado, 'falha': 'negative_value'} end,
      case when t.valor_total_homologado < 0
        then {'campo': 'valorTotalHomologado', 'valor': r.valorTotalHomologado, 'falha': 'negative_value'} end,
      case when t.valor_total_estimado is null and r.valorTotalEstimado is not null
             or t.valor_total_estimado > {{ var('valor_maximo') }}
        then {'campo': 'valorTotalEstimado', 'valor': r.valorTotalEstimado, 'falha': 'absurd_value'} end,
      case when t.valor_total_homologado is null and r.valorTotalHomologado is not null
             or t.valor_total_homologado > {{ var('valor_maximo') }}
        then {'campo': 'valorTotalHomologado', 'valor': r.valorTotalHomologado, 'falha': 'absurd_value'} end
    ] ||
      -- CNPJ check digits (mod 11, weights 5..2,9..2 and 6..2,9..2); the sub-rogated body
      -- is optional, the main one is not.
      {{ falhas_cnpj("[{'campo': 'orgaoEntidade.cnpj', 'valor': coalesce(t.orgao_cnpj, '')},
                   {'campo': 'orgaoSubRogado.cnpj', 'valor': t.orgao_sub_rogado_cnpj}]") }},
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
