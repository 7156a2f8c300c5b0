#include "transform/materialize.h"

#include <chrono>
#include <thread>

#include "core/error.h"

namespace baliza::transform {
namespace {

std::string rel(const std::string& schema, const std::string& name) {
  return quote_identifier(schema) + "." + quote_identifier(name);
}

std::string drop_sql(RelationKind kind, const std::string& relation) {
  if (kind == RelationKind::kTable) return "DROP TABLE " + relation + ";";
  if (kind == RelationKind::kView) return "DROP VIEW " + relation + ";";
  return "";
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

MaterializeResult build_view(Connection& conn, const std::string& schema, const std::string& name,
                             const std::string& sql) {
  std::string target = rel(schema, name);
  with_conflict_retry([&] {
    conn.transaction([&] {
      conn.execute("CREATE SCHEMA IF NOT EXISTS " + quote_identifier(schema));
      if (relation_kind(conn, schema, name) == RelationKind::kTable)
        conn.execute("DROP TABLE " + target);
      conn.execute("CREATE OR REPLACE VIEW " + target + " AS " + sql);
    });
  });
  return {-1, "created"};
}

MaterializeResult build_table(Connection& conn, const std::string& schema, const std::string& name,
                              const std::string& sql) {
  std::string tmp = rel(schema, name + "__baliza_tmp");
  std::int64_t rows = 0;
  // One transaction (one commit): a failing SELECT rolls back and the old table stays.
  with_conflict_retry([&] {
    conn.transaction([&] {
      conn.execute("CREATE SCHEMA IF NOT EXISTS " + quote_identifier(schema));
      conn.execute("DROP TABLE IF EXISTS " + tmp);
      Result created = conn.query("CREATE TABLE " + tmp + " AS " + sql);
      // CREATE TABLE AS answers with one "Count" row: no second scan needed.
      rows = created.row_count() == 1 && created.column_count() == 1 ? created.get_int64(0, 0)
                                                                     : count_rows(conn, tmp);
      RelationKind old = relation_kind(conn, schema, name);
      if (old != RelationKind::kNone) conn.execute(drop_sql(old, rel(schema, name)));
      conn.execute("ALTER TABLE " + tmp + " RENAME TO " + quote_identifier(name));
    });
  });
  return {rows, "created"};
}

MaterializeResult build_incremental(Connection& conn, const std::string& schema,
                                    const std::string& name, const std::string& sql,
                                    const IncrementalSpec& spec) {
  std::string strategy = spec.strategy;
  if (strategy.empty()) strategy = spec.unique_key.empty() ? "append" : "delete+insert";
  if (strategy != "append" && spec.unique_key.empty()) {
    throw failure("incremental_strategy '" + strategy +
                  "' needs a unique_key; add unique_key='id' to the model's config, or use "
                  "incremental_strategy='append'");
  }
  if (spec.full_refresh || relation_kind(conn, schema, name) != RelationKind::kTable) {
    return build_table(conn, schema, name, sql);
  }
  std::string target = rel(schema, name);
  std::string source = quote_identifier(name + "__baliza_new");
  conn.execute("CREATE OR REPLACE TEMP TABLE " + source + " AS " + sql);
  std::int64_t rows = count_rows(conn, source);
  try {
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
