#include "lineage/run_accounting.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>

#include "core/error.h"
#include "transform/compiler.h"
#include "transform/relation.h"

namespace baliza::lineage {
namespace {

using transform::Node;
using transform::ResourceType;
using json = nlohmann::json;

struct Thresholds {
  std::optional<double> warn_quarantined = 0.5, error_quarantined = 1.0;
  std::optional<double> warn_filtered, error_filtered;
  std::optional<double> warn_drop = 0.5, error_drop;
  bool warn_empty = true;
};

const json* accounting_config(const Node& n) {
  if (!n.config.extra.is_object()) return nullptr;
  auto it = n.config.extra.find("accounting");
  return it == n.config.extra.end() ? nullptr : &*it;
}

void read_threshold(const json& cfg, const char* key, std::optional<double>& out) {
  auto it = cfg.find(key);
  if (it == cfg.end()) return;
  if (it->is_null() || (it->is_boolean() && !it->get<bool>()))
    out.reset();
  else if (it->is_number())
    out = it->get<double>();
}

Thresholds thresholds_of(const Node& n) {
  Thresholds t;
  const json* cfg = accounting_config(n);
  if (!cfg || !cfg->is_object()) return t;
  read_threshold(*cfg, "warn_quarantined_share", t.warn_quarantined);
  read_threshold(*cfg, "error_quarantined_share", t.error_quarantined);
  read_threshold(*cfg, "warn_filtered_share", t.warn_filtered);
  read_threshold(*cfg, "error_filtered_share", t.error_filtered);
  read_threshold(*cfg, "warn_output_drop", t.warn_drop);
  read_threshold(*cfg, "error_output_drop", t.error_drop);
  if (auto it = cfg->find("warn_empty_output"); it != cfg->end() && it->is_boolean())
    t.warn_empty = it->get<bool>();
  return t;
}

std::string percent(double share) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", share * 100);
  return buf;
}

void check(ModelAccounting& a, const char* what, double value, const std::optional<double>& warn,
           const std::optional<double>& error, const char* warn_key, const char* error_key) {
  auto say = [&](const char* key, double limit) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", limit);
    return std::string(what) + " " + percent(value) + " reaches " + key + " " + buf;
  };
  if (error && value >= *error) {
    a.gate = Gate::kError;
    a.gate_messages.push_back(say(error_key, *error));
  } else if (warn && value >= *warn) {
    if (a.gate == Gate::kOk) a.gate = Gate::kWarn;
    a.gate_messages.push_back(say(warn_key, *warn));
  }
}

std::int64_t table_rows(const ModelLedger& l) {
  for (const LedgerLine& line : l.lines)
    if (line.kind == LineKind::kOutput) return line.rows;
  return 0;
}

void apply_gate(ModelAccounting& a, Thresholds t, std::optional<std::int64_t> previous,
                bool error_relation) {
  if (error_relation) t.warn_empty = false;  // an empty quarantine is good news
  const ModelLedger& l = a.ledger;
  if (l.status == LedgerStatus::kNotAccounted) return;
  if (l.status == LedgerStatus::kUnbalanced) {
    a.gate = Gate::kError;
    a.gate_messages.push_back("equation does not hold: " + l.equation() + ": " + l.message);
  }
  std::int64_t out = table_rows(l);
  if (l.input > 0) {
    double input = static_cast<double>(l.input);
    check(a, "quarantined", static_cast<double>(l.errors) / input, t.warn_quarantined,
          t.error_quarantined, "warn_quarantined_share", "error_quarantined_share");
    check(a, "filtered", static_cast<double>(l.filtered) / input, t.warn_filtered, t.error_filtered,
          "warn_filtered_share", "error_filtered_share");
    if (out == 0 && t.warn_empty) {
      if (a.gate == Gate::kOk) a.gate = Gate::kWarn;
      a.gate_messages.push_back("empty output from " + std::to_string(l.input) + " input rows");
    }
  }
  if (previous && *previous > 0 && out < *previous) {
    double drop = static_cast<double>(*previous - out) / static_cast<double>(*previous);
    check(a, ("output dropped from " + std::to_string(*previous) + " rows:").c_str(), drop,
          t.warn_drop, t.error_drop, "warn_output_drop", "error_output_drop");
  }
}

// Each model's output rows in its latest earlier accounted run (one query for the whole run).
std::map<std::string, std::int64_t> previous_outputs(Connection& conn, const std::string& run_id) {
  Result r = conn.prepare(
                     "SELECT a.unique_id, l.rows FROM meta.model_accounting a JOIN "
                     "meta.record_ledger l USING (run_id, unique_id) WHERE a.run_id <> $1 AND "
                     "a.status <> 'not_accounted' AND l.kind = 'output' "
                     "QUALIFY row_number() OVER (PARTITION BY a.unique_id "
                     "ORDER BY a.computed_at DESC) = 1")
                 .bind(1, run_id)
                 .execute();
  std::map<std::string, std::int64_t> out;
  for (std::size_t i = 0; i < r.row_count(); ++i)
    if (!r.is_null(1, i)) out.emplace(r.get_string(0, i), r.get_int64(1, i));
  return out;
}

// SQL literals for insert_rows: a string (NUL bytes dropped: a query's text ends at one), an
// integer, or NULL.
std::string lit(std::string_view value) {
  std::string clean;
  clean.reserve(value.size());
  for (char c : value)
    if (c != '\0') clean.push_back(c);
  return quote_literal(clean);
}
std::string lit(std::int64_t value) {
  return std::to_string(value);
}
std::string lit(const std::optional<std::int64_t>& value) {
  return value ? std::to_string(*value) : "NULL";
}

// Inserts `rows` rows with one multi-row statement per chunk of them: `head` then, per row,
// "(<values(row)>)". Literals rather than parameters: DuckDB binds a multi-row VALUES of
// parameters a second time when it runs, which cost more than the rows themselves.
template <typename Values>
void insert_rows(Connection& conn, const std::string& head, std::size_t rows, Values values) {
  constexpr std::size_t kChunk = 256;
  for (std::size_t first = 0; first < rows; first += kChunk) {
    const std::size_t n = std::min(kChunk, rows - first);
    std::string sql = head;
    for (std::size_t r = 0; r < n; ++r) sql += (r ? ", (" : " (") + values(first + r) + ")";
    conn.execute(sql);
  }
}

// "schema.table" or a model/seed name -> SQL text and label.
std::pair<std::string, std::string> resolve_relation(const transform::Project& project,
                                                     const std::string& name) {
  if (const Node* n = project.find_ref(name))
    return {transform::relation_sql(*n), transform::relation_label(*n)};
  auto dot = name.find('.');
  if (dot == std::string::npos) return {quote_identifier(name), name};
  return {quote_identifier(name.substr(0, dot)) + "." + quote_identifier(name.substr(dot + 1)),
          name};
}

std::optional<DeclaredAccounting> declared_of(const transform::Project& project, const Node& n) {
  const json* cfg = accounting_config(n);
  if (!cfg) return std::nullopt;
  DeclaredAccounting d;
  if (cfg->is_boolean() && !cfg->get<bool>()) {
    d.disabled = true;
    return d;
  }
  if (!cfg->is_object() || !cfg->contains("input")) return std::nullopt;
  if (!cfg->at("input").is_string())
    throw usage_error(n.original_file_path +
                      ": accounting.input must be a model name or schema.table");
  std::tie(d.input, d.input_label) = resolve_relation(project, cfg->at("input").get<std::string>());
  if (auto f = cfg->find("filters"); f != cfg->end() && f->is_object())
    for (auto it = f->begin(); it != f->end(); ++it)
      d.filters.emplace_back(it.key(), it->is_string() ? it->get<std::string>() : it->dump());
  if (auto e = cfg->find("errors"); e != cfg->end() && e->is_array())
    for (const json& x : *e)
      if (x.is_string()) {
        auto [sql, label] = resolve_relation(project, x.get<std::string>());
        d.errors.emplace_back(label, sql);
      }
  return d;
}

bool materialized_model(const Node& n) {
  return n.resource_type == ResourceType::kModel && n.config.materialized != "ephemeral";
}

}  // namespace

const char* to_string(Gate gate) {
  switch (gate) {
    case Gate::kOk:
      return "ok";
    case Gate::kWarn:
      return "warn";
    case Gate::kError:
      return "error";
  }
  return "?";
}

RunAccounting account_run(Connection& conn, const transform::Project& project,
                          const transform::Dag& dag, const transform::RunSummary& summary) {
  auto start = std::chrono::steady_clock::now();
  RunAccounting out;
  out.run_id = summary.run_id;
  std::vector<const Node*> built;
  std::map<const Node*, std::int64_t> produced;  // rows each build returned (DuckDB's count)
  for (const transform::NodeResult& r : summary.results) {
    auto index = dag.index_of(r.unique_id);
    if (index && r.status == "success" && materialized_model(dag.node(*index))) {
      built.push_back(&dag.node(*index));
      if (r.rebuilt && r.rows_affected >= 0) produced[&dag.node(*index)] = r.rows_affected;
    }
  }
  if (built.empty()) return out;

  std::set<std::string> existing;
  Result rel = conn.query(
      "SELECT schema_name || '.' || table_name FROM duckdb_tables() UNION ALL "
      "SELECT schema_name || '.' || view_name FROM duckdb_views() WHERE NOT internal");
  for (std::size_t i = 0; i < rel.row_count(); ++i) existing.insert(rel.get_string(0, i));

  transform::Compiler compiler(project);
  std::map<const Node*, std::optional<ModelShape>> shapes;
  std::map<const Node*, std::string> shape_errors;
  auto shape_of = [&](const Node& n) -> const ModelShape* {
    auto it = shapes.find(&n);
    if (it == shapes.end()) {
      std::optional<ModelShape> s;
      try {
        s = analyze_sql(conn, compiler.compile(n, false).sql);
      } catch (const std::exception& e) {
        shape_errors[&n] = e.what();
      }
      it = shapes.emplace(&n, std::move(s)).first;
    }
    return it->second ? &*it->second : nullptr;
  };

  // The built models' SQL parsed together (one DuckDB query per chunk); others on demand.
  {
    std::vector<const Node*> nodes;
    std::vector<std::string> sqls;
    for (const Node* n : built) {
      try {
        sqls.push_back(compiler.compile(*n, false).sql);
        nodes.push_back(n);
      } catch (const std::exception& e) {
        shape_errors[n] = e.what();
        shapes.emplace(n, std::nullopt);
      }
    }
    std::vector<ParsedTree> parsed = parse_sqls(conn, sqls);
    for (std::size_t k = 0; k < nodes.size(); ++k) {
      std::optional<ModelShape> s;
      try {
        if (!parsed[k].tree) throw usage_error(parsed[k].error);
        s = analyze(std::move(*parsed[k].tree));
      } catch (const std::exception& e) {
        shape_errors[nodes[k]] = e.what();
      }
      shapes.emplace(nodes[k], std::move(s));
    }
  }

  // Error relations first: a quarantine model may be built (and accounted) before its source.
  std::map<const Node*, std::vector<ErrorRelation>> errors;
  std::set<std::string> error_relations;  // models found keeping another model's rejects
  for (const Node* n : built) {
    const ModelShape* shape = shape_of(*n);
    if (!shape) continue;
    for (const Node& other : project.nodes) {
      if (&other == n || !materialized_model(other) || !other.config.enabled) continue;
      const std::string label = transform::relation_label(other);
      if (!existing.count(label)) continue;
      const ModelShape* os = shape_of(other);
      if (!os) continue;
      if (const Expr* c = complemented_filter(*shape, *os)) {
        error_relations.insert(label);
        errors[n].push_back(
            {label, {transform::node_schema(other), transform::node_identifier(other)}, c});
      }
    }
  }

  FlowSql sql(conn);
  const std::map<std::string, std::int64_t> previous = previous_outputs(conn, summary.run_id);
  for (const Node* n : built) {
    const auto model_start = std::chrono::steady_clock::now();
    ModelAccounting a;
    a.unique_id = n->unique_id;
    a.name = n->name;
    const std::string output = transform::relation_sql(*n);
    const bool append_only =
        n->config.materialized == "incremental" &&
        (n->config.incremental_strategy == "append" ||
         (n->config.incremental_strategy.empty() && n->config.unique_key.empty()));
    if (auto declared = declared_of(project, *n)) {
      a.ledger = account_declared(conn, *declared, output);
    } else if (append_only) {
      a.ledger.message =
          "append-only incremental model: its table keeps every run's rows, so its SQL does not "
          "tell where they went (declare `accounting:` to account it)";
    } else if (const ModelShape* shape = shape_of(*n)) {
      auto p = produced.find(n);
      // An incremental model merging on a unique key keeps earlier runs' rows in its table.
      const bool merges = n->config.materialized == "incremental" && !n->config.unique_key.empty();
      a.ledger =
          account_model(sql, *shape, output, errors[n],
                        p == produced.end() ? std::nullopt : std::optional<std::int64_t>(p->second),
                        merges ? n->config.unique_key : std::vector<std::string>{});
    } else {
      a.ledger.message = "its SQL could not be analysed: " + shape_errors[n];
    }
    a.ledger.model = n->name;
    a.ledger.relation = transform::relation_label(*n);
    for (LedgerLine& l : a.ledger.lines)
      if (l.kind == LineKind::kOutput || l.kind == LineKind::kKept) l.relation = a.ledger.relation;
    auto prev = previous.find(n->unique_id);
    apply_gate(a, thresholds_of(*n),
               prev == previous.end() ? std::nullopt : std::optional<std::int64_t>(prev->second),
               error_relations.count(a.ledger.relation) > 0);
    switch (a.ledger.status) {
      case LedgerStatus::kBalanced:
        ++out.balanced;
        break;
      case LedgerStatus::kUnbalanced:
        ++out.unbalanced;
        break;
      case LedgerStatus::kNotAccounted:
        ++out.not_accounted;
        break;
    }
    if (a.gate == Gate::kWarn) ++out.warned;
    if (a.gate == Gate::kError) ++out.failed;
    a.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - model_start).count();
    out.models.push_back(std::move(a));
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

void record_accounting(Connection& conn, const RunAccounting& accounting) {
  if (accounting.models.empty()) return;
  struct Line {
    const ModelAccounting* model;
    std::size_t index;  // 0-based position in its ledger
  };
  std::vector<Line> lines;
  for (const ModelAccounting& a : accounting.models)
    for (std::size_t i = 0; i < a.ledger.lines.size(); ++i) lines.push_back({&a, i});
  conn.transaction([&] {
    const std::string run = lit(accounting.run_id);
    // A model accounted again under the same run id replaces its earlier rows (a DELETE, then
    // plain INSERTs: DuckDB's INSERT OR REPLACE costs more than both).
    constexpr std::size_t kChunk = 256;
    for (std::size_t first = 0; first < accounting.models.size(); first += kChunk) {
      const std::size_t n = std::min(kChunk, accounting.models.size() - first);
      std::string ids;
      for (std::size_t r = 0; r < n; ++r)
        ids += (r ? ", " : "") + lit(accounting.models[first + r].unique_id);
      for (const char* table : {"meta.model_accounting", "meta.record_ledger"})
        conn.execute(std::string("DELETE FROM ") + table + " WHERE run_id = " + run +
                     " AND unique_id IN (" + ids + ")");
    }
    insert_rows(
        conn,
        "INSERT INTO meta.model_accounting (run_id, unique_id, model, relation, shape, "
        "status, input_rows, output_rows, filtered_rows, error_rows, equation, gate, message, "
        "computed_at) VALUES",
        accounting.models.size(), [&](std::size_t row) {
          const ModelAccounting& a = accounting.models[row];
          const ModelLedger& l = a.ledger;
          std::string messages;
          for (const auto& m : a.gate_messages) messages += (messages.empty() ? "" : "; ") + m;
          if (!l.message.empty() && l.status == LedgerStatus::kNotAccounted) messages = l.message;
          const bool counted = l.status != LedgerStatus::kNotAccounted;
          auto counted_or_null = [&](std::int64_t v) {
            return lit(counted ? std::optional<std::int64_t>(v) : std::nullopt);
          };
          return run + ", " + lit(a.unique_id) + ", " + lit(a.name) + ", " + lit(l.relation) +
                 ", " + lit(l.shape) + ", " + lit(to_string(l.status)) + ", " +
                 counted_or_null(l.input) + ", " + counted_or_null(table_rows(l)) + ", " +
                 counted_or_null(l.filtered) + ", " + counted_or_null(l.errors) + ", " +
                 lit(l.equation()) + ", " + lit(to_string(a.gate)) + ", " + lit(messages) +
                 ", current_timestamp::TIMESTAMP";
        });
    insert_rows(conn,
                "INSERT INTO meta.record_ledger (run_id, unique_id, model, line, kind, relation, "
                "reason, rows) VALUES",
                lines.size(), [&](std::size_t row) {
                  const ModelAccounting& a = *lines[row].model;
                  const LedgerLine& line = a.ledger.lines[lines[row].index];
                  return run + ", " + lit(a.unique_id) + ", " + lit(a.name) + ", " +
                         lit(static_cast<std::int64_t>(lines[row].index + 1)) + ", " +
                         lit(to_string(line.kind)) + ", " + lit(line.relation) + ", " +
                         lit(line.reason) + ", " + lit(line.rows);
                });
  });
}

std::string describe_accounting(const RunAccounting& acc) {
  if (acc.models.empty()) return {};
  std::string out = "record accounting (input = output + filtered + errors):\n";
  char buf[512];
  std::snprintf(buf, sizeof buf, "  %-36s %10s %10s %10s %10s  %s\n", "model", "input", "output",
                "filtered", "errors", "status");
  out += buf;
  for (const ModelAccounting& a : acc.models) {
    const ModelLedger& l = a.ledger;
    std::string label = l.relation.empty() ? a.name : l.relation;
    if (l.status == LedgerStatus::kNotAccounted) {
      std::snprintf(buf, sizeof buf, "  %-36s %10s %10s %10s %10s  not accounted: %s\n",
                    label.c_str(), "-", "-", "-", "-", l.message.c_str());
    } else {
      std::string status = to_string(l.status);
      if (a.gate != Gate::kOk) status += std::string(" [") + to_string(a.gate) + "]";
      std::snprintf(buf, sizeof buf, "  %-36s %10lld %10lld %10lld %10lld  %s\n", label.c_str(),
                    static_cast<long long>(l.input), static_cast<long long>(l.output),
                    static_cast<long long>(l.filtered), static_cast<long long>(l.errors),
                    status.c_str());
    }
    out += buf;
  }
  for (const ModelAccounting& a : acc.models)
    for (const std::string& m : a.gate_messages)
      out += std::string(a.gate == Gate::kError ? "  FAIL " : "  WARN ") + a.ledger.relation +
             ": " + m + "\n";
  std::snprintf(buf, sizeof buf,
                "accounting: %d balanced, %d unbalanced, %d not accounted, %d warnings, %d failed "
                "(%.2fs)\n",
                acc.balanced, acc.unbalanced, acc.not_accounted, acc.warned, acc.failed,
                acc.seconds);
  out += buf;
  // Where the measuring time went: the slowest models (what a user tunes or opts out).
  std::vector<const ModelAccounting*> slow;
  for (const ModelAccounting& a : acc.models) slow.push_back(&a);
  std::sort(slow.begin(), slow.end(), [](const ModelAccounting* x, const ModelAccounting* y) {
    return x->seconds > y->seconds;
  });
  if (slow.size() > 1 && acc.seconds >= 0.5) {
    out += "accounting time, slowest:";
    for (std::size_t i = 0; i < slow.size() && i < 5; ++i) {
      std::snprintf(buf, sizeof buf, "%s %s %.2fs", i ? "," : "", slow[i]->name.c_str(),
                    slow[i]->seconds);
      out += buf;
    }
    out += "\n";
  }
  return out;
}

}  // namespace baliza::lineage
