#include "transform/contract.h"

#include <cctype>
#include <map>

#include "core/error.h"
#include "transform/source_pos.h"

namespace baliza::transform {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string where(const Node& n) {
  return n.patch_path.empty() ? n.original_file_path : format_pos(n.patch_path, n.patch_pos);
}

// DuckDB's own name for a declared type; nullopt when DuckDB does not know it.
std::optional<std::string> canonical_type(Connection& conn, const std::string& declared) {
  try {
    return conn.scalar("SELECT typeof(CAST(NULL AS " + declared + "))");
  } catch (const Error&) {
    return std::nullopt;
  }
}

}  // namespace

bool contract_enforced(const Node& node) {
  const nlohmann::json& extra = node.config.extra;
  if (!extra.is_object()) return false;
  auto c = extra.find("contract");
  if (c == extra.end() || !c->is_object()) return false;
  auto e = c->find("enforced");
  return e != c->end() && e->is_boolean() && e->get<bool>();
}

std::vector<std::pair<std::string, std::string>> bound_columns(Connection& conn,
                                                               const std::string& select_sql) {
  Result r = conn.query("DESCRIBE " + select_sql);
  std::vector<std::pair<std::string, std::string>> out;
  for (std::size_t i = 0; i < r.row_count(); ++i)
    out.emplace_back(r.get_string(0, i), r.get_string(1, i));
  return out;
}

std::vector<std::string> contract_problems(
    Connection& conn, const Node& node,
    const std::vector<std::pair<std::string, std::string>>& actual) {
  std::vector<std::string> problems;
  const std::string at = where(node);
  std::map<std::string, std::string> produced;  // lower(name) -> type
  for (const auto& [name, type] : actual) produced[lower(name)] = type;
  std::map<std::string, bool> declared;
  for (const ColumnSpec& c : node.columns) {
    declared[lower(c.name)] = true;
    if (c.data_type.empty()) {
      problems.push_back("column " + c.name + " has no data_type in the contract (" + at +
                         "); add data_type: <type> to it, as every column of an enforced "
                         "contract needs one");
      continue;
    }
    auto it = produced.find(lower(c.name));
    if (it == produced.end()) {
      problems.push_back("column " + c.name + " is in the contract (" + at +
                         ") but the model does not produce it; add it to the SELECT or remove "
                         "it from the contract");
      continue;
    }
    std::optional<std::string> want = canonical_type(conn, c.data_type);
    if (!want) {
      problems.push_back("data_type '" + c.data_type + "' of column " + c.name + " (" + at +
                         ") is not a DuckDB type; use one such as INTEGER, VARCHAR, "
                         "DECIMAL(18,2), DATE");
      continue;
    }
    if (lower(*want) != lower(it->second)) {
      problems.push_back("column " + c.name + " is " + it->second + " but the contract (" + at +
                         ") says " + c.data_type + " (" + *want + "); cast it in the SQL (" +
                         c.name + "::" + c.data_type + ") or change the contract's data_type");
    }
  }
  for (const auto& [name, type] : actual) {
    if (declared.count(lower(name)) == 0) {
      problems.push_back("column " + name + " (" + type +
                         ") is produced by the model but not in the contract (" + at +
                         "); declare it with its data_type or drop it from the SELECT");
    }
  }
  if (node.columns.empty()) {
    problems.push_back("contract enforced but no columns are declared for " + node.name +
                       "; declare each column with name and data_type in its yml");
  }
  return problems;
}

void enforce_contract(Connection& conn, const Node& node, const std::string& select_sql) {
  std::vector<std::string> problems =
      contract_problems(conn, node, bound_columns(conn, select_sql));
  if (problems.empty()) return;
  std::string message =
      "model " + node.name + " breaks its contract; the table built before is left as it was:";
  for (const std::string& p : problems) message += "\n  - " + p;
  throw failure(message);
}

}  // namespace baliza::transform
