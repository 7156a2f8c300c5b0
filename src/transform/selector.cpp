#include "transform/selector.h"

#include <algorithm>
#include <optional>

#include "core/error.h"
#include "transform/state.h"
#include "transform/text_util.h"

namespace baliza::transform {
namespace {

const std::vector<std::string> kMethods = {"fqn",     "path",          "file",     "tag",
                                           "config",  "resource_type", "source",   "state",
                                           "package", "test_name",     "test_type"};

// One selector criterion with its graph operators, e.g. "2+tag:daily+".
struct Criterion {
  std::string text;  // as written, for messages
  std::string method;
  std::string key;  // config.<key>
  std::string value;
  bool at = false;
  int parents = 0;  // 0 none, -1 unlimited, n depth
  int children = 0;
};

int parse_depth(std::string_view digits, const std::string& text) {
  if (digits.empty()) return -1;
  for (char c : digits) {
    if (c < '0' || c > '9')
      throw usage_error("bad depth '" + std::string(digits) + "' in selector '" + text + "'");
  }
  return std::stoi(std::string(digits));
}

Criterion parse_criterion(const std::string& text) {
  Criterion c;
  c.text = text;
  std::string_view s = text;
  if (!s.empty() && s[0] == '@') {
    c.at = true;
    s.remove_prefix(1);
  } else if (std::size_t plus = s.find('+');
             plus != std::string_view::npos && s.find_first_not_of("0123456789") == plus) {
    c.parents = parse_depth(s.substr(0, plus), text);
    s.remove_prefix(plus + 1);
  }
  if (std::size_t plus = s.rfind('+');
      plus != std::string_view::npos &&
      s.find_first_not_of("0123456789", plus + 1) == std::string_view::npos) {
    c.children = parse_depth(s.substr(plus + 1), text);
    s = s.substr(0, plus);
  }
  if (c.at && (c.parents != 0 || c.children != 0)) {
    throw usage_error("selector '" + text + "' mixes '@' with '+'; use one of them");
  }
  std::size_t colon = s.find(':');
  if (colon == std::string_view::npos) {
    c.value = std::string(s);
    bool looks_like_path = c.value.find('/') != std::string::npos || c.value.ends_with(".sql") ||
                           c.value.ends_with(".csv");
    c.method = looks_like_path ? "path" : "fqn";
  } else {
    std::string method(s.substr(0, colon));
    c.value = std::string(s.substr(colon + 1));
    if (method.rfind("config.", 0) == 0 && method.size() > 7) {
      c.key = method.substr(7);
      method = "config";
    }
    if (std::find(kMethods.begin(), kMethods.end(), method) == kMethods.end() ||
        (method == "config" && c.key.empty())) {
      std::string hint = did_you_mean(method, kMethods);
      throw usage_error(
          "unknown selector method '" + method + "' in '" + text + "'" +
          (hint.empty() ? "; " : hint + " ") +
          "valid methods: fqn, path, file, tag, "
          "config.<key>, resource_type, source, state, package, test_name, test_type");
    }
    c.method = method;
  }
  if (c.value.empty()) throw usage_error("selector '" + text + "' has no value");
  return c;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    if (end > start) out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::vector<std::string> split_whitespace(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    std::size_t start = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i > start) out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

// Does `parts` (globs) match fqn[offset...] as a prefix?
bool fqn_prefix(const std::vector<std::string>& parts, const std::vector<std::string>& fqn,
                std::size_t offset) {
  if (fqn.size() < offset + parts.size()) return false;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (!glob_match(parts[i], fqn[offset + i])) return false;
  }
  return true;
}

bool match_fqn(const Node& n, const std::string& value) {
  if (value == "*") return true;
  if (glob_match(value, n.name)) return true;
  std::vector<std::string> parts = split(value, '.');
  return fqn_prefix(parts, n.fqn, 0) || fqn_prefix(parts, n.fqn, 1);
}

bool match_path(const Node& n, std::string value) {
  while (value.size() > 1 && value.back() == '/') value.pop_back();
  if (value.rfind("./", 0) == 0) value.erase(0, 2);
  const std::string& file = n.original_file_path;
  if (value.find_first_of("*?") != std::string::npos) return glob_match(value, file);
  return file == value || (file.size() > value.size() &&
                           file.compare(0, value.size(), value) == 0 && file[value.size()] == '/');
}

bool match_file(const Node& n, const std::string& value) {
  std::string_view file = n.original_file_path;
  file = file.substr(file.rfind('/') + 1);
  std::string_view stem = file.substr(0, file.rfind('.'));
  return glob_match(value, file) || glob_match(value, stem);
}

bool match_json(const nlohmann::json& v, const std::string& value) {
  if (v.is_array()) {
    return std::any_of(v.begin(), v.end(),
                       [&](const auto& item) { return match_json(item, value); });
  }
  if (v.is_string()) return glob_match(value, v.get<std::string>());
  if (v.is_null()) return false;
  return glob_match(value, v.dump());  // true/false/numbers as written in yml
}

class Selector {
 public:
  Selector(const Project& p, const Dag& dag, const SelectionRequest& r)
      : p_(p), dag_(dag), request_(r) {}

  // Indexes selected by one space-free item ("a,b" is an intersection).
  std::vector<bool> item(const std::string& text) {
    std::vector<bool> result;
    for (const std::string& part : split(text, ',')) {
      std::vector<bool> one = criterion(parse_criterion(part));
      if (result.empty()) {
        result = std::move(one);
      } else {
        for (std::size_t i = 0; i < result.size(); ++i) result[i] = result[i] && one[i];
      }
    }
    if (result.empty()) result.assign(dag_.size(), false);
    return result;
  }

 private:
  std::vector<bool> criterion(const Criterion& c) {
    std::vector<bool> matched(dag_.size(), false);
    for (std::size_t i = 0; i < dag_.size(); ++i) matched[i] = matches(c, dag_.node(i));
    std::vector<bool> out = matched;
    for (std::size_t i = 0; i < dag_.size(); ++i) {
      if (!matched[i]) continue;
      if (c.parents != 0) mark(out, dag_.ancestors(i, c.parents));
      if (c.children != 0 || c.at) mark(out, dag_.descendants(i, c.at ? -1 : c.children));
    }
    if (c.at) {
      std::vector<bool> with_descendants = out;
      for (std::size_t i = 0; i < dag_.size(); ++i) {
        if (with_descendants[i]) mark(out, dag_.ancestors(i));
      }
    }
    return out;
  }

  static void mark(std::vector<bool>& set, const std::vector<std::pair<std::size_t, int>>& nodes) {
    for (auto [i, depth] : nodes) set[i] = true;
  }

  bool matches(const Criterion& c, const Node& n) {
    const std::string& m = c.method;
    if (m == "fqn") return match_fqn(n, c.value);
    if (m == "path") return match_path(n, c.value);
    if (m == "file") return match_file(n, c.value);
    if (m == "tag") return match_json(nlohmann::json(n.config.tags), c.value);
    if (m == "package") return glob_match(c.value, n.package_name);
    if (m == "resource_type") return glob_match(c.value, std::string(to_string(n.resource_type)));
    if (m == "config") {
      nlohmann::json config = n.config.to_json();
      auto it = config.find(c.key);
      return it != config.end() && match_json(*it, c.value);
    }
    if (m == "source") return match_source(n, c.value);
    if (m == "test_name")
      return n.is_generic_test && glob_match(c.value, n.test_metadata.test_name);
    if (m == "test_type") return match_test_type(n, c);
    return match_state(n, c);
  }

  static bool match_source(const Node& n, const std::string& value) {
    if (n.resource_type != ResourceType::kSource) return false;
    std::size_t dot = value.find('.');
    if (dot == std::string::npos) return glob_match(value, n.source_name);
    return glob_match(value.substr(0, dot), n.source_name) &&
           glob_match(value.substr(dot + 1), n.name);
  }

  static bool match_test_type(const Node& n, const Criterion& c) {
    if (n.resource_type != ResourceType::kTest) return false;
    if (c.value == "generic") return n.is_generic_test;
    if (c.value == "singular" || c.value == "data") return !n.is_generic_test;
    throw usage_error("test_type must be generic or singular, got '" + c.value + "' in '" + c.text +
                      "'");
  }

  bool match_state(const Node& n, const Criterion& c) {
    if (c.value != "modified" && c.value != "new") {
      throw usage_error("state must be modified or new, got '" + c.value + "' in '" + c.text + "'");
    }
    if (request_.previous_state == nullptr) {
      throw usage_error("selector '" + c.text +
                        "' needs the previous run's state; pass --state "
                        "<folder with its manifest.json>");
    }
    auto previous = request_.previous_state->find(n.unique_id);
    if (previous == request_.previous_state->end()) return true;  // new (also "modified")
    if (c.value == "new") return false;
    return previous->second != state_checksum(n, p_.vars);
  }

  const Project& p_;
  const Dag& dag_;
  const SelectionRequest& request_;
};

}  // namespace

Selection select_nodes(const Project& project, const Dag& dag, const SelectionRequest& request) {
  Selector selector(project, dag, request);
  Selection out;
  std::vector<bool> chosen(dag.size(), request.select.empty());
  for (const std::string& select : request.select) {
    for (const std::string& item : split_whitespace(select)) {
      std::vector<bool> matched = selector.item(item);
      bool any = false;
      for (std::size_t i = 0; i < matched.size(); ++i) {
        any = any || matched[i];
        chosen[i] = chosen[i] || matched[i];
      }
      if (!any) out.warnings.push_back("selector '" + item + "' matched no nodes");
    }
  }
  for (const std::string& exclude : request.exclude) {
    for (const std::string& item : split_whitespace(exclude)) {
      std::vector<bool> matched = selector.item(item);
      for (std::size_t i = 0; i < matched.size(); ++i) chosen[i] = chosen[i] && !matched[i];
    }
  }
  for (std::size_t i : dag.topological_order()) {
    if (!chosen[i]) continue;
    out.indexes.push_back(i);
    out.unique_ids.push_back(dag.id(i));
  }
  return out;
}

}  // namespace baliza::transform
