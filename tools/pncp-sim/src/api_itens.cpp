// The maintenance API's purchase items and results (api-pncp-manutencao.json), served by the
// simulator below /api/pncp:
//   /v1/orgaos/{cnpj}/compras/{ano}/{sequencial}/itens?pagina=&tamanhoPagina=   a JSON array
//   /v1/orgaos/{cnpj}/compras/{ano}/{sequencial}/itens/quantidade               an integer
//   /v1/orgaos/{cnpj}/compras/{ano}/{sequencial}/itens/{numeroItem}             one item
//   /v1/orgaos/{cnpj}/compras/{ano}/{sequencial}/itens/{numeroItem}/resultados  a JSON array
//   .../resultados/{sequencialResultado}                                        one result
// The contract has no paging envelope: a page is a bare array. Assumptions where the contract
// is silent (written down here and in README.md "Items and results"): tamanhoPagina 1..500 (400
// "Tamanho de página inválido" outside), 10 when absent, pagina from 1; a purchase without
// items, a page past the last and an item without results answer 204 with an empty body; an
// unknown or removed purchase answers 404 "Compra não encontrada", an unknown item 404
// "Item não encontrado".
#include <charconv>

#include "api.h"
#include "calendar.h"
#include "itens.h"

namespace pncp_sim::detail {

using nlohmann::json;

namespace {

const int kMaxItemPage = 500;
const int kDefaultItemPage = 10;

ApiResponse pncp_error(int status, const std::string& path, const std::string& message) {
  json body = {{"timestamp", now_brasilia_iso()},
               {"status", status},
               {"error", status == 404 ? "Not Found" : "Bad Request"},
               {"message", message},
               {"path", "/pncp-api" + path.substr(5)}};
  return {status, body.dump()};
}

std::optional<long long> integer(const std::string& text) {
  long long v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  for (size_t start = 1, slash; start <= path.size(); start = slash + 1) {
    slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    parts.push_back(path.substr(start, slash - start));
  }
  return parts;
}

std::string join(const std::vector<json>& records, size_t first, size_t last) {
  std::string body = "[";
  for (size_t i = first; i < last; ++i) {
    if (i > first) body += ',';
    body += records[i].dump();
  }
  return body + "]";
}

}  // namespace

ApiResponse Api::get_pncp(const std::string& path, const QueryParams& params) {
  // pncp v1 orgaos {cnpj} compras {ano} {sequencial} itens [...]
  const std::vector<std::string> p = split_path(path);
  if (p.size() < 8 || p[1] != "v1" || p[2] != "orgaos" || p[4] != "compras" || p[7] != "itens")
    return pncp_error(404, path, "No message available");
  const auto ano = integer(p[5]);
  const auto seq = integer(p[6]);
  if (!ano || !seq)
    return pncp_error(400, path,
                      "Failed to convert value of type 'java.lang.String' to required type "
                      "'java.lang.Integer'; For input string: \"" +
                          (!ano ? p[5] : p[6]) + "\"");
  const Universe& u = store_.universe();
  int day = 0, index = 0;
  if (*ano < 1900 || *ano > 2999 ||
      !u.locate_compra(static_cast<int>(*ano), static_cast<int>(*seq), &day, &index))
    return pncp_error(404, path, "Compra não encontrada");
  const Skeleton s = u.skeleton(Family::contratacao, day, index);
  if (u.cnpj_of(s) != p[3] || s.removed) return pncp_error(404, path, "Compra não encontrada");
  const int count = item_count(u, s);

  if (p.size() == 8) {  // the items, a page at a time
    long long pagina = 1, tamanho = kDefaultItemPage;
    if (auto it = params.find("pagina"); it != params.end()) {
      auto v = integer(it->second);
      if (!v || *v < 1) return pncp_error(400, path, "Número de página inválido");
      pagina = *v;
    }
    if (auto it = params.find("tamanhoPagina"); it != params.end()) {
      auto v = integer(it->second);
      if (!v || *v < 1 || *v > kMaxItemPage)
        return pncp_error(400, path, "Tamanho de página inválido");
      tamanho = *v;
    }
    const long long first = (pagina - 1) * tamanho;
    if (first >= count) return {204, ""};
    const long long last = std::min<long long>(count, first + tamanho);
    std::vector<json> items;
    for (long long n = first + 1; n <= last; ++n)
      items.push_back(build_item(u, s, static_cast<int>(n)));
    return {200, join(items, 0, items.size())};
  }
  if (p.size() == 9 && p[8] == "quantidade") return {200, std::to_string(count)};
  const auto numero = integer(p[8]);
  if (!numero)
    return pncp_error(400, path,
                      "Failed to convert value of type 'java.lang.String' to required type "
                      "'java.lang.Integer'; For input string: \"" +
                          p[8] + "\"");
  if (*numero < 1 || *numero > count) return pncp_error(404, path, "Item não encontrado");
  const int item = static_cast<int>(*numero);
  if (p.size() == 9) return {200, build_item(u, s, item).dump()};
  if (p[9] != "resultados" || p.size() > 11) return pncp_error(404, path, "No message available");
  const std::vector<json> results = build_resultados(u, s, item);
  if (p.size() == 10) {
    if (results.empty()) return {204, ""};
    return {200, join(results, 0, results.size())};
  }
  const auto sr = integer(p[10]);
  if (!sr || *sr < 1 || *sr > static_cast<long long>(results.size()))
    return pncp_error(404, path, "Resultado não encontrado");
  return {200, results[static_cast<size_t>(*sr - 1)].dump()};
}

}  // namespace pncp_sim::detail
