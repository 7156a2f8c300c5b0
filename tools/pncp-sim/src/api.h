// The PNCP consultation API without HTTP: a path below /api/consulta and its query parameters
// in, a status and body out. Paths that start with /pncp/ are the maintenance API's
// (/api/pncp: a purchase's items and their results, api_itens.cpp). Validation, the paging
// envelope, 204/404 empty answers and the error bodies follow the recorded responses
// (samples/error_and_empty_responses.json).
#pragma once

#include <map>
#include <string>

#include "record_store.h"

namespace pncp_sim::detail {

using QueryParams = std::multimap<std::string, std::string>;

struct ApiResponse {
  int status = 200;
  std::string body;  // empty for 204
};

class Api {
 public:
  explicit Api(const Options& options) : store_(options) {}

  // `extra` > 0 adds that many late records to the query's result (data-shift fault), < 0
  // removes that many. `past_end_400`: a page past the last answers 400 "Página N inexistente"
  // as the live API does (else 200 with an empty `data`).
  ApiResponse get(const std::string& path, const QueryParams& params, int extra = 0,
                  bool past_end_400 = false);

  RecordStore& store() { return store_; }

 private:
  ApiResponse get_compra(const std::string& path);
  // /pncp/v1/orgaos/{cnpj}/compras/{ano}/{sequencial}/itens[...] (api_itens.cpp).
  ApiResponse get_pncp(const std::string& path, const QueryParams& params);
  RecordStore store_;
};

// A stable key of a query without its paging parameters (pagina, tamanhoPagina).
std::string query_key(const std::string& path, const QueryParams& params);

}  // namespace pncp_sim::detail
