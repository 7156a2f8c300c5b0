#include "ops/mart_export.h"

#include "core/clock.h"
#include "core/error.h"

namespace baliza::ops {
namespace fs = std::filesystem;
namespace {

std::string period_column(Connection& conn, const std::string& schema, const std::string& table) {
  auto cols = conn.prepare(
                      "SELECT column_name FROM duckdb_columns() WHERE schema_name = $1 AND "
                      "table_name = $2 AND data_type IN ('DATE', 'TIMESTAMP') ORDER BY "
                      "column_index")
                  .bind(1, schema)
                  .bind(2, table)
                  .execute();
  std::string first;
  for (size_t i = 0; i < cols.row_count(); ++i) {
    std::string name = cols.get_string(0, i);
    if (first.empty()) first = name;
    for (const char* prefix : {"mes", "month", "periodo", "data"}) {
      if (name.rfind(prefix, 0) == 0) return name;
    }
  }
  return first;
}

size_t count_files(const fs::path& dir, size_t* bytes) {
  size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".parquet") {
      ++files;
      *bytes += entry.file_size();
    }
  }
  return files;
}

// Moves every partition folder of tmp into target, replacing what was there.
void move_partitions(const fs::path& tmp, const fs::path& target) {
  fs::create_directories(target);
  for (const auto& year : fs::directory_iterator(tmp)) {
    for (const auto& month : fs::directory_iterator(year.path())) {
      fs::path dest = target / year.path().filename() / month.path().filename();
      fs::create_directories(dest.parent_path());
      fs::remove_all(dest);
      fs::rename(month.path(), dest);
    }
  }
}

ExportedMart export_one(Connection& conn, const ExportRequest& req, const std::string& table,
                        const fs::path& staging) {
  ExportedMart out;
  out.name = table;
  out.period_column = period_column(conn, req.schema, table);
  std::string relation = quote_identifier(req.schema) + "." + quote_identifier(table);
  fs::path tmp = staging / table;
  fs::path target = req.dir / table;
  if (out.period_column.empty()) {
    fs::create_directories(tmp);
    fs::path file = tmp / (table + ".parquet");
    conn.execute("COPY (SELECT * FROM " + relation + ") TO " + quote_literal(file.string()) +
                 " (FORMAT parquet, COMPRESSION zstd)");
    out.rows = std::stoull(conn.scalar("SELECT count(*) FROM " + relation).value_or("0"));
    fs::create_directories(target);
    fs::rename(file, target / file.filename());
  } else {
    std::string col = quote_identifier(out.period_column);
    std::string where = " WHERE " + col + " IS NOT NULL";
    if (req.month) {
      where += " AND strftime(" + col + ", '%Y-%m') = " + quote_literal(*req.month);
    }
    std::string select = "SELECT *, year(" + col + ") AS year, lpad(month(" + col +
                         ")::VARCHAR, 2, '0') AS month FROM " + relation + where;
    out.rows = std::stoull(conn.scalar("SELECT count(*) FROM " + relation + where).value_or("0"));
    if (out.rows == 0) return out;
    conn.execute("COPY (" + select + ") TO " + quote_literal(tmp.string()) +
                 " (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (year, month))");
    move_partitions(tmp, target);
  }
  out.files = count_files(target, &out.bytes);
  return out;
}

}  // namespace

std::vector<ExportedMart> export_marts(Connection& conn, const ExportRequest& request) {
  if (request.month && (request.month->size() != 7 || (*request.month)[4] != '-')) {
    throw usage_error("--mes " + *request.month + " is not a month: use YYYY-MM, e.g. 2024-01");
  }
  auto tables = conn.prepare(
                        "SELECT table_name FROM duckdb_tables() WHERE schema_name = $1 AND "
                        "database_name = current_database() ORDER BY 1")
                    .bind(1, request.schema)
                    .execute();
  if (tables.row_count() == 0) {
    throw failure("no tables in schema " + request.schema +
                  " to export: build the marts first (baliza transform or baliza run)");
  }
  fs::path staging = request.dir / (".tmp-" + random_id());
  fs::create_directories(staging);
  std::vector<ExportedMart> out;
  try {
    for (size_t i = 0; i < tables.row_count(); ++i) {
      out.push_back(export_one(conn, request, tables.get_string(0, i), staging));
    }
  } catch (...) {
    fs::remove_all(staging);
    throw;
  }
  fs::remove_all(staging);
  return out;
}

}  // namespace baliza::ops
