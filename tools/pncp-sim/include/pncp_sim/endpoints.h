// The 12 GET endpoints of the PNCP consultation API (api-pncp-consulta.json), with the limits
// the live API enforces (README "Facts"): page sizes, required parameters, date filters.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pncp_sim {

enum class EndpointId {
  contratacoes_publicacao,
  contratacoes_atualizacao,
  contratacoes_proposta,
  contratos,
  contratos_atualizacao,
  atas,
  atas_atualizacao,
  pca,
  pca_usuario,
  pca_atualizacao,
  instrumentos_inclusao,
  orgao_compra,
};

enum class ParamType { date, integer, text };

struct ParamSpec {
  std::string name;
  ParamType type;
  bool required;
};

struct EndpointInfo {
  EndpointId id;
  std::string path;  // as in the spec, e.g. "/v1/pca/" (with its trailing slash)
  int min_page_size;
  int max_page_size;              // also the default page size
  std::vector<ParamSpec> params;  // in the spec's order (validation reports the first problem)
  bool day_based;                 // has a per-day ground truth (see data.h)
  bool by_modalidade;             // the day's records are split by codigoModalidadeContratacao
};

const std::vector<EndpointInfo>& endpoints();

// The endpoint for a path below /api/consulta ("/v1/pca" and "/v1/pca/" both match), or
// nullptr. The orgao_compra endpoint is matched by its template "/v1/orgaos/{cnpj}/...".
const EndpointInfo* find_endpoint(std::string_view path);

const EndpointInfo& endpoint_info(EndpointId id);

}  // namespace pncp_sim
