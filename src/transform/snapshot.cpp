#include "transform/snapshot.h"

#include "core/error.h"

namespace baliza::transform {
namespace {

const nlohmann::json* extra(const Node& n, const char* key) {
  if (!n.config.extra.is_object()) return nullptr;
  auto it = n.config.extra.find(key);
  return it == n.config.extra.end() ? nullptr : &*it;
}

std::string key_expr(const std::vector<std::string>& keys) {
  if (keys.size() == 1) return "CAST((" + keys[0] + ") AS VARCHAR)";
  std::string out = "concat_ws('|'";
  for (const std::string& k : keys) out += ", coalesce(CAST((" + k + ") AS VARCHAR), '')";
  return out + ")";
}

std::vector<std::string> source_columns(Connection& conn, const std::string& table) {
  std::vector<std::string> out;
  Result r = conn.query("SELECT column_name FROM (DESCRIBE " + table + ")");
  for (std::size_t i = 0; i < r.row_count(); ++i) {
    std::string c = r.get_string(0, i);
    if (c != "__key" && c != "__updated") out.push_back(c);
  }
  return out;
}

std::string version_columns(const std::string& updated) {
  return "md5(__key || '|' || CAST(" + updated + " AS VARCHAR)) AS dbt_scd_id, " + updated +
         " AS dbt_updated_at, " + updated +
         " AS dbt_valid_from, CAST(NULL AS TIMESTAMP) AS "
         "dbt_valid_to";
}

}  // namespace

SnapshotSpec snapshot_spec(const Node& n) {
  SnapshotSpec s;
  auto fail = [&](const std::string& what) {
    throw usage_error("snapshot " + n.name + " (" + n.original_file_path + "): " + what);
  };
  s.unique_key = n.config.unique_key;
  if (s.unique_key.empty()) fail("needs unique_key, e.g. {{ config(unique_key='id') }}");
  const nlohmann::json* strategy = extra(n, "strategy");
  if (strategy == nullptr || !strategy->is_string())
    fail("needs strategy='timestamp' (with updated_at) or strategy='check' (with check_cols)");
  s.strategy = strategy->get<std::string>();
  if (s.strategy == "timestamp") {
    const nlohmann::json* updated = extra(n, "updated_at");
    if (updated == nullptr || !updated->is_string())
      fail("the timestamp strategy needs updated_at='<column>'");
    s.updated_at = updated->get<std::string>();
  } else if (s.strategy == "check") {
    const nlohmann::json* cols = extra(n, "check_cols");
    if (cols != nullptr && cols->is_string() && cols->get<std::string>() == "all") {
      s.check_all = true;
    } else if (cols != nullptr && cols->is_array() && !cols->empty()) {
      for (const auto& c : *cols) s.check_cols.push_back(c.get<std::string>());
    } else {
      fail("the check strategy needs check_cols: a list of columns, or 'all'");
    }
  } else {
    fail("strategy must be 'timestamp' or 'check'; got '" + s.strategy + "'");
  }
  if (const nlohmann::json* inv = extra(n, "invalidate_hard_deletes"); inv && inv->is_boolean())
    s.invalidate_hard_deletes = inv->get<bool>();
  if (const nlohmann::json* hd = extra(n, "hard_deletes"); hd && hd->is_string())
    s.invalidate_hard_deletes = hd->get<std::string>() == "invalidate";
  return s;
}

MaterializeResult build_snapshot(Connection& conn, const std::string& schema,
                                 const std::string& name, const std::string& sql,
                                 const SnapshotSpec& spec, RelationCatalog* catalog) {
  std::string target = quote_identifier(schema) + "." + quote_identifier(name);
  std::string now =
      "CAST(" + quote_literal(*conn.scalar("SELECT CAST(now() AS TIMESTAMP)")) + " AS TIMESTAMP)";
  std::string updated =
      spec.strategy == "timestamp" ? "CAST((" + spec.updated_at + ") AS TIMESTAMP)" : now;
  std::string key = key_expr(spec.unique_key);
  std::string src = quote_identifier(name + "__baliza_snap");
  conn.execute("CREATE OR REPLACE TEMP TABLE " + src + " AS SELECT *, " + key + " AS __key, " +
               updated + " AS __updated FROM (" + sql + ") AS snapshot_query");
  struct Drop {
    Connection& c;
    std::string t;
    ~Drop() {
      try {
        c.execute("DROP TABLE IF EXISTS temp." + t);
        c.execute("DROP TABLE IF EXISTS temp.__baliza_snap_changed");
      } catch (...) {
      }
    }
  } drop{conn, src};
  RelationKind kind = catalog ? catalog->kind(schema, name) : relation_kind(conn, schema, name);
  if (kind != RelationKind::kTable) {
    std::int64_t rows = 0;
    with_conflict_retry([&] {
      conn.transaction([&] {
        conn.execute("CREATE SCHEMA IF NOT EXISTS " + quote_identifier(schema));
        if (kind == RelationKind::kView) conn.execute("DROP VIEW " + target);
        Result r =
            conn.query("CREATE TABLE " + target + " AS SELECT * EXCLUDE (__key, __updated), " +
                       version_columns("__updated") + " FROM " + src);
        rows = r.get_int64(0, 0);
      });
    });
    if (catalog) catalog->set(schema, name, RelationKind::kTable);
    return {rows, "snapshotted"};
  }
  // Current versions with their key, and what changed.
  std::string current =
      "(SELECT *, " + key + " AS __key FROM " + target + " WHERE dbt_valid_to IS NULL) AS cur";
  std::string changed;
  if (spec.strategy == "timestamp") {
    changed = "s.__updated > cur.dbt_updated_at";
  } else {
    std::vector<std::string> cols = spec.check_all ? source_columns(conn, src) : spec.check_cols;
    for (const std::string& c : cols) {
      std::string q = quote_identifier(c);
      changed += (changed.empty() ? "" : " OR ") + ("s." + q + " IS DISTINCT FROM cur." + q);
    }
  }
  std::int64_t inserted = 0;
  with_conflict_retry([&] {
    conn.transaction([&] {
      conn.execute(
          "CREATE OR REPLACE TEMP TABLE __baliza_snap_changed AS SELECT s.*, "
          "cur.dbt_scd_id AS __old_scd FROM " +
          src + " AS s JOIN " + current + " ON cur.__key = s.__key WHERE " + changed);
      // New keys first (their versions are not current yet), then the changed ones.
      Result fresh = conn.query(
          "INSERT INTO " + target + " BY NAME SELECT * EXCLUDE (__key, __updated), " +
          version_columns("__updated") + " FROM " + src + " AS s WHERE NOT EXISTS (SELECT 1 FROM " +
          current + " WHERE cur.__key = s.__key)");
      conn.execute("UPDATE " + target +
                   " AS t SET dbt_valid_to = ch.__updated FROM "
                   "__baliza_snap_changed AS ch WHERE t.dbt_scd_id = ch.__old_scd");
      Result versions = conn.query("INSERT INTO " + target +
                                   " BY NAME SELECT * EXCLUDE (__key, __updated, __old_scd), " +
                                   version_columns("__updated") + " FROM __baliza_snap_changed");
      if (spec.invalidate_hard_deletes) {
        conn.execute("UPDATE " + target + " SET dbt_valid_to = " + now +
                     " WHERE dbt_valid_to IS NULL AND dbt_scd_id IN (SELECT cur.dbt_scd_id FROM " +
                     current + " WHERE NOT EXISTS (SELECT 1 FROM " + src +
                     " AS s WHERE s.__key = cur.__key))");
      }
      inserted = fresh.get_int64(0, 0) + versions.get_int64(0, 0);
    });
  });
  return {inserted, "snapshotted"};
}

}  // namespace baliza::transform
