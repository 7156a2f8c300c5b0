#include "lineage/rowid_carrier.h"

#include "core/error.h"

namespace baliza::lineage {
namespace {

using json = nlohmann::json;

// The base relations bound in a FROM tree of relations and joins (false when it has anything
// else: a CTE, a subquery, a table function).
bool relation_bindings(const Flow& f, std::vector<const Flow*>& out) {
  if (f.kind == FlowKind::kJoin)
    return relation_bindings(*f.left, out) && relation_bindings(*f.right, out);
  if (f.kind != FlowKind::kRelation) return false;
  out.push_back(&f);
  return true;
}

std::string why_not(const Flow& op) {
  if (op.kind == FlowKind::kSetOperation) return "a nested " + op.setop_type + " operand";
  if (op.kind != FlowKind::kSelect || !op.query) return "operand " + describe(op);
  if (!op.source) return "an operand without FROM";
  if (op.aggregate) return "an operand that aggregates (" + describe(op) + ")";
  if (op.dedup.kind == DedupKind::kDistinct || op.dedup.kind == DedupKind::kDistinctOn)
    return "a DISTINCT operand";
  return {};
}

}  // namespace

RowidCarrier carry_rowids(FlowSql& sql, const Flow& setop) {
  RowidCarrier out;
  if (setop.kind != FlowKind::kSetOperation ||
      (setop.setop_type != "UNION" && setop.setop_type != "UNION_BY_NAME")) {
    out.reason = "not a UNION: " + describe(setop);
    return out;
  }
  // Slots: per operand, the (binding, slot) pairs it fills.
  std::vector<std::vector<std::pair<std::string, std::size_t>>> filled(setop.operands.size());
  for (std::size_t i = 0; i < setop.operands.size(); ++i) {
    const Flow& op = *setop.operands[i];
    if (std::string why = why_not(op); !why.empty()) {
      out.reason = "union operand " + std::to_string(i + 1) + ": " + why;
      return out;
    }
    std::vector<const Flow*> rels;
    if (!relation_bindings(*op.source, rels)) {
      out.reason = "union operand " + std::to_string(i + 1) + " reads " + describe(*op.source) +
                   " (only base relations and joins of them are carried)";
      return out;
    }
    for (const Flow* r : rels) {
      std::size_t slot = out.inputs.size();
      for (std::size_t k = 0; k < out.inputs.size(); ++k) {
        bool used = false;
        for (const auto& [b, s] : filled[i]) used = used || s == k;
        if (!used && out.inputs[k].relation == r->relation) {
          slot = k;
          break;
        }
      }
      if (slot == out.inputs.size())
        out.inputs.push_back({r->relation, "__rid_" + std::to_string(slot)});
      filled[i].emplace_back(r->binding.empty() ? r->relation.table : r->binding, slot);
    }
  }
  std::string text;
  for (std::size_t i = 0; i < setop.operands.size(); ++i) {
    std::string items;
    for (std::size_t k = 0; k < out.inputs.size(); ++k) {
      std::string value = "NULL::BIGINT";
      for (const auto& [binding, slot] : filled[i])
        if (slot == k) value = quote_identifier(binding) + ".rowid";
      items += (k ? ", " : "") + value + " AS " + quote_identifier(out.inputs[k].column);
    }
    Result r = sql.connection()
                   .prepare("SELECT json_serialize_sql($1::VARCHAR)")
                   .bind(1, "SELECT " + items)
                   .execute();
    json parsed = json::parse(r.get_string(0, 0), nullptr, false);
    if (parsed.is_discarded() || parsed.value("error", false))
      throw failure("cannot build the rowid columns of a union operand");
    json node = *setop.operands[i]->query->json;
    for (const json& item : parsed["statements"][0]["node"]["select_list"])
      node["select_list"].push_back(item);
    text +=
        (i ? (setop.setop_type == "UNION_BY_NAME" ? " UNION ALL BY NAME " : " UNION ALL ") : "") +
        ("(" + query_sql(sql.connection(), node) + ")");
  }
  out.sql = text;
  return out;
}

}  // namespace baliza::lineage
