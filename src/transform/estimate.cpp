#include "transform/estimate.h"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "core/error.h"
#include "transform/compiler.h"
#include "transform/sql_error.h"

namespace baliza::transform {
namespace {

std::optional<std::int64_t> cardinality(const nlohmann::json& op) {
  auto info = op.find("extra_info");
  if (info == op.end() || !info->is_object()) return std::nullopt;
  auto c = info->find("Estimated Cardinality");
  if (c == info->end()) return std::nullopt;
  try {
    if (c->is_string()) return std::stoll(c->get<std::string>());
    if (c->is_number_integer()) return c->get<std::int64_t>();
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

void sum_plan(const nlohmann::json& op, std::int64_t& total) {
  if (auto c = cardinality(op)) total += *c;
  if (auto ch = op.find("children"); ch != op.end() && ch->is_array())
    for (const auto& child : *ch) sum_plan(child, total);
}

// The rows the plan returns: the root's estimate. DuckDB gives ORDER BY no estimate and the
// projection above it 0, so row-preserving operators without a real estimate are looked
// through.
std::optional<std::int64_t> root_rows(const nlohmann::json& op) {
  std::string name = op.value("name", std::string());
  while (!name.empty() && name.back() == ' ') name.pop_back();
  auto c = cardinality(op);
  bool preserving = name == "PROJECTION" || name == "ORDER_BY" || name == "RESULT_COLLECTOR";
  if (c && !(preserving && *c == 0)) return c;
  if (auto ch = op.find("children"); ch != op.end() && ch->is_array() && ch->size() == 1)
    return root_rows((*ch)[0]);
  return std::nullopt;
}

std::optional<std::int64_t> meta_int(const Node& n, const char* key) {
  if (!n.meta.is_object()) return std::nullopt;
  auto it = n.meta.find(key);
  if (it == n.meta.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<std::int64_t>();
}

std::string with_commas(std::int64_t n) {
  std::string s = std::to_string(n < 0 ? -n : n), out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i > 0 && (s.size() - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return n < 0 ? "-" + out : out;
}

}  // namespace

Budgets budgets_from(const Settings& settings) {
  Budgets b;
  auto number = [&](const char* key) -> std::optional<std::int64_t> {
    const std::string& v = settings.value(key).value;
    if (v.empty()) return std::nullopt;
    return std::stoll(v);  // checked by core/config.cpp: a whole number from 1
  };
  b.max_rows = number("budgets.max_estimated_rows");
  b.max_cost = number("budgets.max_estimated_cost");
  return b;
}

Budgets load_budgets(const std::optional<std::filesystem::path>& baliza_yml) {
  std::optional<std::filesystem::path> file;
  if (baliza_yml && std::filesystem::exists(*baliza_yml)) file = baliza_yml;
  return budgets_from(resolve_settings(std::nullopt, file));
}

std::vector<ModelEstimate> estimate_models(const Project& project, const Dag& dag, Connection& conn,
                                           const Budgets& budgets) {
  Compiler compiler(project);
  std::vector<ModelEstimate> out;
  for (std::size_t i : dag.topological_order()) {
    const Node& n = dag.node(i);
    if (n.resource_type != ResourceType::kModel || !n.config.enabled ||
        n.config.materialized == "ephemeral")
      continue;
    ModelEstimate e;
    e.unique_id = n.unique_id;
    e.name = n.name;
    e.file = n.original_file_path;
    e.budget.max_rows = meta_int(n, "max_estimated_rows");
    if (!e.budget.max_rows) e.budget.max_rows = budgets.max_rows;
    e.budget.max_cost = meta_int(n, "max_estimated_cost");
    if (!e.budget.max_cost) e.budget.max_cost = budgets.max_cost;
    try {
      CompiledSql sql = compiler.compile(n, false);
      Result r = conn.query("EXPLAIN (FORMAT JSON) " + sql.sql);
      nlohmann::json plan = nlohmann::json::parse(r.get_string(1, 0));
      if (plan.is_array() && !plan.empty()) {
        e.rows = root_rows(plan[0]);
        std::int64_t total = 0;
        sum_plan(plan[0], total);
        e.cost = total;
      }
      if (!e.rows) e.not_estimated = "DuckDB's plan gives no estimate";
    } catch (const std::exception& ex) {
      std::string m = duckdb_message(ex);
      e.not_estimated = m.substr(0, m.find('\n'));
    }
    if (e.rows && e.budget.max_rows && *e.rows > *e.budget.max_rows) {
      e.over.push_back("estimated " + with_commas(*e.rows) + " rows, over the budget of " +
                       with_commas(*e.budget.max_rows) +
                       "; filter or aggregate earlier, or raise max_estimated_rows (baliza.yml "
                       "budgets, or the model's meta)");
    }
    if (e.cost && e.budget.max_cost && *e.cost > *e.budget.max_cost) {
      e.over.push_back("estimated cost " + with_commas(*e.cost) + " over the budget of " +
                       with_commas(*e.budget.max_cost) +
                       "; join or scan less, or raise max_estimated_cost");
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::string describe_estimates(const std::vector<ModelEstimate>& estimates) {
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "  %-36s %16s %18s  %s\n", "model", "est. rows",
                "est. cost (rows)", "budget");
  out += line;
  for (const ModelEstimate& e : estimates) {
    std::string verdict = !e.over.empty()                            ? "OVER"
                          : (e.budget.max_rows || e.budget.max_cost) ? "ok"
                                                                     : "-";
    if (!e.rows) {
      std::snprintf(line, sizeof line, "  %-36s %16s %18s  not estimated: %s\n", e.name.c_str(),
                    "?", "?", e.not_estimated.substr(0, 160).c_str());
    } else {
      std::snprintf(line, sizeof line, "  %-36s %16s %18s  %s\n", e.name.c_str(),
                    with_commas(*e.rows).c_str(), e.cost ? with_commas(*e.cost).c_str() : "?",
                    verdict.c_str());
    }
    out += line;
  }
  return out;
}

}  // namespace baliza::transform
