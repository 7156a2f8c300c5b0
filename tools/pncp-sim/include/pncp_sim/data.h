// Deterministic synthetic PNCP records, usable without a server. The HTTP simulator serves
// exactly these records, in this order, so tests can compare what an extractor stored with the
// ground truth. Dates are yyyyMMdd strings; endpoint paths are those of endpoints.h.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pncp_sim/options.h"

namespace pncp_sim {

// The records that GET <endpoint_path>?dataInicial=day&dataFinal=day (and
// codigoModalidadeContratacao=modalidade for contratacoes) returns, in API order, over all
// pages. For /v1/contratacoes/proposta `day` is dataFinal (records whose proposal deadline is
// between today and day). Throws std::invalid_argument for an unknown endpoint or a bad date,
// or when a contratacoes endpoint gets no modalidade.
std::vector<nlohmann::json> records_for(const Options& options, const std::string& endpoint_path,
                                        const std::string& yyyymmdd, std::optional<int> modalidade);

// Same for a date range [from, to]; equals GET with dataInicial=from&dataFinal=to.
std::vector<nlohmann::json> records_between(const Options& options,
                                            const std::string& endpoint_path,
                                            const std::string& from_yyyymmdd,
                                            const std::string& to_yyyymmdd,
                                            std::optional<int> modalidade);

// Record counts per day-based endpoint and day in [from, to]:
// {"seed":42,"today":"...","from":"...","to":"...",
//  "endpoints":{"/v1/contratos":{"20240101":97,...},
//               "/v1/contratacoes/publicacao":{"20240101":{"6":25,"8":31,...},...}, ...},
//  "totals":{"/v1/contratos":2900,...}}
// /v1/contratacoes/proposta (depends on today) and the yearly /v1/pca/ endpoints are left out.
nlohmann::json ground_truth(const Options& options, const std::string& from_yyyymmdd,
                            const std::string& to_yyyymmdd);

// One purchase (contratação) of the universe and what the maintenance API serves for it: its
// items (every page of /api/pncp/v1/orgaos/{cnpj}/compras/{ano}/{sequencial}/itens, in
// numeroItem order) and each item's results (.../itens/{n}/resultados), by numeroItem.
struct CompraTruth {
  std::string numero_controle_pncp;
  std::string cnpj;  // as the records show it (a bad check digit included)
  int ano = 0;
  int sequencial = 0;
  std::string publicacao;  // yyyyMMdd
  bool removed = false;    // Options::revision removed it: in no listing, 404 for its items
  int revised = 0;         // the revision that last changed it (0: never)
  // Its record carries a deliberately bad value (a CNPJ check digit, a negative amount or an
  // impossible date: QualityConfig) that a validating pipeline quarantines.
  bool bad_data = false;
  std::vector<nlohmann::json> itens;
  std::map<int, std::vector<nlohmann::json>> resultados;  // only items that have results
};

// Every purchase published in [from, to] (removed ones included, with no items), in day and
// index order. With items = false the items and results are left empty (cheaper).
std::vector<CompraTruth> compras_between(const Options& options, const std::string& from_yyyymmdd,
                                         const std::string& to_yyyymmdd, bool items = true);

// What fetching the items and results of the purchases published in [from, to] costs, one
// request per items page and per item with results:
// {"compras": N, "compras_sem_itens": N, "compras_removidas": N, "itens": N,
//  "itens_com_resultado": N, "resultados": N, "max_itens": N, "page_size": P,
//  "requests_itens": N, "requests_quantidade": N, "requests_resultados": N}
// requests_itens counts one request per page of P items (a purchase without items: one 204);
// requests_quantidade one count (.../itens/quantidade) per purchase with items.
nlohmann::json itens_summary(const Options& options, const std::string& from_yyyymmdd,
                             const std::string& to_yyyymmdd, int page_size);

// Validity of a CNPJ's two check digits (14 digits, not all equal).
bool cnpj_is_valid(const std::string& cnpj);

}  // namespace pncp_sim
