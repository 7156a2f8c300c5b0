#include "transform/seed_loader.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/clock.h"
#include "core/error.h"
#include "transform/relation.h"
#include "transform/seed_csv.h"

namespace baliza::transform {
namespace fs = std::filesystem;

char seed_delimiter(const Node& seed) {
  const nlohmann::json& extra = seed.config.extra;
  if (extra.is_object()) {
    auto it = extra.find("delimiter");
    if (it != extra.end()) {
      if (!it->is_string() || it->get<std::string>().size() != 1) {
        throw usage_error("seed " + seed.name + ": delimiter must be one character, got " +
                          it->dump() + "; e.g. delimiter: ';'");
      }
      return it->get<std::string>()[0];
    }
  }
  return ',';
}

std::string seed_select_sql(const Node& seed, const std::string& csv_path) {
  // The file was checked (seed_csv.h): DuckDB reads it with the same dialect, types inferred.
  std::string sql = "SELECT * FROM read_csv(" + quote_literal(csv_path) +
                    ", header = true, auto_detect = true, delim = " +
                    quote_literal(std::string(1, seed_delimiter(seed))) +
                    ", quote = '\"', escape = '\"', strict_mode = true";
  if (!seed.config.column_types.empty()) {
    std::string types;
    for (const auto& [column, type] : seed.config.column_types) {
      if (!types.empty()) types += ", ";
      types += quote_literal(column) + ": " + quote_literal(type);
    }
    sql += ", types = {" + types + "}";
  }
  return sql + ")";
}

MaterializeResult load_seed(Connection& conn, const Project& project, const Node& seed) {
  check_seed_csv(seed.raw_code, seed_delimiter(seed), seed.original_file_path);
  fs::path on_disk = fs::path(project.root) / seed.original_file_path;
  std::error_code ec;
  bool embedded = project.root.rfind("embedded:", 0) == 0 || !fs::exists(on_disk, ec);
  fs::path path = on_disk;
  if (embedded) {
    path = fs::temp_directory_path() / ("baliza-seed-" + random_id() + ".csv");
    std::ofstream out(path, std::ios::binary);
    out << seed.raw_code;
    if (!out)
      throw environment_error("cannot write " + path.string() + " to load seed " + seed.name);
  }
  struct Cleanup {
    fs::path p;
    bool on;
    ~Cleanup() {
      std::error_code e;
      if (on) fs::remove(p, e);
    }
  } cleanup{path, embedded};
  return build_table(conn, node_schema(seed), node_identifier(seed),
                     seed_select_sql(seed, path.string()));
}

}  // namespace baliza::transform
