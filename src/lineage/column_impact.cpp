#include "lineage/column_impact.h"

#include <deque>
#include <set>

namespace baliza::lineage {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool same_relation(const RelationName& a, const RelationName& b) {
  auto schema = [](const RelationName& r) {
    return r.schema.empty() ? std::string("main") : r.schema;
  };
  return iequals(schema(a), schema(b)) && iequals(a.table, b.table);
}

// "valorGlobal" matches "data[].valorGlobal"; a full path matches itself.
bool field_matches(const std::string& path, const std::string& field) {
  if (field.empty()) return true;
  if (iequals(path, field)) return true;
  return path.size() > field.size() && iequals(path.substr(path.size() - field.size()), field) &&
         (path[path.size() - field.size() - 1] == '.');
}

RelationName split(const std::string& label) {
  auto dot = label.find('.');
  if (dot == std::string::npos) return {"", label};
  return {label.substr(0, dot), label.substr(dot + 1)};
}

struct Pending {
  RelationName relation;
  std::string column;
  std::string field;  // only for the starting column
};

}  // namespace

const ModelColumnImpact* ColumnImpact::find(const std::string& relation) const {
  auto it = models.find(lower(relation));
  return it == models.end() ? nullptr : &it->second;
}

ColumnImpact column_impact(const ProjectLineage& lineage, const RelationName& relation,
                           const std::string& column, const std::string& field) {
  ColumnImpact out;
  std::deque<Pending> queue{{relation, column, field}};
  std::set<std::string> seen{lower(relation.label() + "." + column)};
  auto reach = [&](const ModelColumns& m, const std::string& col, const std::string& how) {
    ModelColumnImpact& mi = out.models[lower(m.relation)];
    for (const ImpactedColumn& c : mi.columns)
      if (iequals(c.column, col)) return;
    mi.columns.push_back({col, how});
    if (seen.insert(lower(m.relation + "." + col)).second)
      queue.push_back({split(m.relation), col, ""});
  };
  while (!queue.empty()) {
    Pending p = queue.front();
    queue.pop_front();
    const std::string from =
        p.relation.label() + "." + p.column + (p.field.empty() ? std::string() : " -> " + p.field);
    for (const ModelColumns& m : lineage.models()) {
      if (m.relation.empty()) continue;  // ephemeral: inlined into its readers' lineage
      auto uses = [&](const ColumnInput& in) {
        return same_relation(in.relation, p.relation) && iequals(in.column, p.column) &&
               (p.field.empty() || field_matches(in.field_path, p.field));
      };
      for (const ColumnInput& in : m.lineage.dataset) {
        if (!uses(in)) continue;
        ModelColumnImpact& mi = out.models[lower(m.relation)];
        if (mi.rows_shaped.empty()) {
          mi.rows_shaped = in.subtype + " on " + from;
          for (const ColumnLineage& c : m.lineage.columns)
            reach(m, c.column, "rows shaped by " + in.subtype + " on " + from);
        }
      }
      for (const ColumnLineage& c : m.lineage.columns)
        for (const ColumnInput& in : c.inputs)
          if (uses(in)) reach(m, c.column, in.type + " " + in.subtype + " of " + from);
    }
  }
  return out;
}

}  // namespace baliza::lineage
