#include "lineage/ledger.h"

#include <algorithm>

#include "core/error.h"

namespace baliza::lineage {
namespace {

using json = nlohmann::json;

std::int64_t count_of(Connection& conn, const std::string& sql) {
  Result r = conn.query(sql);
  if (r.row_count() == 0 || r.is_null(0, 0)) return 0;
  return r.get_int64(0, 0);
}

// The same through `sql`'s cache: a relation counted for one model (its output) is counted
// again for the next (its input) and the equal text is not run twice.
std::int64_t count_of(FlowSql& sql, const std::string& text) {
  return sql.count(text, [&] { return count_of(sql.connection(), text); });
}

json without_locations(const json& j) {
  if (j.is_object()) {
    json out = json::object();
    for (auto it = j.begin(); it != j.end(); ++it)
      if (it.key() != "query_location" && it.key() != "alias")
        out[it.key()] = without_locations(*it);
    return out;
  }
  if (j.is_array()) {
    json out = json::array();
    for (const json& x : j) out.push_back(without_locations(x));
    return out;
  }
  return j;
}

bool same_expr(const Expr& a, const Expr& b) {
  return without_locations(*a.json) == without_locations(*b.json);
}

bool is_not_of(const Expr& maybe_not, const Expr& e) {
  return maybe_not.kind == ExprKind::kOperator && maybe_not.type == "OPERATOR_NOT" &&
         maybe_not.children.size() == 1 && same_expr(*maybe_not.children[0], e);
}

// DuckDB's parser folds NOT over a comparison (NOT a >= b is a < b): both forms complement.
bool negated_types(const std::string& a, const std::string& b) {
  static const std::pair<const char*, const char*> pairs[] = {
      {"COMPARE_EQUAL", "COMPARE_NOTEQUAL"},
      {"COMPARE_LESSTHAN", "COMPARE_GREATERTHANOREQUALTO"},
      {"COMPARE_GREATERTHAN", "COMPARE_LESSTHANOREQUALTO"},
      {"COMPARE_DISTINCT_FROM", "COMPARE_NOT_DISTINCT_FROM"},
      {"OPERATOR_IS_NULL", "OPERATOR_IS_NOT_NULL"},
      {"COMPARE_IN", "COMPARE_NOT_IN"}};
  for (const auto& [x, y] : pairs)
    if ((a == x && b == y) || (a == y && b == x)) return true;
  return false;
}

bool complements(const Expr& a, const Expr& b) {
  if (is_not_of(a, b) || is_not_of(b, a)) return true;
  if (a.kind != b.kind || !negated_types(a.type, b.type)) return false;
  if (a.children.size() != b.children.size()) return false;
  for (std::size_t i = 0; i < a.children.size(); ++i)
    if (!same_expr(*a.children[i], *b.children[i])) return false;
  return true;
}

const Flow* base_relation(const Flow* f) {
  f = strip_projections(*f);
  return f->kind == FlowKind::kRelation ? f : nullptr;
}

std::string flow_label(const Flow& f) {
  if (f.kind == FlowKind::kRelation) return f.relation.label();
  if (!f.cte_name.empty()) return f.cte_name;
  if (const Flow* b = base_relation(&f)) return b->relation.label();
  if (f.kind == FlowKind::kSelect && f.source) return flow_label(*f.source);
  return f.binding.empty() ? "(subquery)" : f.binding;
}

const Expr* unnest_argument(const Expr* e) {
  while (e->kind == ExprKind::kCast && !e->children.empty()) e = e->children[0].get();
  if (e->kind != ExprKind::kFunction || e->children.empty()) return nullptr;
  return e->children[0].get();
}

// The ledger being built for one counted flow.
struct Measure {
  FlowSql& sql;
  const std::vector<ErrorRelation>& errors;
  ModelLedger& ledger;
  std::int64_t fanout = 0;
  std::int64_t groups = -1;  // aggregation: distinct groups among the kept rows
  std::int64_t having_removed = 0;
  std::optional<std::int64_t> produced;  // rows the build produced, when it equals the table's

  Connection& conn() { return sql.connection(); }
  void line(LineKind kind, std::string relation, std::string reason, std::int64_t rows) {
    ledger.lines.push_back({kind, std::move(relation), std::move(reason), rows});
  }
  const ErrorRelation* routed(const Expr& filter) {
    for (const ErrorRelation& e : errors)
      if (e.rejected == &filter) return &e;
    return nullptr;
  }
};

// Joins of a left-deep FROM: returns the driving (leftmost) flow; fills lines; nullopt + reason
// when a join cannot be accounted.
std::optional<std::string> account_joins(Measure& m, const Flow& join, const std::string& with,
                                         std::int64_t& driving_rows) {
  const Flow& left = *join.left;
  const Flow& right = *join.right;
  if (left.kind == FlowKind::kJoin) {
    if (auto why = account_joins(m, left, with, driving_rows)) return why;
  } else {
    if (!left.table) return std::string("join side without a FROM item");
    driving_rows = count_of(m.sql, with + "SELECT count(*) FROM " + m.sql.from_item(*left.table));
    m.line(LineKind::kInput, flow_label(left), "driving side of the join", driving_rows);
  }
  const std::string& type = join.join_type;
  bool constant_row = join.cross && right.kind == FlowKind::kSelect && !right.source &&
                      right.unnests.empty() && !right.aggregate && right.filters.empty();
  if (join.cross && !constant_row) return std::string("cross join with " + flow_label(right));
  if (!join.cross && join.keys.empty())
    return std::string("join with " + flow_label(right) + " without a key equality");
  if (type != "INNER" && type != "LEFT" && type != "SEMI" && type != "ANTI")
    return std::string(type + " join with " + flow_label(right));

  const std::string left_sql = m.sql.from_item(*join.table->left);
  const std::string right_sql = m.sql.from_item(*join.table->right);
  const std::string joined_sql = m.sql.from_item(*join.table);
  std::int64_t left_rows = count_of(m.sql, with + "SELECT count(*) FROM " + left_sql);
  std::int64_t joined = count_of(m.sql, with + "SELECT count(*) FROM " + joined_sql);
  std::int64_t lookup = count_of(m.sql, with + "SELECT count(*) FROM " + right_sql);
  m.line(LineKind::kLookup, flow_label(right), type + " join", lookup);
  if (join.cross) {
    m.fanout += joined - left_rows;
    return std::nullopt;
  }
  std::string condition;
  if (!join.table->using_columns.empty()) {
    condition = " USING (";
    for (std::size_t i = 0; i < join.table->using_columns.size(); ++i)
      condition += (i ? ", " : "") + quote_identifier(join.table->using_columns[i]);
    condition += ")";
  } else {
    condition = " ON " + m.sql.expr(*join.table->condition);
  }
  std::int64_t dropped = 0;
  if (type == "INNER") {
    dropped = count_of(
        m.sql, with + "SELECT count(*) FROM " + left_sql + " ANTI JOIN " + right_sql + condition);
    m.fanout += joined - (left_rows - dropped);
  } else if (type == "LEFT") {
    m.fanout += joined - left_rows;
  } else {
    dropped = left_rows - joined;  // SEMI keeps matches, ANTI keeps non-matches
  }
  if (type != "LEFT")
    m.line(LineKind::kFiltered, "",
           type == "ANTI" ? "anti join " + flow_label(right) + " (rows with a match)"
                          : "join " + flow_label(right) + " (no match)",
           dropped);
  return std::nullopt;
}

std::string all_of(const std::vector<std::string>& conds, std::size_t n) {
  if (n == 0) return "TRUE";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += (i ? " AND " : "") + conds[i];
  return out;
}

std::string key_row(FlowSql& sql, const std::vector<const Expr*>& keys) {
  std::string out = "row(";
  for (std::size_t i = 0; i < keys.size(); ++i) out += (i ? ", " : "") + sql.expr(*keys[i]);
  return out + ")";
}

// The number of elements a select's unnest produces, measured cheaply when the list is a JSON
// array parsed in the source: `unnest(x)` over a source whose x is from_json(body, schema).field
// counts json_array_length(body, '$."field"') (the same elements, without building structs).
// nullopt when the shape is not that one.
std::optional<std::int64_t> json_array_elements(Measure& m, const Flow& f) {
  if (f.unnests.empty() || !f.filters.empty() || f.aggregate || f.dedup.kind != DedupKind::kNone)
    return std::nullopt;
  const Flow& src = *f.source;
  if (src.kind != FlowKind::kSelect || !src.query || !src.query->from || !src.filters.empty() ||
      !src.unnests.empty() || src.aggregate || src.dedup.kind != DedupKind::kNone)
    return std::nullopt;
  std::string body, field;
  for (const Expr* u : f.unnests) {
    const Expr* arg = unnest_argument(u);
    if (!arg) return std::nullopt;
    if (arg->kind == ExprKind::kFunction && iequals(arg->function_name, "range") &&
        arg->children.size() == 1 && arg->children[0]->kind == ExprKind::kFunction &&
        (iequals(arg->children[0]->function_name, "len") ||
         iequals(arg->children[0]->function_name, "length")) &&
        arg->children[0]->children.size() == 1)
      arg = arg->children[0]->children[0].get();  // unnest(range(len(x))): as many as x
    if (arg->kind != ExprKind::kColumnRef || arg->column_names.size() != 1) return std::nullopt;
    const Expr* item = nullptr;
    for (const auto& e : src.query->select_list)
      if (iequals(e->output_name(), arg->column_names[0])) item = e.get();
    if (!item || item->kind != ExprKind::kOperator || item->type != "STRUCT_EXTRACT" ||
        item->children.size() != 2 || item->children[1]->kind != ExprKind::kConstant)
      return std::nullopt;
    const Expr& parse = *item->children[0];
    if (parse.kind != ExprKind::kFunction || !iequals(parse.function_name, "from_json") ||
        parse.children.size() != 2)
      return std::nullopt;
    std::string b = m.sql.expr(*parse.children[0]);
    if ((!body.empty() && b != body) || (!field.empty() && field != item->children[1]->constant))
      return std::nullopt;
    body = b;
    field = item->children[1]->constant;
  }
  std::string path = "$.\"" + field + "\"";
  return count_of(m.sql, m.sql.with_clause(src) + "SELECT coalesce(sum(json_array_length(" + body +
                             ", " + quote_literal(path) + ")), 0) FROM " +
                             m.sql.from_item(*src.query->from));
}

std::optional<std::string> account_select(Measure& m, const Flow& f) {
  if (!f.source) return std::string("no FROM: constant rows");
  if (f.source->kind == FlowKind::kOpaque) return "input: " + f.source->reason;
  if (f.source->kind == FlowKind::kTableFunction) return std::string("input is a table function");
  const std::string with = m.sql.with_clause(f);
  const std::string from = m.sql.from_item(*f.query->from);
  const bool joined = f.source->kind == FlowKind::kJoin;
  if (joined && !f.unnests.empty()) return std::string("unnest over a join");
  // A pure unnest whose table is exactly this build's output: its elements are the rows its SQL
  // produced (DuckDB's own count), no need to re-read every list.
  if (m.produced && !joined && !f.unnests.empty() && f.filters.empty() && !f.aggregate &&
      f.dedup.kind == DedupKind::kNone && !f.query->has_limit) {
    m.line(LineKind::kInput, flow_label(*f.source),
           "list elements unnested (the rows its SQL produced in this build: DuckDB's count)",
           *m.produced);
    m.ledger.input = *m.produced;
    return std::nullopt;
  }

  std::int64_t driving = 0;
  if (joined) {
    if (auto why = account_joins(m, *f.source, with, driving)) return why;
  }
  // One scan of the FROM: the input, each filter's rejects, what passes, dedup keys / groups.
  const std::optional<std::int64_t> measured = joined ? std::nullopt : json_array_elements(m, f);
  const bool fast = measured.has_value();
  const std::int64_t elements = measured.value_or(0);
  std::string weight;
  for (const Expr* u : fast ? std::vector<const Expr*>{} : f.unnests) {
    const Expr* arg = unnest_argument(u);
    if (!arg) return std::string("unnest without an argument");
    weight += (weight.empty() ? "" : ", ") + ("coalesce(len(" + m.sql.expr(*arg) + "), 0)");
  }
  if (f.unnests.size() > 1 && !weight.empty()) weight = "greatest(" + weight + ")";
  auto units = [&](const std::string& cond) {
    return weight.empty() ? "count(*) FILTER (WHERE " + cond + ")"
                          : "coalesce(sum(" + weight + ") FILTER (WHERE " + cond + "), 0)";
  };
  std::vector<std::string> conds;
  for (const Expr* c : f.filters) conds.push_back("coalesce((" + m.sql.expr(*c) + "), false)");
  std::string select = "SELECT count(*), " + units("TRUE");
  for (std::size_t i = 0; i < conds.size(); ++i)
    select += ", " + units(all_of(conds, i) + " AND NOT " + conds[i]);
  const std::string pass_cond = all_of(conds, conds.size());
  select += ", " + units(pass_cond);
  const bool rn = f.dedup.kind == DedupKind::kRowNumber && !f.dedup.keys.empty();
  const bool grouped = f.aggregate && !f.group_keys.empty();
  if (rn)
    select +=
        ", count(DISTINCT " + key_row(m.sql, f.dedup.keys) + ") FILTER (WHERE " + pass_cond + ")";
  if (grouped)
    select +=
        ", count(DISTINCT " + key_row(m.sql, f.group_keys) + ") FILTER (WHERE " + pass_cond + ")";
  Result r = m.conn().query(with + select + " FROM " + from);
  auto at = [&](std::size_t col) {
    return r.is_null(col, 0) ? std::int64_t{0} : r.get_int64(col, 0);
  };
  std::size_t col = 0;
  const std::int64_t source_rows = at(col++);
  const std::int64_t input_units = fast ? elements : at(col);
  col++;
  std::vector<std::int64_t> rejected;
  for (std::size_t i = 0; i < conds.size(); ++i) rejected.push_back(at(col++));
  const std::int64_t passed = fast ? elements : at(col);
  col++;

  if (!joined) {
    if (!f.unnests.empty()) {
      m.line(LineKind::kRead, flow_label(*f.source), "rows whose lists are unnested", source_rows);
      m.line(LineKind::kInput, flow_label(*f.source), "list elements unnested", input_units);
    } else {
      m.line(LineKind::kInput, flow_label(*f.source), "", input_units);
    }
    m.ledger.input = input_units;
  } else {
    m.ledger.input = driving;
  }
  for (std::size_t i = 0; i < conds.size(); ++i) {
    const std::string text = m.sql.expr(*f.filters[i]);
    if (const ErrorRelation* e = m.routed(*f.filters[i])) {
      std::int64_t kept = count_of(m.sql, "SELECT count(*) FROM " + FlowSql::relation(e->name));
      m.line(LineKind::kError, e->label,
             "rows failing where " + text + " (" + std::to_string(rejected[i]) + " rejected)",
             kept);
    } else {
      m.line(LineKind::kFiltered, "", "where " + text, rejected[i]);
    }
  }
  std::int64_t after = passed;
  if (rn) {
    std::int64_t kept = at(col++);
    std::string keys;
    for (const Expr* k : f.dedup.keys) keys += (keys.empty() ? "" : ", ") + m.sql.expr(*k);
    m.line(LineKind::kFiltered, "", "dedup: one row per [" + keys + "] (row_number() = 1)",
           after - kept);
    after = kept;
  } else if (f.dedup.kind == DedupKind::kWindowFilter) {
    std::int64_t failed = count_of(
        m.sql, with + "SELECT count(*) FILTER (WHERE NOT coalesce(q, false)) FROM (SELECT (" +
                   m.sql.expr(*f.dedup.qualify) + ") AS q FROM " + from + " WHERE " + pass_cond +
                   ")");
    m.line(LineKind::kFiltered, "", "qualify " + m.sql.expr(*f.dedup.qualify), failed);
    after -= failed;
  } else if (f.dedup.kind != DedupKind::kNone) {
    std::int64_t kept = count_of(m.sql, "SELECT count(*) FROM (" + m.sql.query(f) + ")");
    m.line(LineKind::kFiltered, "",
           f.dedup.kind == DedupKind::kDistinct ? "distinct" : "distinct on", after - kept);
    after = kept;
  }
  if (f.aggregate) {
    m.groups = grouped ? at(col++) : 1;
    m.line(LineKind::kGroups, "", "groups of the kept rows", m.groups);
    if (f.having) {
      std::int64_t rows = count_of(m.sql, "SELECT count(*) FROM (" + m.sql.query(f) + ")");
      m.having_removed = m.groups - rows;
      m.line(LineKind::kFiltered, "", "having " + m.sql.expr(*f.having) + " (groups)",
             m.having_removed);
    }
  }
  return std::nullopt;
}

std::optional<std::string> account_union(Measure& m, const Flow& f) {
  if (f.setop_type != "UNION" && f.setop_type != "UNION_BY_NAME")
    return f.setop_type + " of queries";
  std::int64_t operands_out = 0;
  for (std::size_t i = 0; i < f.operands.size(); ++i) {
    const Flow* op = strip_projections(*f.operands[i]);
    const std::string label = "operand " + std::to_string(i + 1) + ": ";
    if (op->kind == FlowKind::kRelation) {
      std::int64_t n = count_of(m.sql, "SELECT count(*) FROM " + FlowSql::relation(op->relation));
      m.line(LineKind::kInput, op->relation.label(), label + "all rows", n);
      m.ledger.input += n;
      operands_out += n;
      continue;
    }
    bool plain = op->kind == FlowKind::kSelect && op->source &&
                 op->source->kind != FlowKind::kJoin && op->unnests.empty() && !op->aggregate &&
                 op->dedup.kind == DedupKind::kNone;
    if (!plain) return label + describe(*op);
    ModelLedger sub;
    Measure inner{m.sql, m.errors, sub};
    if (auto why = account_select(inner, *op)) return label + *why;
    for (LedgerLine& l : sub.lines) {
      l.reason = label + (l.reason.empty() ? "all rows" : l.reason);
      m.ledger.lines.push_back(l);
    }
    std::int64_t removed = 0;
    for (const LedgerLine& l : sub.lines)
      if (l.kind == LineKind::kFiltered || l.kind == LineKind::kError) removed += l.rows;
    m.ledger.input += sub.input;
    operands_out += sub.input - removed;
  }
  if (!f.all) {
    std::int64_t rows = count_of(m.sql, "SELECT count(*) FROM (" + m.sql.query(f) + ")");
    m.line(LineKind::kFiltered, "", "union: duplicates removed", operands_out - rows);
  }
  return std::nullopt;
}

void settle(ModelLedger& l, std::int64_t fanout, std::int64_t groups, std::int64_t having_removed,
            std::int64_t table_rows, std::int64_t kept = 0) {
  // Settling again (with rows kept from earlier runs) replaces the lines settling adds.
  l.lines.erase(std::remove_if(l.lines.begin(), l.lines.end(),
                               [](const LedgerLine& x) {
                                 return x.kind == LineKind::kFanout ||
                                        x.kind == LineKind::kOutput || x.kind == LineKind::kKept;
                               }),
                l.lines.end());
  l.filtered = l.errors = 0;
  l.message.clear();
  for (const LedgerLine& line : l.lines) {
    if (line.kind == LineKind::kFiltered && line.reason.find("(groups)") == std::string::npos)
      l.filtered += line.rows;
    if (line.kind == LineKind::kError) l.errors += line.rows;
  }
  if (fanout != 0)
    l.lines.push_back(
        {LineKind::kFanout, "", "join multiplied rows (a side not unique on its keys)", fanout});
  l.lines.push_back({LineKind::kOutput, l.relation, "", table_rows});
  if (kept > 0)
    l.lines.push_back({LineKind::kKept, l.relation,
                       "rows kept from earlier runs (keys this run's SQL does not produce)", kept});
  table_rows -= kept;
  if (groups >= 0) {
    l.output = l.input - l.filtered - l.errors;  // rows folded into groups (same scan)
    bool ok = groups - having_removed == table_rows && fanout == 0;
    l.status = ok ? LedgerStatus::kBalanced : LedgerStatus::kUnbalanced;
    if (!ok)
      l.message = fanout != 0 ? "a join added " + std::to_string(fanout) + " rows"
                              : std::to_string(groups - having_removed) + " groups expected, " +
                                    std::to_string(table_rows) + " rows in the table";
    return;
  }
  l.output = table_rows;
  bool ok = l.input == l.output + l.filtered + l.errors && fanout == 0;
  l.status = ok ? LedgerStatus::kBalanced : LedgerStatus::kUnbalanced;
  if (fanout != 0)
    l.message = "a join added " + std::to_string(fanout) + " rows: not on a unique key";
  else if (!ok)
    l.message = std::to_string(l.input - l.output - l.filtered - l.errors) +
                " rows unaccounted for (input - output - filtered - errors)";
}

}  // namespace

const char* to_string(LineKind kind) {
  switch (kind) {
    case LineKind::kInput:
      return "input";
    case LineKind::kRead:
      return "read";
    case LineKind::kLookup:
      return "lookup";
    case LineKind::kOutput:
      return "output";
    case LineKind::kFiltered:
      return "filtered";
    case LineKind::kError:
      return "error";
    case LineKind::kFanout:
      return "fanout";
    case LineKind::kGroups:
      return "groups";
    case LineKind::kKept:
      return "kept";
  }
  return "?";
}

const char* to_string(LedgerStatus status) {
  switch (status) {
    case LedgerStatus::kBalanced:
      return "balanced";
    case LedgerStatus::kUnbalanced:
      return "unbalanced";
    case LedgerStatus::kNotAccounted:
      return "not_accounted";
  }
  return "?";
}

std::string ModelLedger::equation() const {
  if (status == LedgerStatus::kNotAccounted) return "not accounted: " + message;
  std::string eq = std::to_string(input) + (status == LedgerStatus::kBalanced ? " = " : " != ") +
                   std::to_string(output) + " + " + std::to_string(filtered) + " + " +
                   std::to_string(errors);
  return eq;
}

ModelLedger account_model(FlowSql& sql, const ModelShape& shape, const std::string& output,
                          const std::vector<ErrorRelation>& errors,
                          std::optional<std::int64_t> produced,
                          const std::vector<std::string>& merge_keys) {
  ModelLedger ledger;
  const Flow* f = strip_projections(*shape.flow);
  ledger.shape = describe(*f);
  Measure m{sql, errors, ledger};
  std::optional<std::string> why;
  try {
    std::int64_t table_rows = count_of(sql, "SELECT count(*) FROM " + output);
    if (produced && *produced == table_rows) m.produced = produced;
    for (const RelationName& r : input_relations(*shape.flow))
      m.line(LineKind::kRead, r.label(), "rows of an input relation",
             count_of(sql, "SELECT count(*) FROM " + FlowSql::relation(r)));
    switch (f->kind) {
      case FlowKind::kSelect:
        why = account_select(m, *f);
        break;
      case FlowKind::kSetOperation:
        why = account_union(m, *f);
        break;
      case FlowKind::kRelation:
        ledger.input = count_of(sql, "SELECT count(*) FROM " + FlowSql::relation(f->relation));
        m.line(LineKind::kInput, f->relation.label(), "", ledger.input);
        break;
      default:
        why = describe(*f);
        break;
    }
    if (!why) settle(ledger, m.fanout, m.groups, m.having_removed, table_rows);
    if (!why && ledger.status == LedgerStatus::kUnbalanced && !merge_keys.empty() &&
        m.fanout == 0) {
      std::string match;
      for (const std::string& k : merge_keys)
        match +=
            (match.empty() ? "" : " AND ") +
            ("__s." + quote_identifier(k) + " IS NOT DISTINCT FROM __t." + quote_identifier(k));
      const std::int64_t kept = count_of(
          sql, "SELECT count(*) FROM " + output + " AS __t WHERE NOT EXISTS (SELECT 1 FROM (" +
                   sql.query(*shape.flow) + ") AS __s WHERE " + match + ")");
      if (kept > 0) settle(ledger, m.fanout, m.groups, m.having_removed, table_rows, kept);
    }
  } catch (const Error& e) {
    why = std::string("measuring failed: ") + e.what();
  }
  if (why) {
    ledger.status = LedgerStatus::kNotAccounted;
    ledger.message = *why;
    ledger.lines.clear();
    ledger.input = ledger.output = ledger.filtered = ledger.errors = 0;
  }
  return ledger;
}

ModelLedger account_declared(Connection& conn, const DeclaredAccounting& d,
                             const std::string& output) {
  ModelLedger l;
  l.shape = "declared";
  if (d.disabled) {
    l.message = "disabled in the model's config (accounting: false)";
    return l;
  }
  try {
    std::int64_t table_rows = count_of(conn, "SELECT count(*) FROM " + output);
    l.input = count_of(conn, "SELECT count(*) FROM " + d.input);
    l.lines.push_back({LineKind::kInput, d.input_label, "declared", l.input});
    for (const auto& [name, predicate] : d.filters) {
      std::int64_t n = count_of(conn, "SELECT count(*) FROM " + d.input + " WHERE " + predicate);
      l.lines.push_back({LineKind::kFiltered, "", name + " (declared: " + predicate + ")", n});
    }
    for (const auto& [label, relation] : d.errors) {
      std::int64_t n = count_of(conn, "SELECT count(*) FROM " + relation);
      l.lines.push_back({LineKind::kError, label, "declared error relation", n});
    }
    settle(l, 0, -1, 0, table_rows);
  } catch (const Error& e) {
    l.status = LedgerStatus::kNotAccounted;
    l.message = std::string("declared accounting failed: ") + e.what();
    l.lines.clear();
  }
  return l;
}

const Expr* complemented_filter(const ModelShape& model, const ModelShape& candidate) {
  const Flow* fm = strip_projections(*model.flow);
  const Flow* fc = strip_projections(*candidate.flow);
  if (fm->kind != FlowKind::kSelect || fc->kind != FlowKind::kSelect) return nullptr;
  if (!fm->source || !fc->source) return nullptr;
  if (!fc->unnests.empty() || fc->aggregate || fc->dedup.kind != DedupKind::kNone) return nullptr;
  const Flow* rm = base_relation(fm->source.get());
  const Flow* rc = base_relation(fc->source.get());
  if (!rm || !rc || !(rm->relation == rc->relation)) return nullptr;
  for (const Expr* c : fm->filters)
    for (const Expr* d : fc->filters)
      if (complements(*c, *d)) return c;
  return nullptr;
}

}  // namespace baliza::lineage
