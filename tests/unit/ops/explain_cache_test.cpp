// The explain read procedure (ops/explain_request.h) keeps model analyses across requests
// (lineage/analysis_cache.h): a trace after a model's SQL changed follows the new SQL, a trace
// after the catalog changed follows the new columns, and equal requests give byte-identical
// answers, equal to the answer computed without any cache.
#include "ops/explain_request.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "db/read_procedure.h"
#include "support/temp_dir.h"

namespace baliza::ops {
namespace {

using nlohmann::json;

class ExplainCache : public ::testing::Test {
 protected:
  ExplainCache() : conn(Database::open((dir / "t.duckdb").string())) {
    write("baliza.yml", "name: shop\nmodels:\n  shop:\n    +materialized: table\n");
    write("seeds/north.csv", "id,item\n");
    write("seeds/south.csv", "id,item\n");
    // Both inputs hold the row the model's row copies; each holds others too.
    conn.execute(
        "CREATE TABLE main.north AS SELECT * FROM (VALUES (1, 'pen'), (2, 'ink')) t(id, item);"
        "CREATE TABLE main.south AS SELECT * FROM (VALUES (7, 'cap'), (1, 'pen'), (8, 'nib')) "
        "t(id, item);"
        "CREATE TABLE main.picked AS SELECT 1 AS id, 'pen' AS item;");
  }

  void write(const std::string& path, const std::string& content) {
    std::filesystem::path p = dir / path;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << content;
  }
  // A model file rewritten so that the project loader sees a change (size and mtime).
  void write_model(const std::string& sql) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    write("models/picked.sql", sql);
  }

  std::string call(const ReadProcedures& procedures, const ExplainRequest& request) {
    return run_procedure(conn, procedures, kExplainProcedure, request.to_json().dump());
  }
  ExplainRequest trace_request() const {
    ExplainRequest r;
    r.op = "trace";
    r.project = dir.str();
    r.model = "picked";
    r.where = "id = 1";
    r.limit = 10;
    return r;
  }
  // The levels below the first, as "relation:rows".
  static std::vector<std::string> inputs(const std::string& answer) {
    json j = json::parse(answer);
    std::vector<std::string> out;
    for (const json& l : j["result"]["levels"])
      if (l["depth"].get<int>() > 0)
        out.push_back(l["relation"].get<std::string>() + ":" +
                      std::to_string(l["rows"].get<int>()));
    return out;
  }

  testing::TempDir dir;
  Connection conn;
};

TEST_F(ExplainCache, ATraceFollowsAModelWhoseSqlChanged) {
  ReadProcedures procedures = explain_procedures();
  write_model("select id, item from {{ ref('north') }} where id > 0\n");
  std::string first = call(procedures, trace_request());
  EXPECT_EQ(inputs(first), (std::vector<std::string>{"main.north:1"})) << first;

  // The same file: the same answer, byte for byte (the analysis comes from the cache).
  EXPECT_EQ(call(procedures, trace_request()), first);

  // The model now reads the other seed: the trace goes there, not to the cached analysis's.
  write_model("select id, item from {{ ref('south') }} where id > 0 -- moved\n");
  std::string moved = call(procedures, trace_request());
  EXPECT_EQ(inputs(moved), (std::vector<std::string>{"main.south:1"})) << moved;
  EXPECT_EQ(json::parse(moved)["result"]["levels"][1]["sample"][0]["item"], "pen") << moved;

  // And back: no stale entry is kept for the first SQL either.
  write_model("select id, item from {{ ref('north') }} where id > 0\n");
  EXPECT_EQ(call(procedures, trace_request()), first);

  // A filter the new SQL adds shows in the path the trace names.
  write_model("select id, item from {{ ref('south') }} where id > 0 and item <> 'ink'\n");
  std::string filtered = call(procedures, trace_request());
  EXPECT_EQ(inputs(filtered), (std::vector<std::string>{"main.south:1"})) << filtered;
  EXPECT_NE(json::parse(filtered)["result"]["levels"][1]["via"].get<std::string>().find("filter 2"),
            std::string::npos)
      << filtered;
}

TEST_F(ExplainCache, ATraceFollowsTheCatalogWhenAnInputGetsColumns) {
  ReadProcedures procedures = explain_procedures();
  // A star: the model's rows are identified by every column of its input.
  write_model("select * from {{ ref('south') }} where id > 0\n");
  std::string before = call(procedures, trace_request());
  EXPECT_EQ(inputs(before), (std::vector<std::string>{"main.south:1"})) << before;

  // Rebuilt with a new column: two input rows share id and item but differ in it, and the
  // model keeps one of them. Links from the old catalog (id, item) would find both.
  conn.execute(
      "DROP TABLE main.south; CREATE TABLE main.south AS SELECT * FROM (VALUES (1, 'pen', 'red'), "
      "(1, 'pen', 'blue'), (8, 'nib', 'red')) t(id, item, colour);"
      "DROP TABLE main.picked; CREATE TABLE main.picked AS SELECT 1 AS id, 'pen' AS item, "
      "'blue' AS colour;");
  std::string after = call(procedures, trace_request());
  EXPECT_EQ(inputs(after), (std::vector<std::string>{"main.south:1"})) << after;
  EXPECT_EQ(json::parse(after)["result"]["levels"][1]["sample"][0]["colour"], "blue") << after;
}

TEST_F(ExplainCache, CachedAnswersEqualUncachedOnesByteForByte) {
  write_model("select id, item from {{ ref('south') }} where item <> 'cap'\n");
  ReadProcedures procedures = explain_procedures();
  ExplainRequest impact;
  impact.op = "impact";
  impact.project = dir.str();
  impact.model = "south";
  impact.where = "id = 1";
  for (const ExplainRequest& request : {trace_request(), impact}) {
    std::string first = call(procedures, request);
    std::string second = call(procedures, request);
    EXPECT_EQ(first, second);
    // Fresh procedures (nothing cached): the same bytes.
    EXPECT_EQ(call(explain_procedures(), request), first);
  }
  json impacted = json::parse(call(procedures, impact));
  ASSERT_EQ(impacted["result"]["levels"].size(), 2u) << impacted.dump(2);
  EXPECT_EQ(impacted["result"]["levels"][1]["relation"], "main.picked");
  EXPECT_EQ(impacted["result"]["levels"][1]["rows"], 1);
}

}  // namespace
}  // namespace baliza::ops
