#include "schema_change.h"

#include "calendar.h"
#include "pncp_sim/endpoints.h"

namespace pncp_sim::detail {

using nlohmann::json;

std::optional<Family> family_of_path(std::string_view path) {
  const EndpointInfo* e = find_endpoint(path);
  if (!e) return std::nullopt;
  switch (e->id) {
    case EndpointId::contratacoes_publicacao:
    case EndpointId::contratacoes_atualizacao:
    case EndpointId::contratacoes_proposta:
    case EndpointId::orgao_compra:
      return Family::contratacao;
    case EndpointId::contratos:
    case EndpointId::contratos_atualizacao:
      return Family::contrato;
    case EndpointId::atas:
    case EndpointId::atas_atualizacao:
      return Family::ata;
    case EndpointId::pca:
    case EndpointId::pca_usuario:
    case EndpointId::pca_atualizacao:
      return Family::pca;
    case EndpointId::instrumentos_inclusao:
      return Family::instrumento;
  }
  return std::nullopt;
}

// The object holding the last segment of a dotted path, or nullptr.
static json* parent_of(json& record, const std::string& path, std::string* leaf) {
  json* node = &record;
  size_t start = 0;
  for (size_t dot; (dot = path.find('.', start)) != std::string::npos; start = dot + 1) {
    std::string key = path.substr(start, dot - start);
    if (!node->is_object() || !node->contains(key)) return nullptr;
    node = &(*node)[key];
  }
  *leaf = path.substr(start);
  return node->is_object() ? node : nullptr;
}

static void apply(const SchemaChange& change, json& record) {
  std::string leaf;
  json* parent = parent_of(record, change.field, &leaf);
  if (!parent) return;
  switch (change.kind) {
    case SchemaChangeKind::rename:
      if (parent->contains(leaf)) {
        (*parent)[change.new_name] = (*parent)[leaf];
        parent->erase(leaf);
      }
      break;
    case SchemaChangeKind::add:
      (*parent)[leaf] = "novo";
      break;
    case SchemaChangeKind::retype:
      if (!parent->contains(leaf)) break;
      if ((*parent)[leaf].is_string())
        (*parent)[leaf] = json::array({(*parent)[leaf]});
      else
        (*parent)[leaf] = (*parent)[leaf].dump();
      break;
  }
}

void apply_schema_changes(const Options& options, Family family, int day, json& record) {
  for (const SchemaChange& change : options.schema_changes) {
    if (!change.endpoint.empty() && family_of_path(change.endpoint) != family) continue;
    std::optional<int> from = parse_date_loose(change.from_yyyymmdd);
    if (from && day < *from) continue;
    apply(change, record);
  }
}

}  // namespace pncp_sim::detail
