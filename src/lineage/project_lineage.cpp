#include "lineage/project_lineage.h"

#include <algorithm>
#include <set>

#include "core/clock.h"
#include "transform/relation.h"

namespace baliza::lineage {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string key_of(const RelationName& r) {
  return lower((r.schema.empty() ? std::string("main") : r.schema) + "." + r.table);
}

bool is_model_relation(const transform::Node& n) {
  return n.resource_type == transform::ResourceType::kModel && n.config.materialized != "ephemeral";
}

}  // namespace

std::optional<std::vector<std::string>> ProjectLineage::relation_columns(const RelationName& r,
                                                                         Connection& conn) {
  std::string key = key_of(r);
  if (auto it = by_relation_.find(key); it != by_relation_.end()) {
    const ModelLineage& m = models_[it->second].lineage;
    if (m.known) {
      std::vector<std::string> cols;
      for (const auto& c : m.columns) cols.push_back(c.column);
      return cols;
    }
  }
  if (auto it = catalog_.find(key); it != catalog_.end()) return it->second;
  if (catalog_complete_) return std::nullopt;
  std::optional<std::vector<std::string>> cols;
  try {
    Result res =
        conn.query("SELECT column_name FROM duckdb_columns() WHERE lower(schema_name) = " +
                   quote_literal(lower(r.schema.empty() ? std::string("main") : r.schema)) +
                   " AND lower(table_name) = " + quote_literal(lower(r.table)) +
                   " AND database_name = current_database() ORDER BY column_index");
    if (res.row_count() > 0) {
      cols.emplace();
      for (std::size_t i = 0; i < res.row_count(); ++i) cols->push_back(res.get_string(0, i));
    }
  } catch (const std::exception&) {
  }
  catalog_[key] = cols;
  return cols;
}

void ProjectLineage::preload_catalog(Connection& conn) {
  Result r = conn.query(
      "SELECT lower(schema_name || '.' || table_name), column_name FROM duckdb_columns() WHERE "
      "database_name = current_database() ORDER BY schema_name, table_name, column_index");
  catalog_.clear();
  for (std::size_t i = 0; i < r.row_count(); ++i) {
    auto& cols = catalog_[r.get_string(0, i)];
    if (!cols) cols.emplace();
    cols->push_back(r.get_string(1, i));
  }
  catalog_complete_ = true;
}

void ProjectLineage::add_model(const transform::Node& node, const std::string& compiled_sql,
                               Connection& conn) {
  try {
    ModelShape shape = analyze_sql(conn, compiled_sql);
    add_model(node, &shape, "", conn);
  } catch (const std::exception& e) {
    add_model(node, nullptr, e.what(), conn);
  }
}

void ProjectLineage::add_model(const transform::Node& node, const ModelShape* shape,
                               const std::string& error, Connection& conn) {
  ModelColumns m;
  m.unique_id = node.unique_id;
  m.name = node.name;
  if (is_model_relation(node))
    m.relation = transform::node_schema(node) + "." + transform::node_identifier(node);
  try {
    if (!shape) throw std::runtime_error(error);
    m.lineage =
        column_lineage(*shape, [&](const RelationName& r) { return relation_columns(r, conn); });
  } catch (const std::exception& e) {
    m.lineage.known = false;
    m.lineage.reason = std::string("the SQL could not be analysed: ") + e.what();
  }
  std::size_t index = models_.size();
  if (!m.relation.empty()) {
    by_relation_[lower(m.relation)] = index;
    if (!catalog_complete_) catalog_.erase(lower(m.relation));
  }
  by_name_[lower(m.name)] = index;
  by_name_[lower(m.unique_id)] = index;
  if (!m.relation.empty()) by_name_[lower(m.relation)] = index;
  models_.push_back(std::move(m));
}

const ModelColumns* ProjectLineage::find(const std::string& name) const {
  auto it = by_name_.find(lower(name));
  return it == by_name_.end() ? nullptr : &models_[it->second];
}

const ModelColumns* ProjectLineage::producer(const RelationName& relation) const {
  auto it = by_relation_.find(key_of(relation));
  return it == by_relation_.end() ? nullptr : &models_[it->second];
}

nlohmann::json to_json(const ColumnInput& in) {
  nlohmann::json j = {{"relation", in.relation.label()},
                      {"column", in.column},
                      {"type", in.type},
                      {"subtype", in.subtype}};
  if (!in.field_path.empty()) j["field_path"] = in.field_path;
  if (!in.endpoints.empty()) j["endpoints"] = in.endpoints;
  return j;
}

void ProjectLineage::store(Connection& conn) const {
  conn.execute("CREATE SCHEMA IF NOT EXISTS lineage");
  conn.execute(
      "CREATE TABLE IF NOT EXISTS lineage.columns (model VARCHAR, relation VARCHAR, "
      "column_name VARCHAR, ordinal INTEGER, input_relation VARCHAR, input_column VARCHAR, "
      "field_path VARCHAR, endpoints VARCHAR, transformation_type VARCHAR, subtype VARCHAR, "
      "known BOOLEAN, reason VARCHAR, updated_at TIMESTAMP)");
  std::string now = utc_timestamp_now();
  conn.transaction([&] {
    std::string ids;
    for (const ModelColumns& m : models_)
      ids += (ids.empty() ? "" : ", ") + quote_literal(m.unique_id);
    if (!ids.empty()) conn.execute("DELETE FROM lineage.columns WHERE model IN (" + ids + ")");
    Appender app = conn.appender("lineage", "columns");
    auto row = [&](const ModelColumns& m, const std::string* column, int ordinal,
                   const ColumnInput* in, bool known, const std::string& reason) {
      app.append(m.unique_id).append(m.relation);
      column ? app.append(*column) : app.append_null();
      ordinal > 0 ? app.append(ordinal) : app.append_null();
      if (in) {
        std::string endpoints;
        for (const auto& e : in->endpoints) endpoints += (endpoints.empty() ? "" : ",") + e;
        app.append(in->relation.label()).append(in->column);
        in->field_path.empty() ? app.append_null() : app.append(in->field_path);
        endpoints.empty() ? app.append_null() : app.append(endpoints);
        app.append(in->type).append(in->subtype);
      } else {
        for (int k = 0; k < 6; ++k) app.append_null();
      }
      app.append(known);
      reason.empty() ? app.append_null() : app.append(reason);
      app.append(now);
      app.end_row();
    };
    for (const ModelColumns& m : models_) {
      if (!m.lineage.known) {
        row(m, nullptr, 0, nullptr, false, m.lineage.reason);
        continue;
      }
      int ordinal = 0;
      for (const ColumnLineage& c : m.lineage.columns) {
        ++ordinal;
        if (c.inputs.empty()) row(m, &c.column, ordinal, nullptr, c.known, c.reason);
        for (const ColumnInput& in : c.inputs) row(m, &c.column, ordinal, &in, c.known, c.reason);
      }
      for (const ColumnInput& in : m.lineage.dataset) row(m, nullptr, 0, &in, true, "");
    }
    app.close();
  });
}

void ProjectLineage::annotate_manifest(nlohmann::json& manifest) const {
  if (!manifest.contains("nodes")) return;
  for (const ModelColumns& m : models_) {
    auto node = manifest["nodes"].find(m.unique_id);
    if (node == manifest["nodes"].end() || !m.lineage.known) continue;
    nlohmann::json& columns = (*node)["columns"];
    if (!columns.is_object()) columns = nlohmann::json::object();
    for (const ColumnLineage& c : m.lineage.columns) {
      nlohmann::json* entry = nullptr;
      for (auto it = columns.begin(); it != columns.end(); ++it)
        if (iequals(it.key(), c.column)) entry = &it.value();
      if (!entry) {
        columns[c.column] = {{"name", c.column},
                             {"description", ""},
                             {"data_type", nullptr},
                             {"meta", nlohmann::json::object()},
                             {"tags", nlohmann::json::array()}};
        entry = &columns[c.column];
      }
      nlohmann::json inputs = nlohmann::json::array();
      for (const ColumnInput& in : c.inputs) inputs.push_back(to_json(in));
      nlohmann::json l = {{"inputs", inputs}, {"known", c.known}};
      if (!c.known) l["reason"] = c.reason;
      (*entry)["lineage"] = std::move(l);
    }
  }
}

namespace {

void walk_up(const ProjectLineage& p, const ModelColumns& model, const std::string& column,
             int depth, int max_depth, std::set<std::string>& path, std::vector<LineageStep>& out) {
  for (const ColumnLineage& c : model.lineage.columns) {
    if (!iequals(c.column, column)) continue;
    if (!c.known) {
      LineageStep s;
      s.depth = depth;
      s.leaf_known = false;
      s.reason = c.reason;
      out.push_back(std::move(s));
    }
    for (const ColumnInput& in : c.inputs) {
      LineageStep s;
      s.depth = depth;
      s.relation = in.relation.label();
      s.column = in.column;
      s.input = in;
      const ModelColumns* up = p.producer(in.relation);
      if (up) s.model = up->unique_id;
      std::string key = lower(s.relation + "." + s.column);
      if (up && (max_depth < 0 || depth < max_depth) && path.insert(key).second) {
        if (!up->lineage.known) {
          s.leaf_known = false;
          s.reason = up->lineage.reason;
        } else {
          walk_up(p, *up, in.column, depth + 1, max_depth, path, s.next);
        }
        path.erase(key);
      }
      out.push_back(std::move(s));
    }
  }
}

void walk_down(const ProjectLineage& p, const ModelColumns& model, const std::string& column,
               int depth, int max_depth, std::set<std::string>& path,
               std::vector<LineageStep>& out) {
  if (model.relation.empty()) return;
  RelationName rel;
  auto dot = model.relation.find('.');
  rel = {model.relation.substr(0, dot), model.relation.substr(dot + 1)};
  for (const ModelColumns& m : p.models()) {
    for (const ColumnLineage& c : m.lineage.columns) {
      for (const ColumnInput& in : c.inputs) {
        if (!(in.relation == rel) || !iequals(in.column, column)) continue;
        LineageStep s;
        s.depth = depth;
        s.model = m.unique_id;
        s.relation = m.relation.empty() ? m.name : m.relation;
        s.column = c.column;
        s.input = in;
        std::string key = lower(s.relation + "." + s.column);
        if ((max_depth < 0 || depth < max_depth) && path.insert(key).second) {
          walk_down(p, m, c.column, depth + 1, max_depth, path, s.next);
          path.erase(key);
        }
        out.push_back(std::move(s));
      }
    }
    // A key, filter or sort column shapes every row of the reading model.
    for (const ColumnInput& in : m.lineage.dataset) {
      if (!(in.relation == rel) || !iequals(in.column, column)) continue;
      LineageStep s;
      s.depth = depth;
      s.model = m.unique_id;
      s.relation = m.relation.empty() ? m.name : m.relation;
      s.column = "*";
      s.input = in;
      out.push_back(std::move(s));
    }
  }
}

}  // namespace

std::vector<LineageStep> upstream(const ProjectLineage& p, const ModelColumns& model,
                                  const std::string& column, int depth) {
  std::vector<LineageStep> out;
  std::set<std::string> path;
  walk_up(p, model, column, 1, depth, path, out);
  return out;
}

std::vector<LineageStep> downstream(const ProjectLineage& p, const ModelColumns& model,
                                    const std::string& column, int depth) {
  std::vector<LineageStep> out;
  std::set<std::string> path;
  walk_down(p, model, column, 1, depth, path, out);
  return out;
}

nlohmann::json to_json(const std::vector<LineageStep>& steps) {
  nlohmann::json out = nlohmann::json::array();
  for (const LineageStep& s : steps) {
    nlohmann::json j;
    if (!s.relation.empty()) {
      j = to_json(s.input);
      j["relation"] = s.relation;
      j["column"] = s.column;
      if (!s.model.empty()) j["model"] = s.model;
    }
    j["known"] = s.leaf_known;
    if (!s.leaf_known) j["reason"] = s.reason;
    if (!s.next.empty()) j["next"] = to_json(s.next);
    out.push_back(std::move(j));
  }
  return out;
}

std::string to_text(const std::vector<LineageStep>& steps, bool up, int indent) {
  std::string out;
  const std::string pad(static_cast<std::size_t>(indent) * 2, ' ');
  for (const LineageStep& s : steps) {
    out.append(pad);
    if (s.relation.empty()) {
      out.append("?? unknown: ").append(s.reason).append("\n");
      continue;
    }
    out.append(up ? "<- " : "-> ").append(s.input.type).append(" ").append(s.input.subtype);
    out.append(" ").append(s.relation).append(".").append(s.column);
    if (up && !s.input.field_path.empty()) {
      out.append(" -> ").append(s.input.field_path);
      if (!s.input.endpoints.empty()) {
        out.append(" (raw page field of endpoint");
        for (std::size_t i = 0; i < s.input.endpoints.size(); ++i)
          out.append(i ? ", " : " ").append(s.input.endpoints[i]);
        out.append(")");
      }
    }
    if (!s.leaf_known) out.append("  [lineage unknown: ").append(s.reason).append("]");
    out.append("\n").append(to_text(s.next, up, indent + 1));
  }
  return out;
}

}  // namespace baliza::lineage
