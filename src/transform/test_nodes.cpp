#include "transform/test_nodes.h"

#include "core/sha256.h"

namespace baliza::transform {
namespace {

void append_flat(std::string& out, const nlohmann::json& value) {
  if (value.is_array()) {
    for (const auto& item : value) append_flat(out, item);
    return;
  }
  out += "__";
  out += value.is_string() ? value.get<std::string>() : value.dump();
}

std::string sanitize(const std::string& text) {
  std::string out = text;
  for (char& c : out) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') c = '_';
  }
  return out;
}

}  // namespace

std::string generic_test_name(const TestSpec& test, const Node& attached) {
  std::string name =
      attached.resource_type == ResourceType::kSource
          ? "source_" + test.test_name + "_" + attached.source_name + "_" + attached.name
          : test.test_name + "_" + attached.name;
  if (!test.column_name.empty()) name += "_" + test.column_name;
  std::string args;
  for (const auto& [key, value] : test.kwargs.items()) append_flat(args, value);
  name = sanitize(name + args);
  if (name.size() > 64) {
    // As dbt: keep it readable but bounded, unique through a hash of the full name.
    name = name.substr(0, 47) + "_" + sha256_hex(name).substr(0, 16);
  }
  return name;
}

Node make_generic_test_node(const TestSpec& test, const Node& attached,
                            const std::string& project_name) {
  Node n;
  n.resource_type = ResourceType::kTest;
  n.name = generic_test_name(test, attached);
  n.unique_id = "test." + project_name + "." + n.name;
  n.package_name = project_name;
  n.original_file_path = test.file;
  n.path = n.name + ".sql";
  n.patch_path = test.file;
  n.patch_pos = test.pos;
  n.fqn = attached.fqn;
  n.fqn.back() = n.name;
  if (attached.resource_type == ResourceType::kSource) n.fqn = {project_name, n.name};
  n.is_generic_test = true;
  n.test_metadata = test;
  n.attached_node = attached.unique_id;
  n.config = default_config(ResourceType::kTest);
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
