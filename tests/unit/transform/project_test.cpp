#include "transform/project.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "core/sha256.h"
#include "support/temp_dir.h"

namespace baliza::transform {
namespace {

using baliza::testing::TempDir;

void write(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

const char* kProjectYml = R"(name: shop
profile: default
vars:
  start: '2024-01-01'
  schema_suffix: x
models:
  shop:
    +materialized: view
    +tags: [all]
    staging:
      +schema: staging
      +tags: [staging]
    marts:
      +materialized: table
      +schema: marts
      orders_wide:
        +alias: wide
seeds:
  shop:
    +schema: raw
)";

const char* kStagingYml = R"yml(version: 2
sources:
  - name: raw
    schema: raw_data
    tables:
      - name: orders
        identifier: orders_v1
        columns:
          - name: id
            data_tests: [not_null]
models:
  - name: stg_orders
    description: Orders, typed.
    config:
      materialized: table
      tags: [from_yml]
    columns:
      - name: id
        description: key
        tests:
          - not_null
          - unique:
              config: {severity: warn, store_failures: true}
      - name: status
        data_tests:
          - accepted_values:
              values: [placed, shipped]
      - name: customer_id
        tests:
          - relationships: {to: "ref('customers')", field: id}
)yml";

// A small but complete project on disk.
void write_shop(const std::filesystem::path& root) {
  write(root / "baliza.yml", kProjectYml);
  write(root / "models/staging/stg_orders.sql",
        "select * from {{ source('raw', 'orders') }} where d >= '{{ var('start') }}'");
  write(root / "models/staging/schema.yml", kStagingYml);
  write(root / "models/marts/orders_wide.sql",
        "{{ config(materialized='incremental', unique_key='id', tags=['daily']) }}\n"
        "select * from {{ ref('stg_orders') }} join {{ ref('customers') }} using (customer_id)");
  write(root / "models/marts/revenue.sql", "select sum(x) from {{ ref('orders_wide') }}");
  write(root / "seeds/customers.csv", "id,name\n1,Ana\n");
  write(root / "seeds/seeds.yml",
        "seeds:\n  - name: customers\n    config:\n      column_types: {id: INTEGER}\n");
  write(root / "tests/no_negative_revenue.sql", "select * from {{ ref('revenue') }} where x < 0");
}

std::string load_error(const std::filesystem::path& root) {
  try {
    load_project(root);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kUsage);
    return e.what();
  }
  ADD_FAILURE() << "loading succeeded";
  return "";
}

bool has(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

TEST(Project, LoadsNodesWithIdsPathsFqnAndChecksums) {
  TempDir dir;
  write_shop(dir.path());
  Project p = load_project(dir.path());
  EXPECT_EQ(p.name(), "shop");
  const Node* stg = p.find("model.shop.stg_orders");
  ASSERT_NE(stg, nullptr);
  EXPECT_EQ(stg->original_file_path, "models/staging/stg_orders.sql");
  EXPECT_EQ(stg->path, "staging/stg_orders.sql");
  EXPECT_EQ(stg->fqn, (std::vector<std::string>{"shop", "staging", "stg_orders"}));
  EXPECT_EQ(
      stg->checksum,
      sha256_hex("select * from {{ source('raw', 'orders') }} where d >= '{{ var('start') }}'"));
  EXPECT_EQ(stg->description, "Orders, typed.");
  ASSERT_EQ(stg->sources.size(), 1u);
  EXPECT_EQ(stg->sources[0].table_name, "orders");
  const Node* seed = p.find("seed.shop.customers");
  ASSERT_NE(seed, nullptr);
  EXPECT_EQ(seed->raw_code, "id,name\n1,Ana\n");
  EXPECT_EQ(seed->config.schema, "raw");
  EXPECT_EQ(seed->config.column_types.at("id"), "INTEGER");
  const Node* source = p.find("source.shop.raw.orders");
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(source->schema, "raw_data");
  EXPECT_EQ(source->identifier, "orders_v1");
  const Node* singular = p.find("test.shop.no_negative_revenue");
  ASSERT_NE(singular, nullptr);
  ASSERT_EQ(singular->refs.size(), 1u);
  EXPECT_EQ(singular->refs[0].name, "revenue");
  // Nodes come sorted by unique_id.
  for (std::size_t i = 1; i < p.nodes.size(); ++i) {
    EXPECT_LT(p.nodes[i - 1].unique_id, p.nodes[i].unique_id);
  }
}

TEST(Project, FolderConfigIsInheritedAndYmlThenConfigCallOverride) {
  TempDir dir;
  write_shop(dir.path());
  Project p = load_project(dir.path());
  const Node& stg = *p.find("model.shop.stg_orders");
  EXPECT_EQ(stg.config.materialized, "table");  // yml config beats folder +materialized: view
  EXPECT_EQ(stg.config.schema, "staging");      // from the staging folder
  EXPECT_EQ(stg.config.tags, (std::vector<std::string>{"all", "staging", "from_yml"}));
  const Node& wide = *p.find("model.shop.orders_wide");
  EXPECT_EQ(wide.config.materialized, "incremental");  // config() beats the marts folder
  EXPECT_EQ(wide.config.schema, "marts");
  EXPECT_EQ(wide.config.alias, "wide");  // config at the model's own level in baliza.yml
  EXPECT_EQ(wide.config.unique_key, (std::vector<std::string>{"id"}));
  EXPECT_EQ(wide.config.tags, (std::vector<std::string>{"all", "daily"}));
  const Node& revenue = *p.find("model.shop.revenue");
  EXPECT_EQ(revenue.config.materialized, "table");
  EXPECT_EQ(revenue.config.schema, "marts");
}

// The test node whose unique_id is test.<project>.<name>.<10 hex characters>, or null.
const Node* find_test(const Project& p, const std::string& prefix) {
  for (const Node& n : p.nodes) {
    if (n.unique_id.rfind(prefix + ".", 0) == 0 && n.unique_id.size() == prefix.size() + 11)
      return &n;
  }
  return nullptr;
}

TEST(Project, GenericTestsBecomeNodesAttachedToColumns) {
  TempDir dir;
  write_shop(dir.path());
  Project p = load_project(dir.path());
  const Node* unique = find_test(p, "test.shop.unique_stg_orders_id");
  ASSERT_NE(unique, nullptr);
  EXPECT_EQ(unique->config.severity, "warn");
  EXPECT_EQ(unique->config.store_failures, true);
  EXPECT_EQ(unique->attached_node, "model.shop.stg_orders");
  EXPECT_EQ(unique->original_file_path, "models/staging/schema.yml");
  const Node* accepted =
      find_test(p, "test.shop.accepted_values_stg_orders_status__placed__shipped");
  ASSERT_NE(accepted, nullptr);
  EXPECT_EQ(accepted->test_metadata.kwargs["values"], nlohmann::json::array({"placed", "shipped"}));
  // dbt's naming: arguments sorted by name, runs of other characters -> one '_'.
  const Node* rel =
      find_test(p, "test.shop.relationships_stg_orders_customer_id__id__ref_customers_");
  ASSERT_NE(rel, nullptr);
  ASSERT_EQ(rel->refs.size(), 2u);  // the tested model and the `to` model
  EXPECT_EQ(rel->refs[1].name, "customers");
  EXPECT_NE(find_test(p, "test.shop.source_not_null_raw_orders_id"), nullptr);
  const Node& stg = *p.find("model.shop.stg_orders");
  EXPECT_EQ(stg.tests.size(), 4u);
  EXPECT_TRUE(has(stg.columns[0].tests, unique->unique_id));
  ASSERT_NE(find_test(p, "test.shop.not_null_stg_orders_id"), nullptr);
  EXPECT_TRUE(
      has(stg.columns[0].tests, find_test(p, "test.shop.not_null_stg_orders_id")->unique_id));
}

TEST(Project, LoadsTheSameFromMemory) {
  TempDir dir;
  write_shop(dir.path());
  Project from_disk = load_project(dir.path());
  std::vector<ProjectFile> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path())) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    files.push_back({entry.path().lexically_relative(dir.path()).generic_string(), content});
  }
  Project from_memory = load_project_files(files, "embedded:shop");
  ASSERT_EQ(from_memory.nodes.size(), from_disk.nodes.size());
  for (std::size_t i = 0; i < from_disk.nodes.size(); ++i) {
    EXPECT_EQ(from_memory.nodes[i].unique_id, from_disk.nodes[i].unique_id);
    EXPECT_EQ(from_memory.nodes[i].checksum, from_disk.nodes[i].checksum);
    EXPECT_EQ(from_memory.nodes[i].config.to_json(), from_disk.nodes[i].config.to_json());
  }
}

TEST(Project, EmbeddedFilesWithoutAProjectAreEmpty) {
  EXPECT_TRUE(embedded_project_files("no_such_project_here").empty());
}

TEST(Project, CliVarsOverrideProjectVarsAlsoInsideConfig) {
  TempDir dir;
  write_shop(dir.path());
  write(dir / "models/marts/by_var.sql", "{{ config(schema=var('schema_suffix')) }} select 1");
  LoadOptions options;
  options.cli_vars = {{"schema_suffix", "from_cli"}};
  Project p = load_project(dir.path(), options);
  EXPECT_EQ(p.vars["start"], "2024-01-01");
  EXPECT_EQ(p.vars["schema_suffix"], "from_cli");
  EXPECT_EQ(p.find("model.shop.by_var")->config.schema, "from_cli");
}

TEST(Project, FindsTheProjectDirByWalkingUp) {
  TempDir dir;
  write_shop(dir.path());
  std::filesystem::create_directories(dir / "models/staging/deeper");
  EXPECT_EQ(find_project_dir(dir / "models/staging/deeper"), dir.path());
  TempDir empty;  // sets BALIZA_CEILING_DIRECTORIES: nothing above the temp root is searched
  try {
    find_project_dir(empty.path());
    ADD_FAILURE() << "a project was found above " << empty.str();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no baliza.yml or dbt_project.yml found"),
              std::string::npos);
  }
}

TEST(Project, YamlSyntaxErrorHasFileLineColumn) {
  TempDir dir;
  write_shop(dir.path());
  write(dir / "models/staging/schema.yml", "version: 2\nmodels:\n  - name: [unclosed\n");
  std::string message = load_error(dir.path());
  EXPECT_NE(message.find("YAML syntax error at models/staging/schema.yml:"), std::string::npos)
      << message;
}

TEST(Project, UnknownKeyIsReportedWithPositionAndSuggestion) {
  TempDir dir;
  write_shop(dir.path());
  write(dir / "models/staging/schema.yml",
        "version: 2\nmodels:\n  - name: stg_orders\n    descripton: typo\n");
  EXPECT_EQ(load_error(dir.path()).substr(0, 97),
            "unknown key 'descripton' in a model at models/staging/schema.yml:4:5; did you mean "
            "'description'?");
}

TEST(Project, WrongConfigValueIsReportedWithPosition) {
  TempDir dir;
  write_shop(dir.path());
  write(dir / "models/staging/schema.yml",
        "version: 2\nmodels:\n  - name: stg_orders\n    config:\n      materialized: tabel\n");
  EXPECT_EQ(load_error(dir.path()),
            "materialized must be one of view, table, incremental, ephemeral, external, snapshot; "
            "got 'tabel'; did "
            "you mean 'table'? at models/staging/schema.yml:5:21");
  write(dir / "models/staging/schema.yml", "version: 2\n");
  write(dir / "models/marts/revenue.sql", "{{ config(enabled='yes') }}\nselect 1");
  EXPECT_EQ(load_error(dir.path()),
            "enabled must be true or false at models/marts/revenue.sql:1:19");
}

TEST(Project, UnknownTestSuggestsTheClosest) {
  TempDir dir;
  write_shop(dir.path());
  write(
      dir / "models/staging/schema.yml",
      "models:\n  - name: stg_orders\n    columns:\n      - name: id\n        tests: [not_nul]\n");
  std::string message = load_error(dir.path());
  EXPECT_NE(message.find("unknown test 'not_nul' at models/staging/schema.yml:5:17; did you mean "
                         "'not_null'?"),
            std::string::npos)
      << message;
}

TEST(Project, ProjectFileErrors) {
  TempDir dir;
  write_shop(dir.path());
  write(dir / "baliza.yml", "name: shop\nmodels:\n  shop:\n    staging:\n      schema_x: 1\n");
  std::string message = load_error(dir.path());
  EXPECT_NE(message.find("'schema_x' in models.shop.staging is neither a config nor a folder at "
                         "baliza.yml:5:7"),
            std::string::npos)
      << message;
  write(dir / "baliza.yml", "nmae: shop\n");
  EXPECT_NE(load_error(dir.path()).find("unknown key 'nmae' in baliza.yml at baliza.yml:1:1"),
            std::string::npos);
}

TEST(Project, DuplicateModelNamesNameBothFiles) {
  TempDir dir;
  write_shop(dir.path());
  write(dir / "models/marts/stg_orders.sql", "select 1");
  EXPECT_EQ(load_error(dir.path()),
            "duplicate model name 'stg_orders': models/marts/stg_orders.sql and "
            "models/staging/stg_orders.sql; rename one of them (names must be unique across "
            "models and seeds, because ref() uses them)");
}

TEST(Project, YmlEntryWithoutSqlIsAWarning) {
  TempDir dir;
  write_shop(dir.path());
  write(dir / "models/marts/schema.yml", "models:\n  - name: ghost\n");
  Project p = load_project(dir.path());
  ASSERT_EQ(p.warnings.size(), 1u);
  EXPECT_EQ(p.warnings[0],
            "models/marts/schema.yml:2:5: model 'ghost' is described here but has no .sql file");
}

TEST(Project, CustomPathsAreHonoured) {
  TempDir dir;
  write(dir / "baliza.yml", "name: p\nmodel-paths: [sql]\nseed-paths: [data]\n");
  write(dir / "sql/a.sql", "select 1");
  write(dir / "data/s.csv", "x\n1\n");
  write(dir / "models/ignored.sql", "select 2");
  Project p = load_project(dir.path());
  ASSERT_EQ(p.nodes.size(), 2u);
  EXPECT_NE(p.find("model.p.a"), nullptr);
  EXPECT_NE(p.find("seed.p.s"), nullptr);
}

}  // namespace
}  // namespace baliza::transform
