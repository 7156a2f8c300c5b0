// Deterministic synthetic PNCP records, usable without a server. The HTTP simulator serves
// exactly these records, in this order, so tests can compare what an extractor stored with the
// ground truth. Dates are yyyyMMdd strings; endpoint paths are those of endpoints.h.
#pragma once

#include <cstdint>
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

// Validity of a CNPJ's two check digits (14 digits, not all equal).
bool cnpj_is_valid(const std::string& cnpj);

}  // namespace pncp_sim
