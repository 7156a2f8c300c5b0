#include "pncp_sim/endpoints.h"

#include <stdexcept>

namespace pncp_sim {

namespace {

ParamSpec req(const char* name, ParamType t) {
  return {name, t, true};
}
ParamSpec opt(const char* name, ParamType t) {
  return {name, t, false};
}

const ParamType D = ParamType::date;
const ParamType I = ParamType::integer;
const ParamType T = ParamType::text;

std::vector<ParamSpec> contratacoes_params(bool with_initial, bool modalidade_required) {
  std::vector<ParamSpec> p;
  if (with_initial) p.push_back(req("dataInicial", D));
  p.push_back(req("dataFinal", D));
  p.push_back({"codigoModalidadeContratacao", I, modalidade_required});
  if (with_initial) p.push_back(opt("codigoModoDisputa", I));
  for (const char* name : {"uf", "codigoMunicipioIbge", "cnpj", "codigoUnidadeAdministrativa"})
    p.push_back(opt(name, T));
  p.push_back(opt("idUsuario", I));
  p.push_back(req("pagina", I));
  p.push_back(opt("tamanhoPagina", I));
  return p;
}

std::vector<ParamSpec> contratos_params() {
  return {req("dataInicial", D),  req("dataFinal", D),
          opt("cnpjOrgao", T),    opt("codigoUnidadeAdministrativa", T),
          opt("usuarioId", I),    req("pagina", I),
          opt("tamanhoPagina", I)};
}

std::vector<ParamSpec> atas_params() {
  return {req("dataInicial", D),
          req("dataFinal", D),
          opt("idUsuario", I),
          opt("cnpj", T),
          opt("codigoUnidadeAdministrativa", T),
          req("pagina", I),
          opt("tamanhoPagina", I)};
}

}  // namespace

const std::vector<EndpointInfo>& endpoints() {
  static const std::vector<EndpointInfo> v = {
      {EndpointId::contratacoes_publicacao, "/v1/contratacoes/publicacao", 10, 50,
       contratacoes_params(true, true), true, true},
      {EndpointId::contratacoes_atualizacao, "/v1/contratacoes/atualizacao", 10, 50,
       contratacoes_params(true, true), true, true},
      {EndpointId::contratacoes_proposta, "/v1/contratacoes/proposta", 10, 50,
       contratacoes_params(false, false), false, false},
      {EndpointId::contratos, "/v1/contratos", 10, 500, contratos_params(), true, false},
      {EndpointId::contratos_atualizacao, "/v1/contratos/atualizacao", 10, 500, contratos_params(),
       true, false},
      {EndpointId::atas, "/v1/atas", 10, 500, atas_params(), true, false},
      {EndpointId::atas_atualizacao, "/v1/atas/atualizacao", 10, 500, atas_params(), true, false},
      {EndpointId::pca,
       "/v1/pca/",
       10,
       500,
       {req("anoPca", I), req("codigoClassificacaoSuperior", T), req("pagina", I),
        opt("tamanhoPagina", I)},
       false,
       false},
      {EndpointId::pca_usuario,
       "/v1/pca/usuario",
       10,
       500,
       {req("anoPca", I), req("idUsuario", I), opt("codigoClassificacaoSuperior", T),
        opt("cnpj", T), req("pagina", I), opt("tamanhoPagina", I)},
       false,
       false},
      {EndpointId::pca_atualizacao,
       "/v1/pca/atualizacao",
       10,
       500,
       {req("dataInicio", D), req("dataFim", D), opt("cnpj", T), opt("codigoUnidade", T),
        req("pagina", I), opt("tamanhoPagina", I)},
       true,
       false},
      {EndpointId::instrumentos_inclusao,
       "/v1/instrumentoscobranca/inclusao",
       10,
       100,
       {req("dataInicial", D), req("dataFinal", D), opt("tipoInstrumentoCobranca", I),
        opt("cnpjOrgao", T), req("pagina", I), opt("tamanhoPagina", I)},
       true,
       false},
      {EndpointId::orgao_compra,
       "/v1/orgaos/{cnpj}/compras/{ano}/{sequencial}",
       0,
       0,
       {},
       false,
       false},
  };
  return v;
}

const EndpointInfo* find_endpoint(std::string_view path) {
  if (path == "/v1/pca") path = "/v1/pca/";
  for (const EndpointInfo& e : endpoints())
    if (e.path == path) return &e;
  if (path.rfind("/v1/orgaos/", 0) == 0) return &endpoint_info(EndpointId::orgao_compra);
  return nullptr;
}

const EndpointInfo& endpoint_info(EndpointId id) {
  for (const EndpointInfo& e : endpoints())
    if (e.id == id) return e;
  throw std::logic_error("unknown endpoint id");
}

}  // namespace pncp_sim
