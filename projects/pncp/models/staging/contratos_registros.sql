-- One row per contrato/empenho record found in a stored raw page of contratos or
-- contratos_atualizacao (every version, valid or not): typed columns, lineage
-- (payload_sha256, request_id, record_position) and the validation verdict (falhas).
-- Contratos name the purchase numeroControlePncpCompra (contratacoes say numeroControlePNCP).
-- Pages are parsed a batch at a time (var staging_lote_bytes of JSON per batch): memory is
-- bounded by a batch, not by the month (see Batched builds in CONTRIBUTING.md).
{{ config(materialized='incremental', unique_key='request_id', batch_input='paginas_brutas',
          batch_key='request_id', batch_weight='raw_size', batch_size=var('staging_lote_bytes'),
          batch_where="{{ paginas_pendentes(\"'contratos', 'contratos_atualizacao'\") }}") }}
with paginas as (
  {{ paginas_a_staging("'contratos', 'contratos_atualizacao'") }}
),

-- One JSON parse per page; every leaf as text so that no type quirk fails the parse.
registros as (
  -- Parallel unnests in one select list: a lateral join here would copy each page body once
  -- per record (minutes and gigabytes at a month's volume).
  select request_id, endpoint, payload_sha256, collected_at,
         unnest(range(len(dados)))::integer as record_position, unnest(dados) as r
  from (
    select pg.request_id, pg.endpoint, pg.payload_sha256, pg.collected_at,
           from_json(pg.body, '{"data": [{
           "numeroControlePNCP": "VARCHAR", "numeroControlePncpCompra": "VARCHAR",
           "orgaoEntidade": {"cnpj": "VARCHAR", "razaoSocial": "VARCHAR", "poderId": "VARCHAR", "esferaId": "VARCHAR"},
           "unidadeOrgao": {"codigoUnidade": "VARCHAR", "nomeUnidade": "VARCHAR", "ufSigla": "VARCHAR", "ufNome": "VARCHAR", "municipioNome": "VARCHAR", "codigoIbge": "VARCHAR"},
           "orgaoSubRogado": {"cnpj": "VARCHAR", "razaoSocial": "VARCHAR", "poderId": "VARCHAR", "esferaId": "VARCHAR"},
           "unidadeSubRogada": {"codigoUnidade": "VARCHAR", "nomeUnidade": "VARCHAR", "ufSigla": "VARCHAR", "ufNome": "VARCHAR", "municipioNome": "VARCHAR", "codigoIbge": "VARCHAR"},
           "anoContrato": "VARCHAR", "sequencialContrato": "VARCHAR", "numeroContratoEmpenho": "VARCHAR",
           "tipoContrato": {"id": "VARCHAR", "nome": "VARCHAR"},
           "categoriaProcesso": {"id": "VARCHAR", "nome": "VARCHAR"},
           "processo": "VARCHAR", "objetoContrato": "VARCHAR",
           "dataAssinatura": "VARCHAR", "dataVigenciaInicio": "VARCHAR", "dataVigenciaFim": "VARCHAR",
           "niFornecedor": "VARCHAR", "tipoPessoa": "VARCHAR", "nomeRazaoSocialFornecedor": "VARCHAR",
           "codigoPaisFornecedor": "VARCHAR",
           "niFornecedorSubContratado": "VARCHAR", "nomeFornecedorSubContratado": "VARCHAR",
           "tipoPessoaSubContratada": "VARCHAR",
           "receita": "VARCHAR", "numeroParcelas": "VARCHAR", "numeroRetificacao": "VARCHAR",
           "valorInicial": "VARCHAR", "valorParcela": "VARCHAR", "valorGlobal": "VARCHAR", "valorAcumulado": "VARCHAR",
           "informacaoComplementar": "VARCHAR",
           "dataPublicacaoPncp": "VARCHAR", "dataAtualizacao": "VARCHAR", "dataAtualizacaoGlobal": "VARCHAR",
           "identificadorCipi": "VARCHAR", "urlCipi": "VARCHAR", "usuarioNome": "VARCHAR"
         }]}').data as dados
    from paginas pg)
),

-- Typed values: dates are DATE, timestamps Brasilia local time (TIMESTAMP without zone), money
-- DECIMAL(18,4) parsed from the JSON text; empty strings become NULL.
tipados as (
  select
    request_id, endpoint, payload_sha256, collected_at, record_position, r,
    nullif(trim(r.numeroControlePNCP), '') as numero_controle_pncp,
    nullif(trim(r.numeroControlePncpCompra), '') as numero_controle_pncp_compra,
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
    try_cast(r.anoContrato as integer) as ano_contrato,
    try_cast(r.sequencialContrato as integer) as sequencial_contrato,
    nullif(trim(r.numeroContratoEmpenho), '') as numero_contrato_empenho,
    try_cast(r.tipoContrato.id as integer) as tipo_contrato_id,
    nullif(trim(r.tipoContrato.nome), '') as tipo_contrato_nome,
    try_cast(r.categoriaProcesso.id as integer) as categoria_processo_id,
    nullif(trim(r.categoriaProcesso.nome), '') as categoria_processo_nome,
    nullif(trim(r.processo), '') as processo,
    nullif(trim(r.objetoContrato), '') as objeto_contrato,
    -- date in the spec; take the day part should a timestamp come instead
    try_cast(try_cast(nullif(trim(r.dataAssinatura), '') as timestamp) as date) as data_assinatura,
    try_cast(try_cast(nullif(trim(r.dataVigenciaInicio), '') as timestamp) as date) as data_vigencia_inicio,
    try_cast(try_cast(nullif(trim(r.dataVigenciaFim), '') as timestamp) as date) as data_vigencia_fim,
    nullif(trim(r.niFornecedor), '') as ni_fornecedor,
    nullif(upper(trim(r.tipoPessoa)), '') as tipo_pessoa,
    nullif(trim(r.nomeRazaoSocialFornecedor), '') as nome_razao_social_fornecedor,
    nullif(upper(trim(r.codigoPaisFornecedor)), '') as codigo_pais_fornecedor,
    nullif(trim(r.niFornecedorSubContratado), '') as ni_fornecedor_sub_contratado,
    nullif(trim(r.nomeFornecedorSubContratado), '') as nome_fornecedor_sub_contratado,
    nullif(upper(trim(r.tipoPessoaSubContratada)), '') as tipo_pessoa_sub_contratada,
    try_cast(r.receita as boolean) as receita,
    try_cast(r.numeroParcelas as integer) as numero_parcelas,
    try_cast(r.numeroRetificacao as integer) as numero_retificacao,
    try_cast(r.valorInicial as decimal(18, 4)) as valor_inicial,
    try_cast(r.valorParcela as decimal(18, 4)) as valor_parcela,
    try_cast(r.valorGlobal as decimal(18, 4)) as valor_global,
    try_cast(r.valorAcumulado as decimal(18, 4)) as valor_acumulado,
    nullif(trim(r.informacaoComplementar), '') as informacao_complementar,
    try_cast(nullif(trim(r.dataPublicacaoPncp), '') as timestamp) as data_publicacao_pncp,
    try_cast(nullif(trim(r.dataAtualizacao), '') as timestamp) as data_atualizacao,
    try_cast(nullif(trim(r.dataAtualizacaoGlobal), '') as timestamp) as data_atualizacao_global,
    nullif(trim(r.identificadorCipi), '') as identificador_cipi,
    nullif(trim(r.urlCipi), '') as url_cipi,
    nullif(trim(r.usuarioNome), '') as usuario_nome
  from registros
),

-- Every failed check as {campo, valor, falha}; a record with none is valid.
verificados as (
  select t.*,
    list_filter([
      case when t.numero_controle_pncp is null
        then {'campo': 'numeroControlePNCP', 'valor': r.numeroControlePNCP, 'falha': 'missing_key'} end,
      {{ falha_data('data_assinatura', 'dataAssinatura') }},
      {{ falha_data('data_vigencia_inicio', 'dataVigenciaInicio') }},
      {{ falha_data('data_vigencia_fim', 'dataVigenciaFim') }},
      {{ falha_data('data_publicacao_pncp', 'dataPublicacaoPncp', obrigatoria=true) }},
      {{ falha_data('data_atualizacao', 'dataAtualizacao', faixa=false) }},
      {{ falha_data('data_atualizacao_global', 'dataAtualizacaoGlobal', faixa=false) }},
      case when t.valor_inicial < 0 then {'campo': 'valorInicial', 'valor': r.valorInicial, 'falha': 'negative_value'} end,
      case when t.valor_parcela < 0 then {'campo': 'valorParcela', 'valor': r.valorParcela, 'falha': 'negative_value'} end,
      case when t.valor_global < 0 then {'campo': 'valorGlobal', 'valor': r.valorGlobal, 'falha': 'negative_value'} end,
      case when t.valor_acumulado < 0 then {'campo': 'valorAcumulado', 'valor': r.valorAcumulado, 'falha': 'negative_value'} end,
      case when t.valor_inicial is null and r.valorInicial is not null or t.valor_inicial > {{ var('valor_maximo') }}
        then {'campo': 'valorInicial', 'valor': r.valorInicial, 'falha': 'absurd_value'} end,
      case when t.valor_parcela is null and r.valorParcela is not null or t.valor_parcela > {{ var('valor_maximo') }}
        then {'campo': 'valorParcela', 'valor': r.valorParcela, 'falha': 'absurd_value'} end,
      case when t.valor_global is null and r.valorGlobal is not null or t.valor_global > {{ var('valor_maximo') }}
        then {'campo': 'valorGlobal', 'valor': r.valorGlobal, 'falha': 'absurd_value'} end,
      case when t.valor_acumulado is null and r.valorAcumulado is not null or t.valor_acumulado > {{ var('valor_maximo') }}
        then {'campo': 'valorAcumulado', 'valor': r.valorAcumulado, 'falha': 'absurd_value'} end
    ] ||
      -- CNPJ check digits (mod 11); a supplier is a CNPJ only when tipoPessoa is PJ (PF is a
      -- CPF, PE a foreign id). The sub-rogated body and the subcontractor are optional.
      {{ falhas_cnpj("[{'campo': 'orgaoEntidade.cnpj', 'valor': coalesce(t.orgao_cnpj, '')},
                   {'campo': 'orgaoSubRogado.cnpj', 'valor': t.orgao_sub_rogado_cnpj},
                   {'campo': 'niFornecedor', 'valor': case when t.tipo_pessoa = 'PJ' then coalesce(t.ni_fornecedor, '') end},
                   {'campo': 'niFornecedorSubContratado', 'valor': case when t.tipo_pessoa_sub_contratada = 'PJ' then t.ni_fornecedor_sub_contratado end}]") }},
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
