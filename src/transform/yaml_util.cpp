#include "transform/yaml_util.h"

#include <cstdlib>

#include <yaml-cpp/exceptions.h>

#include "core/error.h"
#include "transform/text_util.h"

namespace baliza::transform {
namespace {

nlohmann::json plain_scalar(const std::string& s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (s == "~" || s == "null" || s == "Null" || s == "NULL" || s.empty()) return nullptr;
  char* end = nullptr;
  long long integer = std::strtoll(s.c_str(), &end, 10);
  if (end != s.c_str() && *end == '\0') return integer;
  double real = std::strtod(s.c_str(), &end);
  if (end != s.c_str() && *end == '\0') return real;
  return s;
}

}  // namespace

YamlNode parse_yaml(const std::string& text, const std::string& file) {
  try {
    return parse_yaml_tree(text);
  } catch (const YAML::Exception& e) {
    SourcePos pos{e.mark.line + 1, e.mark.column + 1};
    throw usage_error("YAML syntax error at " + format_pos(file, pos) + ": " + e.msg +
                      "; check the indentation (spaces, not tabs) and quote values that "
                      "contain ':' or '{'");
  }
}

SourcePos yaml_pos(const YamlNode& node) {
  return node.pos();
}

void yaml_fail(const std::string& file, const YamlNode& node, const std::string& what,
               const std::string& hint) {
  throw usage_error(what + " at " + format_pos(file, yaml_pos(node)) + hint);
}

void expect_map(const std::string& file, const YamlNode& node, const std::string& what) {
  if (!node.IsMap()) yaml_fail(file, node, what + " must be a mapping (key: value)");
}

void expect_list(const std::string& file, const YamlNode& node, const std::string& what) {
  if (!node.IsSequence()) yaml_fail(file, node, what + " must be a list (- item)");
}

std::string expect_string(const std::string& file, const YamlNode& node, const std::string& what) {
  if (!node.IsScalar()) yaml_fail(file, node, what + " must be a string");
  return node.Scalar();
}

void check_keys(const std::string& file, const YamlNode& node,
                const std::vector<std::string>& allowed, const std::string& context) {
  expect_map(file, node, context);
  for (const auto& entry : node.entries()) {
    const std::string key = entry.first.Scalar();
    bool known = false;
    for (const auto& a : allowed) known = known || a == key;
    if (!known) {
      std::string hint = did_you_mean(key, allowed);
      yaml_fail(file, entry.first, "unknown key '" + key + "' in " + context,
                hint.empty() ? "; valid keys: " + join(allowed, ", ")
                             : hint + " (valid keys: " + join(allowed, ", ") + ")");
    }
  }
}

nlohmann::json yaml_to_json(const YamlNode& node) {
  switch (node.kind()) {
    case YamlNode::Kind::kMap: {
      nlohmann::json j = nlohmann::json::object();
      for (const auto& entry : node.entries()) j[entry.first.Scalar()] = yaml_to_json(entry.second);
      return j;
    }
    case YamlNode::Kind::kSequence: {
      nlohmann::json j = nlohmann::json::array();
      for (const auto& item : node.items()) j.push_back(yaml_to_json(item));
      return j;
    }
    case YamlNode::Kind::kScalar:
      // Quoted scalars stay strings ("'true'" is the text true).
      if (node.quoted()) return node.Scalar();
      return plain_scalar(node.Scalar());
    default:
      return nullptr;
  }
}

}  // namespace baliza::transform
