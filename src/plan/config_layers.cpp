#include "plan/config_layers.h"

#include <set>

#include "core/error.h"

namespace baliza::plan {
namespace {

using Source = std::shared_ptr<const std::string>;

YAML::Node parse_yaml(const ConfigSource& source) {
  try {
    return YAML::Load(source.text);
  } catch (const YAML::ParserException& e) {
    throw usage_error("YAML syntax error at " + location(source.display_name, e.mark) + ": " +
                      e.msg + "; fix the YAML (indentation, quotes, ':' after keys)");
  }
}

void flatten_into(SourcedMap& out, const std::string& prefix, const YAML::Node& mapping,
                  const Source& source) {
  for (const auto& item : mapping) {
    const std::string key = prefix + item.first.Scalar();
    if (item.second.IsMap()) {
      flatten_into(out, key + ".", item.second, source);
    } else {
      out.set(key, SourcedNode{item.first, item.second, source});
    }
  }
}

std::string endpoint_name(const YAML::Node& entry, const Source& source) {
  const std::string where = location(*source, entry.Mark());
  if (!entry.IsMap()) {
    throw usage_error("endpoint entry at " + where +
                      " is not a mapping; write each endpoint as '- name: ...' followed by its "
                      "keys");
  }
  const YAML::Node name = entry["name"];
  if (!name || !name.IsScalar() || name.Scalar().empty()) {
    throw usage_error("endpoint at " + where +
                      " has no name; add 'name: <snake_case>' (a name matching a built-in "
                      "endpoint overrides it)");
  }
  return name.Scalar();
}

RawEndpoint* find_endpoint(RawConfig& config, const std::string& name) {
  for (auto& endpoint : config.endpoints) {
    if (endpoint.name == name) return &endpoint;
  }
  return nullptr;
}

void merge_endpoints(RawConfig& config, const YAML::Node& list, const Source& source) {
  if (!list.IsSequence()) {
    throw usage_error("'endpoints' at " + location(*source, list.Mark()) +
                      " must be a list; write each endpoint as '- name: ...'");
  }
  std::set<std::string> seen_in_layer;
  for (const auto& entry : list) {
    const std::string name = endpoint_name(entry, source);
    if (!seen_in_layer.insert(name).second) {
      throw usage_error("endpoint '" + name + "' is declared twice in " + *source + " (again at " +
                        location(*source, entry.Mark()) + "); keep one entry per name");
    }
    RawEndpoint* target = find_endpoint(config, name);
    if (target == nullptr) {
      config.endpoints.push_back(RawEndpoint{name, SourcedNode{entry, entry, source}, {}});
      target = &config.endpoints.back();
    }
    for (const auto& item : entry) {
      target->keys.set(item.first.Scalar(), SourcedNode{item.first, item.second, source});
    }
  }
}

}  // namespace

std::string location(const std::string& source, const YAML::Mark& mark) {
  if (mark.is_null()) return source;
  return source + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

std::string SourcedNode::where() const {
  return location(*source, value.Mark());
}
std::string SourcedNode::key_where() const {
  return location(*source, key.Mark());
}

void SourcedMap::set(const std::string& key, SourcedNode node) {
  for (auto& item : items_) {
    if (item.first == key) {
      item.second = std::move(node);
      return;
    }
  }
  items_.emplace_back(key, std::move(node));
}

const SourcedNode* SourcedMap::find(const std::string& key) const {
  for (const auto& item : items_) {
    if (item.first == key) return &item.second;
  }
  return nullptr;
}

void merge_layer(RawConfig& config, const ConfigSource& layer) {
  const auto source = std::make_shared<const std::string>(layer.display_name);
  const YAML::Node root = parse_yaml(layer);
  config.sources.push_back(layer.display_name);
  if (!root || root.IsNull()) return;  // an empty file overrides nothing
  if (!root.IsMap()) {
    throw usage_error(layer.display_name +
                      " must be a mapping with base_url, defaults and endpoints (at " +
                      location(layer.display_name, root.Mark()) + ")");
  }
  for (const auto& item : root) {
    const std::string key = item.first.Scalar();
    if (key == "endpoints") {
      merge_endpoints(config, item.second, source);
    } else if (key == "defaults" && item.second.IsMap()) {
      flatten_into(config.defaults, "", item.second, source);
    } else {
      config.top.set(key, SourcedNode{item.first, item.second, source});
    }
  }
}

}  // namespace baliza::plan
