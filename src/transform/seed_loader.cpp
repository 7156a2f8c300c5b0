#include "transform/seed_loader.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/clock.h"
#include "core/error.h"
#include "transform/relation.h"

namespace baliza::transform {
namespace fs = std::filesystem;

std::string seed_select_sql(const Node& seed, const std::string& csv_path) {
  std::string sql =
      "SELECT * FROM read_csv(" + quote_literal(csv_path) + ", header = true, auto_detect = true";
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
