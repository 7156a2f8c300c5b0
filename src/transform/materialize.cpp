#include "transform/materialize.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <thread>

#include "core/error.h"

namespace baliza::transform {
namespace {

std::string rel(const std::string& schema, const std::string& name) {
  return quote_identifier(schema) + "." + quote_identifier(name);
}

std::string lower(const std::string& s) {
  std::string out = s;
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::int64_t count_rows(Connection& conn, const std::string& relation) {
  auto n = conn.scalar("SELECT count(*) FROM " + relation);
  return n ? std::stoll(*n) : 0;
}

std::string key_match(const std::vector<std::string>& keys, const std::string& a,
                      const std::string& b) {
  std::string out;
  for (const std::string& k : keys) {
    if (!out.empty()) out += " AND ";
    out += a + "." + quote_identifier(k) + " IS NOT DISTINCT FROM " + b + "." + quote_identifier(k);
  }
  return out;
}

std::vector<std::string> columns_of(Connection& conn, const std::string& relation) {
  Result r = conn.query("SELECT * FROM " + relation + " LIMIT 0");
  std::vector<std::string> out;
  for (std::size_t c = 0; c < r.column_count(); ++c) out.push_back(r.column_name(c));
  return out;
}

// An incremental run adds rows to the table built before; when the model's columns changed
// since (a column added to or dropped from its SELECT), say which and how to rebuild, instead
// of DuckDB's "table has no column" deep inside the insert.
void require_same_columns(Connection& conn, const std::string& target, const std::string& source,
                          const std::string& label) {
  std::vector<std::string> old_cols = columns_of(conn, target), new_cols = columns_of(conn, source);
  auto missing_from = [](const std::vector<std::string>& from, const std::vector<std::string>& in) {
    std::string out;
    for (const std::string& c : from) {
      bool found = std::any_of(in.begin(), in.end(),
                               [&](const std::string& o) { return lower(o) == lower(c); });
      if (!found) out += (out.empty() ? "" : ", ") + c;
    }
    return out;
  };
  std::string added = missing_from(new_cols, old_cols), gone = missing_from(old_cols, new_cols);
  if (added.empty() && gone.empty()) return;
  std::string what;
  if (!added.empty()) what += "new: " + added;
  if (!gone.empty()) what += std::string(what.empty() ? "" : "; ") + "no longer produced: " + gone;
  std::string model = label.substr(label.find('.') + 1);
  throw failure("the columns of the model changed since " + label + " was built (" + what +
                "); rebuild it from scratch with `baliza transform --full-refresh -s " + model +
                "` (and what depends on it: -s " + model + "+)");
}

std::string merge_sql(const std::string& target, const std::string& source,
                      const std::vector<std::string>& keys, const std::vector<std::string>& cols) {
  std::string set, names, values;
  for (const std::string& c : cols) {
    std::string q = quote_identifier(c);
    if (std::find(keys.begin(), keys.end(), c) == keys.end())
      set += (set.empty() ? "" : ", ") + q + " = src." + q;
    names += (names.empty() ? "" : ", ") + q;
    values += (values.empty() ? "" : ", ") + std::string("src.") + q;
  }
  std::string sql = "MERGE INTO " + target + " AS tgt USING " + source + " AS src ON (" +
                    key_match(keys, "tgt", "src") + ")";
  if (!set.empty()) sql += " WHEN MATCHED THEN UPDATE SET " + set;
  return sql + " WHEN NOT MATCHED THEN INSERT (" + names + ") VALUES (" + values + ")";
}

}  // namespace

void with_conflict_retry(const std::function<void()>& body) {
  for (int attempt = 0;; ++attempt) {
    try {
      body();
      return;
    } catch (const Error& e) {
      std::string m = e.what();
      bool conflict =
          m.find("onflict") != std::string::npos && m.find("ransaction") != std::string::npos;
      if (!conflict || attempt >= 20) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(5 * (attempt + 1)));
    }
  }
}

RelationKind relation_kind(Connection& conn, const std::string& schema, const std::string& name) {
  // duckdb_tables()/duckdb_views() directly: information_schema costs ~1 ms per lookup.
  auto type =
      conn.prepare(
              "SELECT 'table' FROM duckdb_tables() WHERE database_name = current_database() "
              "AND schema_name = $1 AND table_name = $2 UNION ALL SELECT 'view' FROM "
              "duckdb_views() WHERE database_name = current_database() AND schema_name = $1 "
              "AND view_name = $2 AND NOT internal")
          .bind(1, schema)
          .bind(2, name)
          .execute();
  if (type.row_count() == 0) return RelationKind::kNone;
  return type.get_string(0, 0) == "view" ? RelationKind::kView : RelationKind::kTable;
}

std::unique_ptr<RelationCatalog> RelationCatalog::read(Connection& conn) {
  auto catalog = std::make_unique<RelationCatalog>();
  Result r = conn.query(
      "SELECT schema_name, NULL, NULL FROM duckdb_schemas() WHERE database_name = "
      "current_database() UNION ALL SELECT schema_name, table_name, 'table' FROM duckdb_tables() "
      "WHERE database_name = current_database() UNION ALL SELECT schema_name, view_name, 'view' "
      "FROM duckdb_views() WHERE database_name = current_database() AND NOT internal");
  for (std::size_t row = 0; row < r.row_count(); ++row) {
    std::string schema = lower(r.get_string(0, row));
    if (r.is_null(1, row)) {
      catalog->schemas_.insert(schema);
    } else {
      catalog->relations_[schema + "." + lower(r.get_string(1, row))] =
          r.get_string(2, row) == "view" ? RelationKind::kView : RelationKind::kTable;
    }
  }
  return catalog;
}

RelationKind RelationCatalog::kind(const std::string& schema, const std::string& name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = relations_.find(lower(schema) + "." + lower(name));
  return it == relations_.end() ? RelationKind::kNone : it->second;
}

bool RelationCatalog::has_schema(const std::string& schema) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return schemas_.count(lower(schema)) > 0;
}

void RelationCatalog::set(const std::string& schema, const std::string& name, RelationKind kind) {
  std::lock_guard<std::mutex> lock(mutex_);
  schemas_.insert(lower(schema));
  relations_[lower(schema) + "." + lower(name)] = kind;
}

MaterializeResult build_view(Connection& conn, const std::string& schema, const std::string& name,
                             const std::string& sql, RelationCatalog* catalog) {
  std::string target = rel(schema, name);
  with_conflict_retry([&] {
    RelationKind old = catalog ? catalog->kind(schema, name) : relation_kind(conn, schema, name);
    std::string create = "CREATE OR REPLACE VIEW " + target + " AS " + sql;
    if (old != RelationKind::kTable && catalog && catalog->has_schema(schema)) {
      conn.execute(create);  // the common case: one statement, one commit
      return;
    }
    conn.transaction([&] {
      conn.execute("CREATE SCHEMA IF NOT EXISTS " + quote_identifier(schema));
      if (old == RelationKind::kTable) conn.execute("DROP TABLE " + target);
      conn.execute(create);
    });
  });
  if (catalog) catalog->set(schema, name, RelationKind::kView);
  return {-1, "created"};
}

MaterializeResult build_table(Connection& conn, const std::string& schema, const std::string& name,
                              const std::string& sql, RelationCatalog* catalog) {
  std::string target = rel(schema, name);
  std::int64_t rows = 0;
  with_conflict_retry([&] {
    RelationKind old = catalog ? catalog->kind(schema, name) : relation_kind(conn, schema, name);
    auto create = [&] {
      Result created = conn.query("CREATE OR REPLACE TABLE " + target + " AS " + sql);
      // CREATE TABLE AS answers with one "Count" row: no second scan needed.
      rows = created.row_count() == 1 && created.column_count() == 1 ? created.get_int64(0, 0)
                                                                     : count_rows(conn, target);
    };
    if (old != RelationKind::kView && catalog && catalog->has_schema(schema)) {
      create();  // the common case: one statement, one transaction, one commit
      return;
    }
    conn.transaction([&] {
      conn.execute("CREATE SCHEMA IF NOT EXISTS " + quote_identifier(schema));
      if (old == RelationKind::kView) conn.execute("DROP VIEW " + target);
      create();
    });
  });
  if (catalog) catalog->set(schema, name, RelationKind::kTable);
  return {rows, "created"};
}

MaterializeResult build_incremental(Connection& conn, const std::string& schema,
                                    const std::string& name, const std::string& sql,
                                    const IncrementalSpec& spec, RelationCatalog* catalog) {
  std::string strategy = spec.strategy;
  if (strategy.empty()) strategy = spec.unique_key.empty() ? "append" : "delete+insert";
  if (strategy != "append" && spec.unique_key.empty()) {
    throw failure("incremental_strategy '" + strategy +
                  "' needs a unique_key; add unique_key='id' to the model's config, or use "
                  "incremental_strategy='append'");
  }
  RelationKind existing = catalog ? catalog->kind(schema, name) : relation_kind(conn, schema, name);
  if (spec.full_refresh || existing != RelationKind::kTable) {
    return build_table(conn, schema, name, sql, catalog);
  }
  std::string target = rel(schema, name);
  std::string source = quote_identifier(name + "__baliza_new");
  Result created = conn.query("CREATE OR REPLACE TEMP TABLE " + source + " AS " + sql);
  std::int64_t rows = created.row_count() == 1 && created.column_count() == 1
                          ? created.get_int64(0, 0)
                          : count_rows(conn, source);
  try {
    require_same_columns(conn, target, source, schema + "." + name);
    with_conflict_retry([&] {
      conn.transaction([&] {
        if (strategy == "append") {
          conn.execute("INSERT INTO " + target + " BY NAME SELECT * FROM " + source);
        } else if (strategy == "delete+insert") {
          conn.execute("DELETE FROM " + target + " AS tgt WHERE EXISTS (SELECT 1 FROM " + source +
                       " AS src WHERE " + key_match(spec.unique_key, "tgt", "src") + ")");
          conn.execute("INSERT INTO " + target + " BY NAME SELECT * FROM " + source);
        } else {
          conn.execute(merge_sql(target, source, spec.unique_key, columns_of(conn, source)));
        }
      });
    });
  } catch (...) {
    conn.execute("DROP TABLE IF EXISTS temp." + source);
    throw;
  }
  conn.execute("DROP TABLE IF EXISTS temp." + source);
  return {rows, strategy == "append" ? "appended" : strategy == "merge" ? "merged" : "inserted"};
}

}  // namespace baliza::transform
