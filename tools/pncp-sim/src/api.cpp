#include "api.h"

#include <charconv>

#include "calendar.h"
#include "record_builder.h"

namespace pncp_sim::detail {

using nlohmann::json;

namespace {

// Error bodies as the live API sends them (RespostaErroValidacaoDTO with string status).
ApiResponse error(int status, const std::string& path, const std::string& message) {
  json body = {{"message", message},
               {"path", "/pncp-consulta" + path},
               {"timestamp", now_brasilia_iso()},
               {"status", std::to_string(status)},
               {"error", status == 422 ? "422 UNPROCESSABLE_ENTITY" : "Bad Request"}};
  return {status, body.dump()};
}

ApiResponse not_found(const std::string& path, const std::string& message) {
  json body = {{"timestamp", now_brasilia_iso("+00:00")},
               {"status", 404},
               {"error", "Not Found"},
               {"message", message},
               {"path", "/pncp-consulta" + path}};
  return {404, body.dump()};
}

std::optional<long long> to_integer(const std::string& text) {
  long long v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

const char* label_of(const std::string& param) {
  if (param == "dataInicial") return "Data Inicial";
  if (param == "dataFinal") return "Data Final";
  if (param == "dataInicio") return "Data Início";
  return "Data Fim";
}

// The parsed, validated request.
struct Parsed {
  std::map<std::string, std::string> text;
  std::map<std::string, long long> integer;
  std::map<std::string, int> date;
  int pagina = 1;
  int tamanho = 0;
};

// Checks parameters in the spec's order and returns the first error, like the live API.
std::optional<ApiResponse> validate(const EndpointInfo& e, const std::string& path,
                                    const QueryParams& params, int today, Parsed& out) {
  for (const ParamSpec& p : e.params) {
    auto it = params.find(p.name);
    bool blank = it == params.end() || (p.type == ParamType::integer && it->second.empty());
    if (blank) {
      if (p.required)
        return error(400, path, "Required parameter '" + p.name + "' is not present.");
      continue;
    }
    const std::string& v = it->second;
    if (p.type == ParamType::integer) {
      auto n = to_integer(v);
      if (!n)
        return error(400, path,
                     "Failed to convert value of type 'java.lang.String' to required type "
                     "'java.lang.Long'; nested exception is java.lang.NumberFormatException: "
                     "For input string: \"" +
                         v + "\"");
      out.integer[p.name] = *n;
    } else {
      out.text[p.name] = v;
    }
  }
  out.pagina = static_cast<int>(out.integer.count("pagina") ? out.integer["pagina"] : 1);
  if (out.pagina < 1) return error(400, path, "Número de página inválido");
  long long size =
      out.integer.count("tamanhoPagina") ? out.integer["tamanhoPagina"] : e.max_page_size;
  if (size < e.min_page_size || size > e.max_page_size)
    return error(400, path, "Tamanho de página inválido");
  out.tamanho = static_cast<int>(size);
  for (const ParamSpec& p : e.params) {
    if (p.type != ParamType::date || !out.text.count(p.name)) continue;
    auto day = parse_yyyymmdd(out.text[p.name]);
    if (!day)
      return error(422, path,
                   std::string(label_of(p.name)) + " inválida. Informe no formato yyyyMMdd.");
    out.date[p.name] = *day;
  }
  for (auto [a, b] : {std::pair{"dataInicial", "dataFinal"}, std::pair{"dataInicio", "dataFim"}})
    if (out.date.count(a) && out.date.count(b) && out.date[b] < out.date[a])
      return error(422, path,
                   std::string(label_of(b)) + " deve ser maior ou igual a " + label_of(a) + ".");
  if (out.integer.count("codigoModalidadeContratacao")) {
    long long m = out.integer["codigoModalidadeContratacao"];
    if (m < 1 || m > 14) return error(422, path, "Código da modalidade de contratação inválido.");
  }
  if (e.id == EndpointId::contratacoes_proposta && out.date["dataFinal"] < today)
    return error(422, path, "Data Final inválida. Data Final deve ser maior ou igual a data atual");
  return std::nullopt;
}

ViewQuery to_view(const EndpointInfo& e, Parsed& p) {
  ViewQuery q;
  q.endpoint = e.id;
  auto date = [&](const char* a, const char* b) { return p.date.count(a) ? p.date[a] : p.date[b]; };
  q.from = date("dataInicial", "dataInicio");
  q.to = date("dataFinal", "dataFim");
  auto integer = [&](const char* name) -> std::optional<long long> {
    if (!p.integer.count(name)) return std::nullopt;
    return p.integer[name];
  };
  if (auto m = integer("codigoModalidadeContratacao")) q.modalidade = static_cast<int>(*m);
  if (auto m = integer("codigoModoDisputa")) q.modo_disputa = static_cast<int>(*m);
  if (auto t = integer("tipoInstrumentoCobranca")) q.tipo_instrumento = static_cast<int>(*t);
  if (auto a = integer("anoPca")) q.ano_pca = static_cast<int>(*a);
  if (auto u = integer("idUsuario")) q.usuario = *u;
  if (auto u = integer("usuarioId")) q.usuario = *u;
  q.cnpj = p.text.count("cnpj") ? p.text["cnpj"] : p.text["cnpjOrgao"];
  q.uf = p.text["uf"];
  q.ibge = p.text["codigoMunicipioIbge"];
  q.unidade = p.text.count("codigoUnidadeAdministrativa") ? p.text["codigoUnidadeAdministrativa"]
                                                          : p.text["codigoUnidade"];
  return q;
}

// /v1/pca/ and /v1/pca/usuario return each plan with only the items of the requested class.
RecordStore::PostFilter pca_item_filter(const std::string& classe) {
  return [classe](RecordStore& store, Selection& sel) {
    std::vector<Ref> kept;
    for (const Ref& r : sel.refs) {
      json plan = json::parse(store.text(r));
      json items = json::array();
      for (const json& item : plan["itens"])
        if (item.value("classificacaoSuperiorCodigo", "") == classe) items.push_back(item);
      if (items.empty()) continue;
      plan["itens"] = items;
      kept.push_back(r);
      sel.texts.push_back(plan.dump());
    }
    sel.refs = kept;
    sel.rewritten = true;
  };
}

std::string envelope(RecordStore& store, const Selection& sel, int pagina, int tamanho) {
  const long long total = static_cast<long long>(sel.refs.size());
  const long long pages = (total + tamanho - 1) / tamanho;
  const long long first = static_cast<long long>(pagina - 1) * tamanho;
  const long long last = std::min(total, first + tamanho);
  std::string body = "{\"data\":[";
  if (first < last) store.append_texts(sel, first, last, body);
  body += "],\"totalRegistros\":" + std::to_string(total) +
          ",\"totalPaginas\":" + std::to_string(pages) +
          ",\"numeroPagina\":" + std::to_string(pagina) +
          ",\"paginasRestantes\":" + std::to_string(std::max(0LL, pages - pagina)) +
          ",\"empty\":" + (first >= last ? "true" : "false") + "}";
  return body;
}

}  // namespace

ApiResponse Api::get(const std::string& path, const QueryParams& params, int extra,
                     bool past_end_400) {
  if (path.rfind("/pncp/", 0) == 0) return get_pncp(path, params);
  const EndpointInfo* e = find_endpoint(path);
  if (!e) return not_found(path, "No message available");
  if (e->id == EndpointId::orgao_compra) return get_compra(path);
  Parsed parsed;
  if (auto err = validate(*e, path, params, store_.universe().today(), parsed)) return *err;
  ViewQuery q = to_view(*e, parsed);
  q.extra = extra;
  std::string classe = parsed.text["codigoClassificacaoSuperior"];
  bool filter_items =
      (e->id == EndpointId::pca || e->id == EndpointId::pca_usuario) && !classe.empty();
  auto sel = store_.select(q, filter_items ? "classe=" + classe : "",
                           filter_items ? pca_item_filter(classe) : nullptr);
  if (sel->refs.empty()) {
    if (e->id == EndpointId::instrumentos_inclusao)
      return not_found(path, "Nenhum instrumento de Cobrança encontrado.");
    return {204, ""};
  }
  const long long pages =
      (static_cast<long long>(sel->refs.size()) + parsed.tamanho - 1) / parsed.tamanho;
  if (past_end_400 && parsed.pagina > pages)
    return error(400, path, "Página " + std::to_string(parsed.pagina) + " inexistente");
  return {200, envelope(store_, *sel, parsed.pagina, parsed.tamanho)};
}

// /v1/orgaos/{cnpj}/compras/{ano}/{sequencial}
ApiResponse Api::get_compra(const std::string& path) {
  std::vector<std::string> parts;
  for (size_t start = 1, slash; start <= path.size(); start = slash + 1) {
    slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    parts.push_back(path.substr(start, slash - start));
  }
  if (parts.size() != 6 || parts[3] != "compras") return not_found(path, "No message available");
  auto ano = to_integer(parts[4]);
  auto seq = to_integer(parts[5]);
  if (!ano || !seq)
    return error(400, path,
                 "Failed to convert value of type 'java.lang.String' to required type "
                 "'java.lang.Integer'; For input string: \"" +
                     (!ano ? parts[4] : parts[5]) + "\"");
  const Universe& u = store_.universe();
  int day = 0, index = 0;
  if (*ano < 1900 || *ano > 2999 ||
      !u.locate_compra(static_cast<int>(*ano), static_cast<int>(*seq), &day, &index))
    return {204, ""};
  Skeleton s = u.skeleton(Family::contratacao, day, index);
  if (u.cnpj_of(s) != parts[2]) return {204, ""};
  if (s.removed) return not_found(path, "Compra não encontrada");
  return {200, build_compra_detail(u, s).dump()};
}

std::string query_key(const std::string& path, const QueryParams& params) {
  std::string key = path + "?";
  for (const auto& [name, value] : params)
    if (name != "pagina" && name != "tamanhoPagina") key += name + "=" + value + "&";
  return key;
}

}  // namespace pncp_sim::detail
