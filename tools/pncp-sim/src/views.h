// Which records an endpoint query returns, and in which order: the API's view of the universe.
// Each endpoint filters by its own date (publication, update, proposal deadline, validity
// overlap for atas, plan year for PCA), then by the optional filters of the request.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pncp_sim/endpoints.h"
#include "universe.h"

namespace pncp_sim::detail {

struct Ref {
  Family family;
  int day;
  int index;
  bool operator==(const Ref&) const = default;
};

struct ViewQuery {
  EndpointId endpoint = EndpointId::contratos;
  int from = 0, to = 0;  // days; for proposta `to` is dataFinal and `from` is ignored
  std::optional<int> modalidade;
  std::optional<int> modo_disputa;
  std::optional<int> tipo_instrumento;
  std::optional<int> ano_pca;
  std::optional<long long> usuario;
  std::string cnpj, uf, ibge, unidade;  // "" = no filter
  // Data-shift fault: this many records that were not there before join the result.
  int extra = 0;
};

std::vector<Ref> select_refs(const Universe& universe, const ViewQuery& query);

// A stable text key of the query (without the extra count), for caches.
std::string view_key(const ViewQuery& query);

}  // namespace pncp_sim::detail
