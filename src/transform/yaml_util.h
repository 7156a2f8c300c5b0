// yaml-cpp helpers that turn YAML mistakes into usage errors pointing at file:line:column
// (from the node's Mark) with a hint on how to fix them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "transform/source_pos.h"
#include "transform/yaml_tree.h"

namespace baliza::transform {

// Parses `text`; a syntax error becomes "YAML syntax error at <file>:<l>:<c>: <reason>; ...".
YamlNode parse_yaml(const std::string& text, const std::string& file);

SourcePos yaml_pos(const YamlNode& node);

// Throws usage_error("<what> at <file>:<l>:<c><hint>").
[[noreturn]] void yaml_fail(const std::string& file, const YamlNode& node, const std::string& what,
                            const std::string& hint = "");

// Every key of the mapping must be in `allowed`; otherwise "unknown key 'x' in <context>"
// with a suggestion and the valid keys. Also fails when `node` is not a mapping.
void check_keys(const std::string& file, const YamlNode& node,
                const std::vector<std::string>& allowed, const std::string& context);

void expect_map(const std::string& file, const YamlNode& node, const std::string& what);
void expect_list(const std::string& file, const YamlNode& node, const std::string& what);
std::string expect_string(const std::string& file, const YamlNode& node, const std::string& what);

// Scalars become bool/int/float/null when plain (unquoted) and look like one, else strings.
nlohmann::json yaml_to_json(const YamlNode& node);

}  // namespace baliza::transform
