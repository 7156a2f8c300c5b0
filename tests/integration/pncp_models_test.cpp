// The built-in PNCP project (projects/pncp) run against pages fetched from the simulator over
// loopback and stored in a real DuckDB file through the raw store. A small in-test runner
// renders every model, seed and data test in DAG order (tables only), so the SQL is checked
// here; expectations come from the simulator's generated records, computed in C++.
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
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
#include "transform/runner.h"
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
    // to: "ref('name')" -> name
    std::string to = t.kwargs["to"].get<std::string>();
    size_t open = to.find('\''), close = to.rfind('\'');
    if (to.find("ref(") == std::string::npos || open == std::string::npos || close <= open)
      throw std::runtime_error("relationships to: " + to);
    const tf::Node* parent = project.find_ref(to.substr(open + 1, close - open - 1));
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

// Records of every fetched endpoint of a family, by natural key (later versions overwrite; in
// the simulator every version of a record is identical).
std::map<std::string, json> records_by_key(const pncp_sim::Options& options,
                                           const std::vector<std::string>& paths,
                                           const std::function<std::string(const json&)>& key) {
  std::map<std::string, json> out;
  for (const std::string& path : paths)
    for (const json& r : pncp_sim::records_between(options, path, kFrom, kTo, std::nullopt))
      out[key(r)] = r;
  return out;
}

bool cnpj_ok(const json& v) {
  return v.is_string() && pncp_sim::cnpj_is_valid(v.get<std::string>());
}

bool contrato_is_valid(const json& r) {
  bool fornecedor_ok = r["tipoPessoa"] != "PJ" || cnpj_ok(r["niFornecedor"]);
  return cnpj_ok(r["orgaoEntidade"]["cnpj"]) && fornecedor_ok &&
         date_field_ok(r, "dataAssinatura") && number_field_ok(r, "valorGlobal") &&
         number_field_ok(r, "valorInicial");
}

bool ata_is_valid(const json& r) {
  return cnpj_ok(r["cnpjOrgao"]) && date_field_ok(r, "vigenciaFim");
}

bool instrumento_is_valid(const json& r) {
  return cnpj_ok(r["cnpj"]) && date_field_ok(r, "dataEmissaoDocumento");
}

std::string instrumento_key(const json& r) {
  auto text = [](const json& v) { return v.is_null() ? std::string("0") : v.dump(); };
  return r["cnpj"].get<std::string>() + "/" + r["ano"].dump() + "/" +
         text(r["sequencialContrato"]) + "/" + r["sequencialInstrumentoCobranca"].dump();
}

// Exact sum of amounts with at most 4 decimals, in units of 1/10000.
int64_t ten_thousandths(const json& v) {
  return v.is_null() ? 0 : static_cast<int64_t>(std::llround(v.get<double>() * 10000));
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

  std::set<std::string> keys(const std::string& sql) {
    std::set<std::string> out;
    auto result = conn().query(sql);
    for (size_t i = 0; i < result.row_count(); ++i) out.insert(result.get_string(0, i));
    return out;
  }
};

TEST_F(PncpModels, StagingHoldsExactlyTheValidKeysOfEveryEntity) {
  const auto& o = g_world->options;
  struct Case {
    std::string staging, quarantine, key_column;
    std::map<std::string, json> records;
    std::function<bool(const json&)> valid;
  };
  std::vector<Case> cases;
  cases.push_back(
      {"staging.contratos", "quarantine.contratos", "numero_controle_pncp",
       records_by_key(o, {"/v1/contratos", "/v1/contratos/atualizacao"},
                      [](const json& r) { return r["numeroControlePNCP"].get<std::string>(); }),
       contrato_is_valid});
  cases.push_back(
      {"staging.atas", "quarantine.atas", "numero_controle_pncp_ata",
       records_by_key(o, {"/v1/atas/atualizacao"},
                      [](const json& r) { return r["numeroControlePNCPAta"].get<std::string>(); }),
       ata_is_valid});
  cases.push_back({"staging.instrumentos_cobranca", "quarantine.instrumentos_cobranca",
                   "instrumento_key",
                   records_by_key(o, {"/v1/instrumentoscobranca/inclusao"}, instrumento_key),
                   instrumento_is_valid});
  for (const Case& c : cases) {
    std::set<std::string> valid, invalid;
    for (const auto& [key, r] : c.records) (c.valid(r) ? valid : invalid).insert(key);
    EXPECT_FALSE(valid.empty()) << c.staging;
    EXPECT_EQ(keys("select " + c.key_column + " from " + c.staging), valid) << c.staging;
    EXPECT_EQ(keys("select distinct " + c.key_column + " from " + c.quarantine), invalid)
        << c.quarantine;
  }
  EXPECT_GT(count("select count(*) from quarantine.contratos"), 0);
  EXPECT_GT(count("select count(*) from quarantine.contratos where failure_type = 'invalid_cnpj'"),
            0);
}

TEST_F(PncpModels, PcaItemsOnePerPlanItemAndOnlyBadItemsQuarantined) {
  std::set<std::string> valid, invalid;
  for (const json& plan : pncp_sim::records_between(g_world->options, "/v1/pca/atualizacao", kFrom,
                                                    kTo, std::nullopt)) {
    bool plan_ok = cnpj_ok(plan["orgaoEntidadeCnpj"]);
    for (const json& item : plan["itens"]) {
      std::string key = plan["idPcaPncp"].get<std::string>() + "#" + item["numeroItem"].dump();
      (plan_ok && number_field_ok(item, "valorTotal") ? valid : invalid).insert(key);
    }
  }
  EXPECT_FALSE(valid.empty());
  EXPECT_EQ(keys("select item_key from staging.pca_itens"), valid);
  EXPECT_EQ(keys("select distinct item_key from quarantine.pca_itens"), invalid);
}

TEST_F(PncpModels, RawRecordsEqualStagingPlusDeduplicatedPlusQuarantined) {
  // Records served by the simulator for every fetched query, counted in C++.
  int64_t served = 0;
  for (const char* path : {"/v1/contratacoes/publicacao", "/v1/contratacoes/atualizacao"})
    for (int m = 1; m <= 14; ++m)
      served += static_cast<int64_t>(
          pncp_sim::records_between(g_world->options, path, kFrom, kTo, m).size());
  int64_t staging = count("select count(*) from staging.contratacoes");
  int64_t quarantined = count("select count(*) from quarantine.contratacoes");
  int64_t deduplicated = served - staging - quarantined;
  EXPECT_EQ(count("select count(*) from staging.contratacoes_registros"), served);
  EXPECT_GT(deduplicated, 0) << "publicacao and atualizacao overlap, so versions repeat";
  EXPECT_EQ(count("select count(*) from staging.contratacoes_registros where is_valid") - staging,
            deduplicated);
}

TEST_F(PncpModels, MonthlyMartEqualsTotalsOfTheGeneratedRecords) {
  // (month, orgao, modalidade) -> (count, sum of valorTotalEstimado in 1/10000)
  std::map<std::string, std::pair<int64_t, int64_t>> expected;
  for (const auto& [key, r] : contratacoes_by_key(g_world->options)) {
    if (!contratacao_is_valid(r)) continue;
    std::string k = r["dataPublicacaoPncp"].get<std::string>().substr(0, 7) + "|" +
                    r["orgaoEntidade"]["cnpj"].get<std::string>() + "|" + r["modalidadeId"].dump();
    expected[k].first += 1;
    expected[k].second += ten_thousandths(r["valorTotalEstimado"]);
  }
  std::map<std::string, std::pair<int64_t, int64_t>> actual;
  auto result = conn().query(
      "select strftime(mes, '%Y-%m') || '|' || orgao_cnpj || '|' || modalidade_id, "
      "sum(qtd_contratacoes)::bigint, coalesce(sum(valor_total_estimado * 10000), 0)::bigint "
      "from marts.contratacoes_mensal group by 1");
  for (size_t i = 0; i < result.row_count(); ++i)
    actual[result.get_string(0, i)] = {result.get_int64(1, i), result.get_int64(2, i)};
  EXPECT_FALSE(expected.empty());
  EXPECT_EQ(actual, expected);
}

// The same project through the real engine (transform/runner.h, as `baliza build` runs it):
// every model builds, every data test passes, and the staging counts are the in-test runner's.
TEST_F(PncpModels, RealEngineBuildsTheProjectWithTheSameCounts) {
  int64_t staging = count("select count(*) from staging.contratacoes");
  int64_t mart = count("select sum(qtd_contratacoes) from marts.contratacoes_mensal");
  tf::LoadOptions load;
  load.cli_vars = json{{"data_referencia", "2024-03-15"}};
  tf::Project project = tf::load_project(kProjectDir, load);
  tf::Dag dag = tf::Dag::build(project);
  std::vector<std::size_t> all(dag.topological_order().begin(), dag.topological_order().end());
  tf::RunOptions options;
  options.build_mode = true;
  options.threads = 2;
  // baliza_payload is registered in the database's catalog once (by the fixture).
  options.connect = [] { return std::make_unique<baliza::Connection>(g_world->db); };
  options.print = [](const std::string&) {};
  tf::RunSummary summary = tf::run_nodes(project, dag, all, options);
  for (const tf::NodeResult& r : summary.results)
    if (r.status == "error" || r.status == "fail" || r.status == "skipped")
      ADD_FAILURE() << r.unique_id << ": " << r.status << " " << r.message;
  EXPECT_EQ(summary.error, 0);
  EXPECT_EQ(count("select count(*) from staging.contratacoes"), staging);
  EXPECT_EQ(count("select sum(qtd_contratacoes) from marts.contratacoes_mensal"), mart);
}

TEST_F(PncpModels, AtasInForceCoverTheReferenceDate) {
  int64_t expected = 0;
  for (const auto& [key, r] : records_by_key(
           g_world->options, {"/v1/atas/atualizacao"},
           [](const json& r) { return r["numeroControlePNCPAta"].get<std::string>(); })) {
    if (!ata_is_valid(r) || r["cancelado"].get<bool>()) continue;
    std::string ini = r["vigenciaInicio"].get<std::string>().substr(0, 10);
    std::string fim = r["vigenciaFim"].get<std::string>().substr(0, 10);
    if (ini <= "2024-03-15" && fim >= "2024-03-15") ++expected;
  }
  EXPECT_GT(expected, 0);
  EXPECT_EQ(count("select count(*) from marts.atas_vigentes"), expected);
}

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

namespace {

json read_json(const fs::path& path) {
  std::ifstream in(path);
  return json::parse(in);
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every key of a record (and of nested objects and arrays of objects).
void collect_keys(const json& j, std::set<std::string>& out) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      out.insert(k);
      collect_keys(v, out);
    }
  } else if (j.is_array()) {
    for (const json& v : j) collect_keys(v, out);
  }
}

std::string as_timestamp(const json& v) {
  std::string s = v.get<std::string>();
  std::replace(s.begin(), s.end(), 'T', ' ');
  return s.size() == 10 ? s + " 00:00:00" : s;
}

class PncpSamples : public ::testing::Test {
 protected:
  const fs::path samples = fs::path(BALIZA_SHARED_DIR) / "pncp" / "samples";
  baliza::testing::TempDir dir;
  std::shared_ptr<baliza::Database> db = baliza::Database::open((dir / "s.duckdb").string());
  baliza::Connection conn{db};

  void SetUp() override {
    baliza::apply_migrations(conn);
    baliza::register_payload_functions(conn, size_t{256} << 20);
  }
  void put(const std::string& endpoint, const std::string& body, int page) {
    baliza::RawStore store(conn);
    baliza::RawRequest req;
    req.endpoint = endpoint;
    req.url =
        "https://pncp.gov.br/api/consulta/sample/" + endpoint + "?pagina=" + std::to_string(page);
    req.params = "{}";
    req.page = page;
    store.put(req, body);
  }
  std::string value(const std::string& sql) { return conn.scalar(sql).value_or("<null>"); }
};

TEST_F(PncpSamples, RecordedRealPagesLoadWithEveryFieldMappedAndTyped) {
  const std::map<std::string, std::pair<std::string, std::string>> files = {
      {"contratacoes_publicacao_page_sample.json",
       {"contratacoes_publicacao", "contratacoes_registros.sql"}},
      {"contratos_page_sample.json", {"contratos", "contratos_registros.sql"}},
      {"atas_sample.json", {"atas_atualizacao", "atas_registros.sql"}},
      {"pca_sample.json", {"pca_atualizacao", "pca_itens_registros.sql"}},
  };
  // Keys of the sample files that are annotations of the recording, not API fields.
  const std::set<std::string> ignored = {"_note"};
  for (const auto& [file, target] : files) {
    json page = read_json(samples / file);
    put(target.first, page.dump(), 1);
    std::set<std::string> keys;
    collect_keys(page["data"], keys);
    std::string model = read_text(kProjectDir / "models" / "staging" / target.second);
    for (const std::string& key : keys) {
      if (ignored.count(key)) continue;
      EXPECT_NE(model.find("\"" + key + "\""), std::string::npos)
          << file << ": field " << key << " is not mapped by " << target.second;
    }
  }
  // A newer version of the first contratação: staging must keep it, not the recorded one.
  json newer = read_json(samples / "contratacoes_publicacao_page_sample.json");
  json first = newer["data"][0];
  newer["data"] = json::array({first});
  newer["data"][0]["dataAtualizacao"] = "2025-02-01T10:00:00";
  newer["data"][0]["valorTotalEstimado"] = 1.2345;
  put("contratacoes_atualizacao", newer.dump(), 1);

  RunReport report = run_project(conn, kProjectDir, json{{"data_referencia", "2023-01-01"}});
  for (const auto& [name, rows] : report.failed_tests)
    ADD_FAILURE() << "data test " << name << " returned " << rows << " rows";

  const json contratacoes = read_json(samples / "contratacoes_publicacao_page_sample.json")["data"];
  EXPECT_EQ(value("select count(*) from staging.contratacoes"),
            std::to_string(contratacoes.size()));
  for (const json& r : contratacoes) {
    std::string where = " from staging.contratacoes where numero_controle_pncp = " +
                        quote(r["numeroControlePNCP"].get<std::string>());
    bool is_newer = r["numeroControlePNCP"] == first["numeroControlePNCP"];
    EXPECT_EQ(value("select (valor_total_estimado * 10000)::bigint" + where),
              std::to_string(is_newer ? 12345 : ten_thousandths(r["valorTotalEstimado"])));
    EXPECT_EQ(value("select data_publicacao_pncp" + where), as_timestamp(r["dataPublicacaoPncp"]));
    EXPECT_EQ(value("select situacao_compra_id" + where), r["situacaoCompraId"].dump());
    EXPECT_EQ(value("select orgao_poder_id" + where),
              r["orgaoEntidade"]["poderId"].get<std::string>());
    EXPECT_EQ(value("select typeof(data_publicacao_pncp) || typeof(valor_total_estimado)" + where),
              "TIMESTAMPDECIMAL(18,4)");
  }
  const json contratos_page = read_json(samples / "contratos_page_sample.json");
  for (const json& r : contratos_page["data"]) {
    std::string where = " from staging.contratos where numero_controle_pncp = " +
                        quote(r["numeroControlePNCP"].get<std::string>());
    EXPECT_EQ(value("select (valor_global * 10000)::bigint" + where),
              std::to_string(ten_thousandths(r["valorGlobal"])));
    EXPECT_EQ(value("select data_assinatura::varchar" + where),
              r["dataAssinatura"].get<std::string>());
    EXPECT_EQ(value("select numero_controle_pncp_compra" + where),
              r["numeroControlePncpCompra"].get<std::string>());
  }
  const json atas_page = read_json(samples / "atas_sample.json");
  for (const json& r : atas_page["data"]) {
    std::string where = " from staging.atas where numero_controle_pncp_ata = " +
                        quote(r["numeroControlePNCPAta"].get<std::string>());
    EXPECT_EQ(value("select vigencia_fim::varchar" + where), r["vigenciaFim"].get<std::string>());
    EXPECT_EQ(value("select data_publicacao_pncp" + where), as_timestamp(r["dataPublicacaoPncp"]));
    EXPECT_EQ(value("select orgao_cnpj" + where), r["cnpjOrgao"].get<std::string>());
  }
  // The recorded PCA example lacks its plan id (idPcaPncp): its items cannot be keyed, so they
  // are quarantined as missing_key rather than dropped.
  size_t items = read_json(samples / "pca_sample.json")["data"][0]["itens"].size();
  EXPECT_EQ(value("select count(*) from quarantine.pca_itens where failure_type = 'missing_key' "
                  "and offending_values like '%idPcaPncp%'"),
            std::to_string(items));
  EXPECT_EQ(value("select count(*) from staging.pca_itens"), "0");
}

}  // namespace
