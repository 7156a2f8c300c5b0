#include "lineage/reconcile.h"

#include <map>
#include <memory>
#include <set>

#include "core/error.h"
#include "lineage/ledger.h"
#include "lineage/row_links.h"
#include "transform/compiler.h"
#include "transform/dag.h"
#include "transform/relation.h"

namespace baliza::lineage {
namespace {

using json = nlohmann::json;
using transform::Node;
using transform::ResourceType;

bool volatile_function(const std::string& name) {
  static const std::set<std::string> names{"current_timestamp",
                                           "now",
                                           "current_date",
                                           "get_current_timestamp",
                                           "random",
                                           "gen_random_uuid",
                                           "uuid",
                                           "today",
                                           "current_time",
                                           "localtimestamp",
                                           "localtime",
                                           "setseed",
                                           "transaction_timestamp",
                                           "get_current_time",
                                           "uuidv4"};
  std::string lower = name;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return names.count(lower) > 0;
}

bool is_volatile(const Expr& e, const std::set<std::string>& volatile_names) {
  bool found = false;
  walk(e, [&](const Expr& x) {
    if (x.kind == ExprKind::kFunction && volatile_function(x.function_name)) found = true;
    // current_timestamp, current_date, ... parse as column references.
    if (x.kind == ExprKind::kColumnRef && x.column_names.size() == 1 &&
        volatile_function(x.column_names[0]))
      found = true;
    if (x.kind == ExprKind::kColumnRef && !x.column_names.empty()) {
      std::string n = x.column_names.back();
      for (char& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (volatile_names.count(n)) found = true;
    }
  });
  return found;
}

// Output names of select items computed from the clock or randomness, anywhere in the query
// (CTEs first), and the names that read them: compared by name, left out of the comparison.
void collect_volatile(const Query& q, std::set<std::string>& names) {
  for (const Cte& c : q.ctes)
    if (c.query) collect_volatile(*c.query, names);
  for (const auto& op : q.operands) collect_volatile(*op, names);
  if (q.from && q.from->subquery) collect_volatile(*q.from->subquery, names);
  for (const auto& item : q.select_list) {
    if (item->kind == ExprKind::kStar) continue;
    if (is_volatile(*item, names)) {
      std::string n = item->output_name();
      for (char& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (!n.empty()) names.insert(n);
    }
  }
}

json rows_json(Connection& conn, const std::string& sql, int limit) {
  json out = json::array();
  Result r = conn.query("SELECT to_json(__t)::VARCHAR FROM (" + sql + ") AS __t LIMIT " +
                        std::to_string(limit));
  for (std::size_t i = 0; i < r.row_count(); ++i)
    out.push_back(json::parse(r.get_string(0, i), nullptr, false));
  return out;
}

std::int64_t count_rows(Connection& conn, const std::string& sql) {
  Result r = conn.query("SELECT count(*) FROM (" + sql + ")");
  return r.get_int64(0, 0);
}

void check_model(Connection& conn, FlowSql& sql, Catalog& catalog, transform::Compiler& compiler,
                 const Node& n, const ModelShape& shape, const ReconcileOptions& o,
                 ReconcileModel& m) {
  const RelationName table{transform::node_schema(n), transform::node_identifier(n)};
  auto cols = catalog.columns(table);
  if (!cols) throw failure(m.relation + " has no columns");
  std::set<std::string> volatile_names;
  collect_volatile(*shape.tree.root, volatile_names);
  std::string list, skipped;
  for (const std::string& c : *cols) {
    std::string lower = c;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (volatile_names.count(lower)) {
      skipped += (skipped.empty() ? "" : ", ") + c;
      continue;
    }
    list += (list.empty() ? "" : ", ") + quote_identifier(c);
  }
  // Law 1: the model's SQL over its inputs gives the table's rows.
  std::string table_rows = "SELECT " + list + " FROM " + FlowSql::relation(table);
  std::string produced = "SELECT " + list + " FROM (" + compiler.compile(n, false).sql + ")";
  std::string scope = "every row";
  if (o.sample > 0) {
    ModelLinks links = link_model(sql, catalog, shape, table);
    std::string sampled = "SELECT * FROM " + FlowSql::relation(table) + " USING SAMPLE " +
                          std::to_string(o.sample) + " ROWS (reservoir, 42)";
    if (links.traceable()) {
      if (auto again = recompute_sql(sql, shape, links, sampled)) {
        // The sample's keys: the table rows and the recomputed rows with those keys.
        std::string keys_match;
        for (const RowKey& k : links.keys)
          keys_match += (keys_match.empty() ? "" : " AND ") +
                        ("__t." + quote_identifier(k.column) + " IS NOT DISTINCT FROM __s." +
                         quote_identifier(k.column));
        std::string sample_table = "CREATE OR REPLACE TEMP TABLE __baliza_sample AS " + sampled;
        conn.execute(sample_table);
        std::string chosen = "SELECT * FROM __baliza_sample";
        table_rows = "SELECT " + list + " FROM " + FlowSql::relation(table) +
                     " AS __t WHERE EXISTS (SELECT 1 FROM __baliza_sample AS __s WHERE " +
                     keys_match + ")";
        produced = "SELECT " + list + " FROM (" + *recompute_sql(sql, shape, links, chosen) + ")";
        scope = std::to_string(o.sample) + " sampled rows";
      }
    }
  }
  std::string not_produced = "(" + table_rows + ") EXCEPT ALL (" + produced + ")";
  std::string not_in_table = "(" + produced + ") EXCEPT ALL (" + table_rows + ")";
  std::int64_t bad_table = count_rows(conn, not_produced);
  std::int64_t bad_sql = count_rows(conn, not_in_table);
  std::string check = "its SQL re-run over its inputs gives its table (" + scope + ")";
  if (!skipped.empty()) check += "; not compared (clock/random): " + skipped;
  if (bad_table == 0 && bad_sql == 0) {
    m.checks.push_back("ok: " + check);
  } else {
    m.ok = false;
    m.checks.push_back("FAILED: " + check + ": " + std::to_string(bad_table) +
                       " row(s) in the table that its SQL does not produce, " +
                       std::to_string(bad_sql) + " produced that are not in the table");
    for (json& row : rows_json(conn, not_produced, o.limit))
      m.offending.push_back({{"side", "in table, not produced by its SQL"}, {"row", row}});
    for (json& row : rows_json(conn, not_in_table, o.limit))
      m.offending.push_back({{"side", "produced by its SQL, not in table"}, {"row", row}});
  }
}

}  // namespace

ReconcileResult reconcile(Connection& conn, const transform::Project& project,
                          const ReconcileOptions& o) {
  ReconcileResult result;
  transform::Compiler compiler(project);
  FlowSql sql(conn);
  Catalog catalog(conn);
  std::vector<const Node*> models;
  if (!o.model.empty()) {
    const Node* n = project.find_ref(o.model);
    if (!n || n->resource_type != ResourceType::kModel)
      throw usage_error("unknown model '" + o.model + "' (baliza ls lists the project's models)");
    models.push_back(n);
  } else {
    transform::Dag dag = transform::Dag::build(project);
    for (std::size_t i : dag.topological_order())
      if (dag.node(i).resource_type == ResourceType::kModel) models.push_back(&dag.node(i));
  }
  std::set<std::string> tables;
  Result t = conn.query("SELECT schema_name || '.' || table_name FROM duckdb_tables()");
  for (std::size_t i = 0; i < t.row_count(); ++i) tables.insert(t.get_string(0, i));
  // Every built model analysed once; the shapes live as long as `sql`, which caches by node.
  std::map<const Node*, std::unique_ptr<ModelShape>> shapes;
  auto shape_of = [&](const Node& n) -> const ModelShape* {
    auto it = shapes.find(&n);
    if (it == shapes.end()) {
      std::unique_ptr<ModelShape> s;
      try {
        s = std::make_unique<ModelShape>(analyze_sql(conn, compiler.compile(n, false).sql));
      } catch (const Error&) {
      }
      it = shapes.emplace(&n, std::move(s)).first;
    }
    return it->second.get();
  };
  for (const Node* n : models) {
    const bool append_only =
        n->config.materialized == "incremental" &&
        (n->config.incremental_strategy == "append" ||
         (n->config.incremental_strategy.empty() && n->config.unique_key.empty()));
    if (n->config.materialized == "ephemeral" || n->config.materialized == "view" || append_only)
      continue;
    ReconcileModel m;
    m.relation = transform::relation_label(*n);
    if (!tables.count(m.relation)) {
      if (!o.model.empty()) throw usage_error(m.relation + " is not built; run baliza build first");
      continue;
    }
    try {
      const ModelShape* shape = shape_of(*n);
      if (!shape) throw failure("its SQL could not be analysed");
      check_model(conn, sql, catalog, compiler, *n, *shape, o, m);
      // Law 2: every input row is in the output, a filter or an error relation.
      std::vector<ErrorRelation> errors;
      for (const Node& other : project.nodes) {
        if (&other == n || other.resource_type != ResourceType::kModel ||
            other.config.materialized == "ephemeral" ||
            !tables.count(transform::relation_label(other)))
          continue;
        const ModelShape* os = shape_of(other);
        if (!os) continue;
        if (const Expr* c = complemented_filter(*shape, *os))
          errors.push_back({transform::relation_label(other),
                            {transform::node_schema(other), transform::node_identifier(other)},
                            c});
      }
      ModelLedger ledger = account_model(sql, *shape, transform::relation_sql(*n), errors);
      if (ledger.status == LedgerStatus::kBalanced) {
        m.checks.push_back("ok: every input row is in the output, a filter or an error relation (" +
                           ledger.equation() + ")");
      } else if (ledger.status == LedgerStatus::kUnbalanced) {
        m.ok = false;
        m.checks.push_back("FAILED: input rows not accounted for: " + ledger.equation() + ": " +
                           ledger.message);
      } else {
        m.checks.push_back("not checked: where input rows go (" + ledger.message + ")");
      }
    } catch (const Error& e) {
      m.ok = false;
      m.checks.push_back(std::string("FAILED: ") + e.what());
    }
    if (!m.ok) ++result.failed;
    result.models.push_back(std::move(m));
  }
  return result;
}

json ReconcileResult::to_json() const {
  json models_json = json::array();
  for (const ReconcileModel& m : models)
    models_json.push_back(
        {{"relation", m.relation}, {"ok", m.ok}, {"checks", m.checks}, {"offending", m.offending}});
  return {{"failed", failed}, {"models", models_json}};
}

std::string ReconcileResult::to_text() const {
  std::string out;
  for (const ReconcileModel& m : models) {
    out += m.relation + ": " + (m.ok ? "ok" : "FAILED") + "\n";
    for (const std::string& c : m.checks) out += "  " + c + "\n";
    for (const json& r : m.offending)
      out += "  " + r["side"].get<std::string>() + ": " + r["row"].dump() + "\n";
  }
  out += std::to_string(models.size()) + " model(s) reconciled, " + std::to_string(failed) +
         " failed\n";
  return out;
}

}  // namespace baliza::lineage
