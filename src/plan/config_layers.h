// Layered YAML for endpoints.yaml, before validation: each value keeps the YAML node it came
// from and the name of its file, so that errors found after merging still point at the right
// file:line:column. Internal to plan/endpoint_config.cpp (exposed for its tests).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "plan/endpoint_config.h"

namespace baliza::plan {

struct SourcedNode {
  YAML::Node key;    // the mapping key (or the entry itself for sequence items)
  YAML::Node value;  // the value
  std::shared_ptr<const std::string> source;

  std::string where() const;      // "file:line:column" of the value, 1-based
  std::string key_where() const;  // "file:line:column" of the key
};

// Keys in first-seen order; a later layer replaces a key's node in place.
class SourcedMap {
 public:
  void set(const std::string& key, SourcedNode node);
  const SourcedNode* find(const std::string& key) const;
  const std::vector<std::pair<std::string, SourcedNode>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, SourcedNode>> items_;
};

struct RawEndpoint {
  std::string name;
  SourcedNode entry;  // the endpoint's mapping node (where "missing key" errors point)
  SourcedMap keys;
};

struct RawConfig {
  std::vector<std::string> sources;
  SourcedMap top;       // top-level keys other than defaults and endpoints
  SourcedMap defaults;  // flattened: nested mappings become dotted keys (retry.max_attempts)
  std::vector<RawEndpoint> endpoints;
};

// Parses one layer and merges it over `config`. Throws usage_error on YAML syntax errors and
// on structural errors (top level not a mapping, endpoint without a name, duplicate names).
void merge_layer(RawConfig& config, const ConfigSource& source);

// "file:line:column" (1-based) of a node's mark.
std::string location(const std::string& source, const YAML::Mark& mark);

}  // namespace baliza::plan
