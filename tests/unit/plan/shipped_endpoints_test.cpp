// The shipped projects/pncp/endpoints.yaml against the published PNCP OpenAPI spec.
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "plan/endpoint_config.h"
#include "plan_test_support.h"

namespace baliza::plan {
namespace {

nlohmann::json load_spec(const std::string& name = "api-pncp-consulta.json") {
  return nlohmann::json::parse(
      test::read_file(std::string(BALIZA_SHARED_DIR) + "/pncp/openapi/" + name));
}

// Endpoints of the maintenance API (items, results) live beside the consultation API.
bool maintenance(const EndpointConfig& e) {
  return e.base_url_ref == "../pncp";
}

const nlohmann::json* spec_param(const nlohmann::json& op, const std::string& name) {
  for (const auto& p : op["parameters"]) {
    if (p["name"] == name) return &p;
  }
  return nullptr;
}

class ShippedEndpoints : public ::testing::Test {
 protected:
  EndpointsConfig config = load_endpoints_file(test::shipped_endpoints_path());
  nlohmann::json spec = load_spec();
};

TEST_F(ShippedEndpoints, CoversEveryGetPathOfTheSpecExactlyOnce) {
  std::set<std::string> spec_paths, config_paths;
  for (const auto& [path, item] : spec["paths"].items()) {
    if (item.contains("get")) spec_paths.insert(path);
  }
  for (const auto& e : config.endpoints) {
    if (maintenance(e)) continue;
    EXPECT_TRUE(config_paths.insert(e.path).second) << "duplicate path " << e.path;
  }
  EXPECT_EQ(spec_paths.size(), 12u);
  EXPECT_EQ(config_paths, spec_paths);
}

TEST_F(ShippedEndpoints, PageSizesMatchTheSpecLimits) {
  for (const auto& e : config.endpoints) {
    if (maintenance(e)) continue;  // MaintenanceEndpointsFollowTheirSpec
    const auto& op = spec["paths"][e.path]["get"];
    const nlohmann::json* size = spec_param(op, e.page_size_param);
    if (size == nullptr) {  // the detail endpoint has no paging
      EXPECT_FALSE(e.enabled) << e.name;
      continue;
    }
    EXPECT_EQ(e.page_size_min, (*size)["schema"]["minimum"].get<int>()) << e.name;
    EXPECT_EQ(e.page_size_max, (*size)["schema"]["maximum"].get<int>()) << e.name;
    EXPECT_GE(e.page_size, e.page_size_min) << e.name;
    EXPECT_LE(e.page_size, e.page_size_max) << e.name;
    EXPECT_NE(spec_param(op, e.page_param), nullptr) << e.name;
  }
}

// Every query parameter the spec marks required is sent by every enabled endpoint's tasks,
// and every parameter we send exists in the spec.
TEST_F(ShippedEndpoints, EnabledEndpointsSendEveryRequiredParameter) {
  int enabled = 0;
  for (const auto& e : config.endpoints) {
    if (!e.enabled || maintenance(e)) continue;
    ++enabled;
    const auto& op = spec["paths"][e.path]["get"];
    std::set<std::string> sent = {e.page_param};
    for (const auto* name : {&e.date_params.start, &e.date_params.end, &e.date_params.year}) {
      if (!name->empty()) sent.insert(*name);
    }
    if (e.fan_out) sent.insert(e.fan_out->param);
    for (const auto& p : e.params) sent.insert(p.name);
    for (const auto& p : op["parameters"]) {
      if (p.value("required", false)) {
        EXPECT_TRUE(sent.count(p["name"].get<std::string>())) << e.name << " " << p["name"];
      }
    }
    for (const auto& name : sent) EXPECT_NE(spec_param(op, name), nullptr) << e.name << " " << name;
  }
  EXPECT_GE(enabled, 8);
}

TEST_F(ShippedEndpoints, DisabledEndpointsSayWhyAndPathParametersAreDisabled) {
  for (const auto& e : config.endpoints) {
    if (!e.enabled) {
      EXPECT_FALSE(e.reason.empty()) << e.name;
    }
    if (e.path.find('{') != std::string::npos) {  // only planned from staged data
      EXPECT_TRUE(!e.enabled || e.from_sql.has_value()) << e.name;
    }
  }
}

// Items and results: GET paths of api-pncp-manutencao.json, planned from SQL, bare-array bodies,
// paged by the spec's own parameters (results: not paged).
TEST_F(ShippedEndpoints, MaintenanceEndpointsFollowTheirSpec) {
  const nlohmann::json spec2 = load_spec("api-pncp-manutencao.json");
  std::set<std::string> names;
  for (const auto& e : config.endpoints) {
    if (!maintenance(e)) continue;
    names.insert(e.name);
    ASSERT_TRUE(spec2["paths"].contains(e.path)) << e.path;
    const auto& op = spec2["paths"][e.path]["get"];
    EXPECT_TRUE(e.enabled && e.from_sql && e.array_body) << e.name;
    EXPECT_EQ(e.base_url, "https://pncp.gov.br/api/pncp") << e.name;
    EXPECT_EQ(op["responses"]["200"]["content"].begin().value()["schema"]["type"], "array");
    for (const auto& p : op["parameters"]) {
      if (p["in"] == "path") {
        std::string placeholder = p["name"].get<std::string>();
        placeholder.insert(placeholder.begin(), '{');
        placeholder.push_back('}');
        EXPECT_NE(e.path.find(placeholder), std::string::npos) << placeholder;
      }
    }
    if (e.page_param.empty()) {
      EXPECT_EQ(spec_param(op, "pagina"), nullptr) << e.name;
    } else {
      EXPECT_NE(spec_param(op, e.page_param), nullptr) << e.name;
      EXPECT_NE(spec_param(op, e.page_size_param), nullptr) << e.name;
    }
    EXPECT_EQ(e.empty_statuses, (std::vector<int>{204, 404})) << e.name;
  }
  EXPECT_EQ(names, (std::set<std::string>{"itens_compra", "resultados_item"}));
}

TEST_F(ShippedEndpoints, SpecialRulesFromTheRecordedResponses) {
  const auto* proposta = config.find("contratacoes_proposta");
  ASSERT_NE(proposta, nullptr);
  EXPECT_TRUE(proposta->data_final_min_today);
  EXPECT_EQ(proposta->date_params.end, "dataFinal");
  EXPECT_TRUE(proposta->date_params.start.empty());
  const auto* cobranca = config.find("instrumentoscobranca_inclusao");
  ASSERT_NE(cobranca, nullptr);
  EXPECT_EQ(cobranca->empty_statuses, (std::vector<int>{204, 404}));
  const auto* publicacao = config.find("contratacoes_publicacao");
  ASSERT_NE(publicacao, nullptr);
  ASSERT_TRUE(publicacao->fan_out.has_value());
  EXPECT_EQ(publicacao->fan_out->param, "codigoModalidadeContratacao");
  EXPECT_EQ(publicacao->fan_out->values.size(), 14u);
  EXPECT_EQ(publicacao->fan_out->values.front(), "1");
  EXPECT_EQ(publicacao->fan_out->values.back(), "14");
  EXPECT_EQ(config.find("pca_atualizacao")->date_params.start, "dataInicio");
  EXPECT_EQ(config.base_url, "https://pncp.gov.br/api/consulta");
  EXPECT_EQ(config.find("contratos")->date_format, DateFormat::kCompact);
}

TEST_F(ShippedEndpoints, EmbeddedCopyIsTheShippedFile) {
  const ConfigSource builtin = builtin_pncp_endpoints();
  EXPECT_EQ(builtin.text, test::read_file(test::shipped_endpoints_path()));
  EXPECT_EQ(config_fingerprint(parse_endpoints({builtin})), config_fingerprint(config));
}

}  // namespace
}  // namespace baliza::plan
