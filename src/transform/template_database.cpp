#include "transform/template_database.h"

#include "core/error.h"

namespace baliza::transform {
namespace {

std::string type_name(duckdb_type t) {
  switch (t) {
    case DUCKDB_TYPE_BOOLEAN:
      return "BOOLEAN";
    case DUCKDB_TYPE_TINYINT:
      return "TINYINT";
    case DUCKDB_TYPE_SMALLINT:
      return "SMALLINT";
    case DUCKDB_TYPE_INTEGER:
      return "INTEGER";
    case DUCKDB_TYPE_BIGINT:
      return "BIGINT";
    case DUCKDB_TYPE_HUGEINT:
      return "HUGEINT";
    case DUCKDB_TYPE_FLOAT:
      return "FLOAT";
    case DUCKDB_TYPE_DOUBLE:
      return "DOUBLE";
    case DUCKDB_TYPE_DECIMAL:
      return "DECIMAL";
    case DUCKDB_TYPE_DATE:
      return "DATE";
    case DUCKDB_TYPE_TIMESTAMP:
      return "TIMESTAMP";
    case DUCKDB_TYPE_VARCHAR:
      return "VARCHAR";
    default:
      return "VARCHAR";
  }
}

std::string literal(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

}  // namespace

QueryResult run_template_query(Connection& conn, const std::string& sql) {
  Result r = conn.query_as_text(sql);
  QueryResult out;
  std::size_t cols = r.column_count();
  std::vector<duckdb_type> types;
  for (std::size_t c = 0; c < cols; ++c) {
    out.column_names.push_back(r.column_name(c));
    types.push_back(r.column_type(c));
    out.column_types.push_back(type_name(types.back()));
  }
  std::size_t rows = r.row_count();
  out.rows.reserve(rows);
  for (std::size_t row = 0; row < rows; ++row) {
    std::vector<nlohmann::json> values;
    values.reserve(cols);
    for (std::size_t c = 0; c < cols; ++c) {
      if (r.is_null(c, row)) {
        values.emplace_back(nullptr);
        continue;
      }
      switch (types[c]) {
        case DUCKDB_TYPE_BOOLEAN:
          values.emplace_back(r.get_bool(c, row));
          break;
        case DUCKDB_TYPE_TINYINT:
        case DUCKDB_TYPE_SMALLINT:
        case DUCKDB_TYPE_INTEGER:
        case DUCKDB_TYPE_BIGINT:
        case DUCKDB_TYPE_UTINYINT:
        case DUCKDB_TYPE_USMALLINT:
        case DUCKDB_TYPE_UINTEGER:
          values.emplace_back(r.get_int64(c, row));
          break;
        case DUCKDB_TYPE_FLOAT:
        case DUCKDB_TYPE_DOUBLE:
        case DUCKDB_TYPE_DECIMAL:
          values.emplace_back(r.get_double(c, row));
          break;
        default:
          values.emplace_back(r.get_string(c, row));
      }
    }
    out.rows.push_back(std::move(values));
  }
  return out;
}

void bind_database(RenderContext& ctx, Connection& conn) {
  Connection* c = &conn;
  ctx.run_query = [c](const std::string& sql) { return run_template_query(*c, sql); };
  ctx.get_relation = [c](const RelationParts& p) -> std::optional<RelationParts> {
    std::string sql =
        "select table_catalog, table_schema, table_name, table_type from "
        "information_schema.tables where lower(table_schema) = lower(" +
        literal(p.schema) + ") and lower(table_name) = lower(" + literal(p.identifier) + ")";
    if (!p.database.empty())
      sql += " and lower(table_catalog) = lower(" + literal(p.database) + ")";
    QueryResult r = run_template_query(*c, sql);
    if (r.rows.empty()) return std::nullopt;
    RelationParts found;
    found.database = r.rows[0][0].get<std::string>();
    found.schema = r.rows[0][1].get<std::string>();
    found.identifier = r.rows[0][2].get<std::string>();
    found.type = r.rows[0][3] == "VIEW" ? "view" : "table";
    return found;
  };
  ctx.get_columns = [c](const RelationParts& p) -> std::optional<std::vector<ColumnInfo>> {
    std::string sql =
        "select column_name, data_type from information_schema.columns where "
        "lower(table_name) = lower(" +
        literal(p.identifier) + ")";
    if (!p.schema.empty()) sql += " and lower(table_schema) = lower(" + literal(p.schema) + ")";
    if (!p.database.empty())
      sql += " and lower(table_catalog) = lower(" + literal(p.database) + ")";
    sql += " order by ordinal_position";
    QueryResult r = run_template_query(*c, sql);
    if (r.rows.empty()) return std::nullopt;
    std::vector<ColumnInfo> out;
    for (const auto& row : r.rows)
      out.push_back({row[0].get<std::string>(), row[1].get<std::string>()});
    return out;
  };
}

}  // namespace baliza::transform
