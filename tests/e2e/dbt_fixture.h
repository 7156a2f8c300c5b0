// A small dbt project in the test's temporary folder: dbt_project.yml, a DuckDB profile whose
// file is `shop.duckdb` in the project, and helpers to write files, run `baliza dbt ...` and
// read results back. Expected values are computed by DuckDB itself (`expect_same` runs the
// project's relation and a direct SQL statement through `baliza query` and compares rows).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/baliza_cli.h"

namespace baliza::testing {

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class DbtProject : public BalizaCli {
 protected:
  void SetUp() override {
    write("dbt_project.yml",
          "name: shop\nversion: '1.0'\nconfig-version: 2\nprofile: shop\n"
          "models:\n  shop:\n    +materialized: view\n    marts:\n      +materialized: table\n");
    write("profiles.yml",
          "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
          "      path: shop.duckdb\n      threads: 2\n");
  }

  void write(const std::string& path, const std::string& content) {
    std::filesystem::path p = dir / path;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << content;
  }

  ProcessResult dbt(const std::string& args) { return baliza("dbt " + args); }

  // "schema,name,type" lines of the relations the project built (Baliza's own schemas, which
  // `baliza query` adds to any database it opens, left out), sorted.
  std::string relations(const std::string& db = "shop.duckdb") {
    return csv(
        "select table_schema, table_name, table_type from information_schema.tables "
        "where table_schema not in ('meta', 'planning', 'raw', 'runtime', 'lineage') "
        "order by 1, 2",
        db);
  }

  // Rows of `sql` on the project's database, as CSV with a header.
  std::string csv(const std::string& sql, const std::string& db = "shop.duckdb") {
    auto r = baliza("--db " + db + " query --format csv \"" + sql + "\"");
    EXPECT_EQ(r.exit_code, 0) << sql << "\n" << r.err;
    return r.out;
  }
};

}  // namespace baliza::testing
