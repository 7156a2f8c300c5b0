// The built-in PNCP project (projects/pncp) run against pages fetched from the simulator over
// loopback and stored in a real DuckDB file through the raw store. A small in-test runner
// renders every model, seed and data test in DAG order (tables only), so the SQL is checked
// here; expectations come from the simulator's generated records, computed in C++.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "db/database.h"
#include "db/migrations.h"
#include "db/payload_functions.h"
#include "extract/raw_store.h"
#include "pncp_sim/data.h"
#include "pncp_sim/options.h"
#include "pncp_sim/simulator.h"
#include "support/temp_dir.h"
#include "transform/dag.h"
#include "transform/project.h"
#include "transform/template.h"

namespace {

using nlohmann::json;
namespace fs = std::filesystem;
namespace tf = baliza::transform;

const std::string kFrom = "20240304";
const std::string kTo = "20240308";

struct EndpointToFetch {
  std::string name;  // as in projects/pncp/endpoints.yaml
  std::string path;
  std::string start_param, end_param;
  int page_size;
  bool by_modalidade;
};

const std::vector<EndpointToFetch>& endpoints_to_fetch() {
  static const std::vector<EndpointToFetch> v = {
      {"contratacoes_publicacao", "/v1/contratacoes/publicacao", "dataInicial", "dataFinal", 50,
       true},
      {"contratacoes_atualizacao", "/v1/contratacoes/atualizacao", "dataInicial", "dataFinal", 50,
       true},
      {"contratos", "/v1/contratos", "dataInicial", "dataFinal", 100, false},
      {"contratos_atualizacao", "/v1/contratos/atualizacao", "dataInicial", "dataFinal", 100,
       false},
      {"atas_atualizacao", "/v1/atas/atualizacao", "dataInicial", "dataFinal", 100, false},
      {"pca_atualizacao", "/v1/pca/atualizacao", "dataInicio", "dataFim", 100, false},
      {"instrumentoscobranca_inclusao", "/v1/instrumentoscobranca/inclusao", "dataInicial",
       "dataFinal", 100, false},
  };
  return v;
}

std::string quote(const std::string& s) {
  return baliza::quote_literal(s);
}

std::string relation(const tf::Node& node) {
  const std::string& schema = node.config.schema.empty() ? std::string("main") : node.config.schema;
  const std::string& name = node.config.alias.empty() ? node.name : node.config.alias;
  return baliza::quote_identifier(schema) + "." + baliza::quote_identifier(name);
}

std::string source_relation(const tf::Node& node) {
  std::string schema = node.schema.empty() ? node.source_name : node.schema;
  std::string table = node.identifier.empty() ? node.name : node.identifier;
  return baliza::quote_identifier(schema) + "." + baliza::quote_identifier(table);
}

std::string sql_value(const json& v) {
  if (v.is_string()) return quote(v.get<std::string>());
  return v.dump();
}

// Compiles a generic data test to a query returning the failing rows.
std::string generic_test_sql(const tf::Project& project, const tf::Node& test) {
  const tf::TestSpec& t = test.test_metadata;
  const tf::Node* attached = project.find(test.attached_node);
  std::string rel = attached->resource_type == tf::ResourceType::kSource
                        ? source_relation(*attached)
                        : relation(*attached);
  std::string col = t.column_name;
  if (t.test_name == "not_null") return "select * from " + rel + " where " + col + " is null";
  if (t.test_name == "unique")
    return "select " + col + " from " + rel + " where " + col + " is not null group by " + col +
           " having count(*) > 1";
  if (t.test_name == "accepted_values") {
    std::string values;
    for (const json& v : t.kwargs["values"]) values += (values.empty() ? "" : ", ") + sql_value(v);
    return "select * from " + rel + " where " + col + " is not null and " + col + " not in (" +
           values + ")";
  }
  if (t.test_name == "relationships") {
    std::smatch m;
    std::string to = t.kwargs["to"].get<std::string>();
    std::regex ref_re(R"(ref\(\s*'([^']+)'\s*\))");
    if (!std::regex_search(to, m, ref_re)) throw std::runtime_error("relationships to: " + to);
    const tf::Node* parent = project.find_ref(m[1].str());
    std::string field = t.kwargs["field"].get<std::string>();
    return "select c." + col + " from " + rel + " c left join " + relation(*parent) + " p on c." +
           col + " = p." + field + " where c." + col + " is not null and p." + field + " is null";
  }
  if (t.test_name == "expression_is_true")
    return "select * from " + rel + " where not (" + t.kwargs["expression"].get<std::string>() +
           ")";
  throw std::runtime_error("unknown generic test " + t.test_name);
}

// What the in-test runner did: failing data tests (name -> failing row count).
struct RunReport {
  std::map<std::string, int64_t> failed_tests;
  std::map<std::string, int64_t> warned_tests;  // severity warn
  int models = 0, seeds = 0, tests = 0;
};

// Runs the project in DAG order: seeds via read_csv with the yml column types, models as
// CREATE OR REPLACE TABLE/VIEW (ephemeral and incremental as tables), then every data test.
RunReport run_project(baliza::Connection& conn, const fs::path& dir, const json& vars) {
  tf::LoadOptions options;
  options.cli_vars = vars;
  tf::Project project = tf::load_project(dir, options);
  tf::Dag dag = tf::Dag::build(project);
  tf::RenderContext ctx;
  ctx.resolve_ref = [&](const tf::TemplateRef& ref) -> std::optional<std::string> {
    const tf::Node* n = project.find_ref(ref.name);
    if (!n) return std::nullopt;
    return relation(*n);
  };
  ctx.resolve_source = [&](const tf::TemplateSource& s) -> std::optional<std::string> {
    const tf::Node* n = project.find_source(s.source_name, s.table_name);
    if (!n) return std::nullopt;
    return source_relation(*n);
  };
  ctx.vars = &project.vars;
  RunReport report;
  std::vector<const tf::Node*> tests;
  for (std::size_t i : dag.topological_order()) {
    const tf::Node& node = dag.node(i);
    if (!node.config.enabled) continue;
    if (node.resource_type == tf::ResourceType::kSeed) {
      std::string columns;
      for (const auto& [name, type] : node.config.column_types)
        columns += (columns.empty() ? "" : ", ") + quote(name) + ": " + quote(type);
      conn.execute("create schema if not exists " + baliza::quote_identifier(node.config.schema));
      conn.execute("create or replace table " + relation(node) + " as select * from read_csv(" +
                   quote((dir / node.original_file_path).string()) +
                   ", header = true, columns = {" + columns + "})");
      ++report.seeds;
    } else if (node.resource_type == tf::ResourceType::kModel) {
      ctx.this_relation = relation(node);
      std::string sql = node.tmpl->render(ctx);
      std::string kind = node.config.materialized == "view" ? "view" : "table";
      conn.execute("create schema if not exists " + baliza::quote_identifier(node.config.schema));
      try {
        conn.execute("create or replace " + kind + " " + relation(node) + " as " + sql);
      } catch (const std::exception& e) {
        throw std::runtime_error(node.original_file_path + ": " + e.what());
      }
      ++report.models;
    } else if (node.resource_type == tf::ResourceType::kTest) {
      tests.push_back(&node);
    }
  }
  for (const tf::Node* test : tests) {
    std::string sql =
        test->is_generic_test ? generic_test_sql(project, *test) : test->tmpl->render(ctx);
    auto n = conn.scalar("select count(*) from (" + sql + ")");
    ++report.tests;
    if (n && *n != "0")
      (test->config.severity == "warn" ? report.warned_tests : report.failed_tests)[test->name] =
          std::stoll(*n);
  }
  return report;
}

std::string canonical_params(const std::map<std::string, std::string>& params) {
  json j = json::object();
  for (const auto& [k, v] : params) j[k] = v;
  return j.dump();
}

// Fetches every page of [from, to] of each endpoint (per modalidade where required) and stores
// it as the extractor does. Returns the number of stored pages.
int fetch_into_raw(baliza::RawStore& store, const std::string& base_url, const std::string& from,
                   const std::string& to) {
  httplib::Client client("127.0.0.1", std::stoi(base_url.substr(base_url.rfind(':') + 1)));
  int pages = 0;
  for (const EndpointToFetch& e : endpoints_to_fetch()) {
    std::vector<std::optional<int>> fan = {std::nullopt};
    if (e.by_modalidade) {
      fan.clear();
      for (int m = 1; m <= 14; ++m) fan.push_back(m);
    }
    for (const auto& modalidade : fan) {
      int total_pages = 1;
      for (int page = 1; page <= total_pages; ++page) {
        std::map<std::string, std::string> params = {
            {e.start_param, from},
            {e.end_param, to},
            {"pagina", std::to_string(page)},
            {"tamanhoPagina", std::to_string(e.page_size)}};
        if (modalidade) params["codigoModalidadeContratacao"] = std::to_string(*modalidade);
        std::string query;
        for (const auto& [k, v] : params) query += (query.empty() ? "?" : "&") + k + "=" + v;
        std::string target = "/api/consulta" + e.path + query;
        auto res = client.Get(target);
        if (!res) throw std::runtime_error("no response for " + target);
        baliza::RawRequest req;
        req.endpoint = e.name;
        req.url = base_url + e.path + query;
        req.params = canonical_params(params);
        req.page = page;
        req.http_status = res->status;
        if (res->status == 200) {
          store.put(req, res->body);
          ++pages;
          total_pages = json::parse(res->body).at("totalPaginas").get<int>();
        } else if (res->status == 204 || res->status == 404) {
          store.record_without_body(req);
        } else {
          throw std::runtime_error("HTTP " + std::to_string(res->status) + " for " + target);
        }
      }
    }
  }
  return pages;
}

// --- Independent expectations from the generated records --------------------------------

bool is_valid_date(const std::string& text) {
  // yyyy-MM-dd[Thh:mm:ss]: a real calendar day.
  if (text.size() < 10) return false;
  int y = std::stoi(text.substr(0, 4)), m = std::stoi(text.substr(5, 2)),
      d = std::stoi(text.substr(8, 2));
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= days[m - 1] + (m == 2 && leap ? 1 : 0);
}

bool date_field_ok(const json& r, const char* key) {
  return !r.contains(key) || r[key].is_null() || is_valid_date(r[key].get<std::string>());
}

bool number_field_ok(const json& r, const char* key) {
  return !r.contains(key) || r[key].is_null() || r[key].get<double>() >= 0;
}

bool contratacao_is_valid(const json& r) {
  bool cnpj_ok = pncp_sim::cnpj_is_valid(r["orgaoEntidade"]["cnpj"].get<std::string>()) &&
                 (r["orgaoSubRogado"].is_null() ||
                  pncp_sim::cnpj_is_valid(r["orgaoSubRogado"]["cnpj"].get<std::string>()));
  return cnpj_ok && date_field_ok(r, "dataInclusao") && number_field_ok(r, "valorTotalEstimado") &&
         number_field_ok(r, "valorTotalHomologado");
}

std::map<std::string, json> contratacoes_by_key(const pncp_sim::Options& options) {
  std::map<std::string, json> out;
  for (const char* path : {"/v1/contratacoes/publicacao", "/v1/contratacoes/atualizacao"})
    for (int m = 1; m <= 14; ++m)
      for (const json& r : pncp_sim::records_between(options, path, kFrom, kTo, m)) {
        if (!r.contains("numeroControlePNCP") || !r["numeroControlePNCP"].is_string())
          throw std::runtime_error("record without numeroControlePNCP: " + r.dump());
        out[r["numeroControlePNCP"].get<std::string>()] = r;
      }
  return out;
}

// --- The fixture: one simulator run, one database, the project built once ------------------

const fs::path kProjectDir = fs::path(BALIZA_SOURCE_DIR) / "projects" / "pncp";

struct World {
  pncp_sim::Options options;
  baliza::testing::TempDir dir;
  std::shared_ptr<baliza::Database> db;
  std::unique_ptr<baliza::Connection> conn;
  RunReport report;
  int pages = 0;
};

World* g_world = nullptr;

class PncpModels : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    g_world = new World();
    World& w = *g_world;
    w.options.today = "20240331";
    w.options.volume.scale = 0.5;
    w.options.quality.invalid_cnpj_rate = 0.05;
    w.options.quality.bad_value_rate = 0.05;
    w.options.threads = 2;
    w.db = baliza::Database::open((w.dir / "pncp.duckdb").string());
    w.conn = std::make_unique<baliza::Connection>(w.db);
    baliza::apply_migrations(*w.conn);
    baliza::register_payload_functions(*w.conn, size_t{256} << 20);
    pncp_sim::Simulator sim(w.options);
    sim.start();
    baliza::RawStore store(*w.conn);
    w.conn->transaction([&] { w.pages = fetch_into_raw(store, sim.base_url(), kFrom, kTo); });
    sim.stop();
    w.report = run_project(*w.conn, kProjectDir, json{{"data_referencia", "2024-03-15"}});
  }
  static void TearDownTestSuite() {
    delete g_world;
    g_world = nullptr;
  }
  baliza::Connection& conn() { return *g_world->conn; }
  int64_t count(const std::string& sql) { return std::stoll(conn().scalar(sql).value_or("0")); }
};

TEST_F(PncpModels, ProjectRunsAndEveryDataTestPasses) {
  EXPECT_GT(g_world->pages, 10);
  EXPECT_GT(g_world->report.models, 10);
  EXPECT_GT(g_world->report.tests, 20);
  for (const auto& [name, rows] : g_world->report.failed_tests)
    ADD_FAILURE() << "data test " << name << " returned " << rows << " rows";
}

TEST_F(PncpModels, ContratacoesOneRowPerValidKeyAndBadOnesQuarantined) {
  auto records = contratacoes_by_key(g_world->options);
  int64_t valid = 0;
  std::set<std::string> invalid_keys;
  for (const auto& [key, r] : records) {
    bool ok = false;
    try {
      ok = contratacao_is_valid(r);
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what() << " in " << r.dump();
    }
    if (ok)
      ++valid;
    else
      invalid_keys.insert(key);
  }
  ASSERT_GT(invalid_keys.size(), 0u) << "the simulator should have produced bad records";
  EXPECT_EQ(count("select count(*) from staging.contratacoes"), valid);
  EXPECT_EQ(count("select count(distinct numero_controle_pncp) from quarantine.contratacoes"),
            static_cast<int64_t>(invalid_keys.size()));
  for (const std::string& key : invalid_keys)
    EXPECT_EQ(count("select count(*) from quarantine.contratacoes where numero_controle_pncp = " +
                    quote(key)),
              count("select count(*) from staging.contratacoes_registros where "
                    "numero_controle_pncp = " +
                    quote(key)))
        << key;
}

}  // namespace
