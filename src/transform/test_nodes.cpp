#include "transform/test_nodes.h"

#include <cctype>
#include <map>

#include "core/md5.h"
#include "core/sha256.h"

namespace baliza::transform {
namespace {

// As dbt's re.sub("[^0-9a-zA-Z_]+", "_", text): each run of other characters becomes one '_'.
std::string clean(const std::string& text) {
  std::string out;
  bool in_run = false;
  for (char c : text) {
    bool keep = std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    if (keep) {
      out += c;
    } else if (!in_run) {
      out += '_';
    }
    in_run = !keep;
  }
  return out;
}

// str(value) as Python prints it for the parts of a test's arguments.
std::string python_str(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "True" : "False";
  if (v.is_null()) return "None";
  return v.dump();
}

}  // namespace

GenericTestName generic_test_name(const TestSpec& test, const Node& attached) {
  // dbt: the arguments sorted by name (column_name among them), a dict contributing its
  // values and a list its items, each cleaned, joined with "__".
  std::map<std::string, nlohmann::json> args;
  if (test.kwargs.is_object()) {
    for (const auto& [key, value] : test.kwargs.items()) args[key] = value;
  }
  if (!test.column_name.empty()) args["column_name"] = test.column_name;
  args.erase("model");
  std::string unique;
  for (const auto& [key, value] : args) {
    std::vector<nlohmann::json> parts;
    if (value.is_object()) {
      for (const auto& [k, v] : value.items()) parts.push_back(v);
    } else if (value.is_array()) {
      parts.assign(value.begin(), value.end());
    } else {
      parts.push_back(value);
    }
    for (const auto& part : parts) unique += (unique.empty() ? "" : "__") + clean(python_str(part));
  }
  // dbt_utils.expression_is_true -> dbt_utils_expression_is_true_... (dbt's namespace prefix)
  std::string type =
      clean(test.package.empty() ? test.test_name : test.package + "_" + test.test_name);
  std::string identifier = attached.resource_type == ResourceType::kSource
                               ? "source_" + type + "_" + attached.source_name + "_" + attached.name
                               : type + "_" + attached.name;
  GenericTestName out;
  out.name = identifier + (unique.empty() ? "" : "_" + unique);
  out.alias = out.name.size() >= 64 ? identifier.substr(0, 30) + "_" + md5_hex(out.name) : out.name;
  out.hash = md5_hex(out.name + "|" + attached.unique_id + "|" + test.kwargs.dump()).substr(22);
  return out;
}

Node make_generic_test_node(const TestSpec& test, const Node& attached,
                            const std::string& project_name) {
  Node n;
  n.resource_type = ResourceType::kTest;
  GenericTestName name = generic_test_name(test, attached);
  n.name = name.name;
  n.unique_id = "test." + project_name + "." + n.name + "." + name.hash;
  n.package_name = project_name;
  n.original_file_path = test.file;
  n.path = name.alias + ".sql";
  n.patch_path = test.file;
  n.patch_pos = test.pos;
  n.fqn = attached.fqn;
  n.fqn.back() = n.name;
  if (attached.resource_type == ResourceType::kSource) n.fqn = {project_name, n.name};
  n.is_generic_test = true;
  n.test_metadata = test;
  n.attached_node = attached.unique_id;
  n.config = default_config(ResourceType::kTest);
  if (name.alias != name.name) n.config.alias = name.alias;  // the relation of stored failures
  if (attached.resource_type == ResourceType::kSource) {
    n.sources.push_back({attached.source_name, attached.name, test.pos});
  } else {
    n.refs.push_back({"", attached.name, test.pos});
  }
  // relationships' `to:` is a Jinja expression such as "ref('customers')".
  auto to = test.kwargs.find("to");
  if (to != test.kwargs.end() && to->is_string()) {
    Template t = Template::parse("{{ " + to->get<std::string>() + " }}", test.file);
    for (TemplateRef r : t.refs()) {
      r.pos = test.pos;
      n.refs.push_back(std::move(r));
    }
    for (TemplateSource s : t.sources()) {
      s.pos = test.pos;
      n.sources.push_back(std::move(s));
    }
  }
  n.checksum = sha256_hex(test.test_name + "|" + attached.unique_id + "|" + test.column_name + "|" +
                          test.kwargs.dump());
  return n;
}

}  // namespace baliza::transform
