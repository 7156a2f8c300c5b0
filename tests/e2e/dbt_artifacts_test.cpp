// End-to-end: the artifacts of a dbt project's build (manifest.json v12, run_results.json v6)
// and of `baliza dbt docs generate` (catalog.json v1) validate against dbt's own JSON Schemas
// (BALIZA_SHARED_DIR/dbt-schemas, checked by tests/e2e/dbt_artifact_validate.py with
// python3-jsonschema), and generic tests are named as dbt names them.
#include <nlohmann/json.hpp>

#include <fstream>
#include <regex>

#include "e2e/dbt_fixture.h"

namespace baliza {
namespace {

using testing::contains;

std::filesystem::path schema_dir() {
  const char* env = std::getenv("BALIZA_SHARED_DIR");
  return std::filesystem::path(env && *env ? env : BALIZA_SHARED_DIR) / "dbt-schemas";
}

class DbtArtifacts : public testing::DbtProject {
 protected:
  void SetUp() override {
    DbtProject::SetUp();
    // One thread: the source shop_raw.raw_customers is the table the seed raw_customers
    // creates, and nothing orders the source's test after that seed (dbt does not either);
    // with two threads the test could run first and the build exit 1.
    write("profiles.yml",
          "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
          "      path: shop.duckdb\n      threads: 1\n");
    write("seeds/raw_orders.csv",
          "id,customer_id,status,amount,updated_at\n1,1,placed,10.5,2024-01-01\n"
          "2,2,shipped,20,2024-01-02\n3,1,returned,7,2024-01-03\n");
    write("seeds/raw_customers.csv", "id,name\n1,ana\n2,bia\n");
    write("models/sources.yml",
          "version: 2\nsources:\n  - name: shop_raw\n    schema: main\n"
          "    tables:\n      - name: raw_customers\n        columns:\n"
          "          - name: id\n            data_tests: [unique]\n");
    write("models/staging/stg_orders.sql",
          "select id as order_id, customer_id, status, amount from {{ ref('raw_orders') }}\n");
    write("models/staging/stg_customers.sql",
          "select id as customer_id, name from {{ source('shop_raw', 'raw_customers') }}\n");
    write("models/staging/paid.sql",
          "{{ config(materialized='ephemeral') }}\nselect * from {{ ref('stg_orders') }} "
          "where status <> 'returned'\n");
    write("models/marts/customers.sql",
          "select c.customer_id, c.name, coalesce(sum(p.amount), 0) as total\n"
          "from {{ ref('stg_customers') }} c left join {{ ref('paid') }} p using (customer_id)\n"
          "group by 1, 2\n");
    write("models/marts/schema.yml",
          "version: 2\nmodels:\n  - name: customers\n    columns:\n      - name: customer_id\n"
          "        data_tests:\n          - unique\n          - not_null\n"
          "  - name: stg_orders\n    columns:\n      - name: status\n        data_tests:\n"
          "          - accepted_values:\n              values: [placed, shipped, completed, "
          "returned, return_pending]\n      - name: customer_id\n        data_tests:\n"
          "          - relationships: {to: ref('stg_customers'), field: customer_id}\n");
    write("snapshots/orders_snapshot.sql",
          "{% snapshot orders_snapshot %}\n{{ config(target_schema='snapshots', unique_key='id', "
          "strategy='timestamp', updated_at='updated_at') }}\n"
          "select * from {{ ref('raw_orders') }}\n{% endsnapshot %}\n");
  }

  // `dbt build` after the seeds are loaded. The source shop_raw.raw_customers is the table the
  // seed raw_customers loads, and nothing tells the DAG so (a source has no parents, as in
  // dbt): in one build its unique test may run before the seed exists ("Table with name
  // raw_customers does not exist", 1 run in 3). Loading the seeds first removes the race.
  testing::ProcessResult build(const std::string& flags = "") {
    auto seeded = dbt("seed");
    EXPECT_EQ(seeded.exit_code, 0) << seeded.err;
    return dbt("build" + flags);
  }

  // The validator's verdict on one artifact.
  testing::ProcessResult validate(const std::string& schema, const std::string& artifact) {
    return testing::run_command("python3 '" + std::string(BALIZA_SOURCE_DIR) +
                                    "/tests/e2e/dbt_artifact_validate.py' '" +
                                    (schema_dir() / schema).string() + "' '" + artifact + "'",
                                dir.path());
  }

  nlohmann::json read_json(const std::string& path) {
    std::ifstream in(dir / path);
    return nlohmann::json::parse(in);
  }
};

TEST_F(DbtArtifacts, BuildAndDocsGenerateWriteArtifactsThatValidateAgainstDbtSchemas) {
  ASSERT_TRUE(std::filesystem::exists(schema_dir() / "manifest" / "v12.json")) << schema_dir();
  auto r = build();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto manifest = validate("manifest/v12.json", "target/manifest.json");
  EXPECT_EQ(manifest.exit_code, 0) << manifest.out << manifest.err;
  auto results = validate("run-results/v6.json", "target/run_results.json");
  EXPECT_EQ(results.exit_code, 0) << results.out << results.err;

  auto docs = dbt("docs generate");
  ASSERT_EQ(docs.exit_code, 0) << docs.err;
  EXPECT_TRUE(contains(docs.err, "no index.html")) << docs.err;
  auto catalog = validate("catalog/v1.json", "target/catalog.json");
  EXPECT_EQ(catalog.exit_code, 0) << catalog.out << catalog.err;
  auto docs_manifest = validate("manifest/v12.json", "target/manifest.json");
  EXPECT_EQ(docs_manifest.exit_code, 0) << docs_manifest.out << docs_manifest.err;

  // The catalog describes what the database holds: columns in order with DuckDB's types,
  // the row count of tables; the ephemeral model and the tests have no relation.
  nlohmann::json c = read_json("target/catalog.json");
  const auto& customers = c["nodes"]["model.shop.customers"];
  EXPECT_EQ(customers["metadata"]["type"], "BASE TABLE");
  EXPECT_EQ(customers["metadata"]["schema"], "main");
  EXPECT_EQ(customers["columns"]["customer_id"]["index"], 1);
  EXPECT_EQ(customers["columns"]["total"]["index"], 3);
  EXPECT_EQ(customers["stats"]["row_count"]["value"], 2);
  EXPECT_EQ(c["nodes"]["model.shop.stg_orders"]["metadata"]["type"], "VIEW");
  EXPECT_FALSE(c["nodes"].contains("model.shop.paid"));
  EXPECT_EQ(c["sources"]["source.shop.shop_raw.raw_customers"]["columns"]["name"]["type"],
            "VARCHAR");
  EXPECT_EQ(c["nodes"]["snapshot.shop.orders_snapshot"]["metadata"]["schema"], "snapshots");

  // run_results: relation_name for what has a relation, compiled code for every node.
  nlohmann::json rr = read_json("target/run_results.json");
  std::map<std::string, nlohmann::json> by_id;
  for (const auto& res : rr["results"]) by_id[res["unique_id"]] = res;
  EXPECT_EQ(by_id["model.shop.customers"]["relation_name"], "\"main\".\"customers\"");
  EXPECT_EQ(by_id["model.shop.customers"]["compiled"], true);
  EXPECT_EQ(by_id["seed.shop.raw_orders"]["relation_name"], "\"main\".\"raw_orders\"");
}

TEST_F(DbtArtifacts, GenericTestsAreNamedAsDbtNamesThem) {
  auto r = build();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json m = read_json("target/manifest.json");
  std::map<std::string, std::string> ids;  // name -> unique_id
  for (const auto& [id, node] : m["nodes"].items()) {
    if (node["resource_type"] == "test") ids[node["name"]] = id;
  }
  std::regex hashed(R"(test\.shop\.[a-z0-9_]+\.[0-9a-f]{10})");
  for (const auto& [name, id] : ids) {
    EXPECT_TRUE(std::regex_match(id, hashed)) << id;
    EXPECT_EQ(id.substr(10, name.size()), name) << id;
  }
  // Arguments sorted by name, each run of other characters one '_'.
  const std::string rel = "relationships_stg_orders_customer_id__customer_id__ref_stg_customers_";
  ASSERT_TRUE(ids.count(rel)) << m["nodes"].dump().substr(0, 2000);
  // 64 characters or more: the alias (the relation of stored failures, the compiled file) is
  // the first 30 characters of <test>_<model> and the md5 of the name.
  const std::string accepted =
      "accepted_values_stg_orders_status__placed__shipped__completed__returned__return_pending";
  ASSERT_TRUE(ids.count(accepted));
  std::string alias = m["nodes"][ids[accepted]]["alias"];
  EXPECT_TRUE(std::regex_match(alias, std::regex(R"(accepted_values_stg_orders_[0-9a-f]{32})")))
      << alias;
  EXPECT_TRUE(ids.count("source_unique_shop_raw_raw_customers_id"));
  EXPECT_TRUE(ids.count("unique_customers_customer_id"));
  // `dbt retry` style selection still finds a test by its name.
  auto one = dbt("test -s " + rel);
  EXPECT_EQ(one.exit_code, 0) << one.err;
  EXPECT_TRUE(contains(one.err, "PASS=1")) << one.err;
}

// --log-format json: one JSON object per line on stdout, dbt's event names, node_info for the
// nodes, before or after the command as dbt accepts it.
TEST_F(DbtArtifacts, JsonLogFormatWritesDbtStructuredEvents) {
  auto r = build(" --log-format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, int> names;
  std::map<std::string, std::string> finished;  // unique_id -> node_status
  bool completed = false;
  std::size_t start = 0;
  while (start < r.out.size()) {
    std::size_t nl = r.out.find('\n', start);
    std::string line = r.out.substr(start, nl - start);
    start = nl + 1;
    nlohmann::json e = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(e.is_discarded()) << line;
    ASSERT_TRUE(e["info"]["name"].is_string()) << line;
    ASSERT_TRUE(e["info"]["level"].is_string()) << line;
    ASSERT_TRUE(e["info"]["msg"].is_string()) << line;
    ASSERT_TRUE(e["info"]["ts"].is_string()) << line;
    ASSERT_TRUE(e["data"].is_object()) << line;
    std::string name = e["info"]["name"];
    ++names[name];
    if (name == "NodeFinished") {
      finished[e["data"]["node_info"]["unique_id"]] = e["data"]["node_info"]["node_status"];
    }
    if (name == "CommandCompleted") completed = e["data"]["success"] == true;
  }
  EXPECT_EQ(finished["model.shop.customers"], "success");
  EXPECT_EQ(finished["seed.shop.raw_orders"], "success");
  EXPECT_EQ(names["NodeStart"], names["NodeFinished"]);
  EXPECT_GE(names["LogTestResult"], 5);
  EXPECT_EQ(names["StatsLine"], 1);
  EXPECT_TRUE(completed);
  auto before = dbt("--log-format json run -s customers");
  ASSERT_EQ(before.exit_code, 0) << before.err;
  EXPECT_TRUE(contains(before.out, "\"name\":\"NodeFinished\"")) << before.out;
}

}  // namespace
}  // namespace baliza
