// Validation errors (what, file:line:column, fix), layering, and the config fingerprint.
#include "plan/endpoint_config.h"

#include <fstream>

#include <gtest/gtest.h>

#include "plan_test_support.h"
#include "support/temp_dir.h"

namespace baliza::plan {
namespace {

using test::kDefaults;
using test::position_of;
using test::usage_message;

const char* const kContratos = R"(endpoints:
  - name: contratos
    path: /v1/contratos
    window: day
    date_params: {start: dataInicial, end: dataFinal}
    page_size: 500
    page_size_limits: [10, 500]
)";

std::string with_defaults(const std::string& endpoints) {
  return kDefaults + endpoints;
}

std::string contratos_renamed(const std::string& name) {
  std::string text = kContratos;
  return text.replace(text.find("contratos\n"), 9, name);
}

// The message of the usage error raised by parsing `text` as `name`.
std::string error_for(const std::string& text, const std::string& name = "endpoints.yaml") {
  return usage_message([&] { parse_endpoints(text, name); });
}

// Replaces the first `from` in kContratos with `to`.
std::string contratos_with(const std::string& from, const std::string& to) {
  std::string text = with_defaults(kContratos);
  text.replace(text.find(from), from.size(), to);
  return text;
}

TEST(EndpointConfig, ParsesAMinimalConfigWithInheritedDefaults) {
  const EndpointsConfig config = parse_endpoints(with_defaults(kContratos), "mini.yaml");
  ASSERT_EQ(config.endpoints.size(), 1u);
  const EndpointConfig& e = config.endpoints[0];
  EXPECT_EQ(e.name, "contratos");
  EXPECT_EQ(e.base_url, "http://127.0.0.1:1/api");
  EXPECT_EQ(e.page_param, "pagina");
  EXPECT_EQ(e.page_size_param, "tamanhoPagina");
  EXPECT_EQ(e.empty_statuses, std::vector<int>{204});
  EXPECT_EQ(e.window, Window::kDay);
  EXPECT_TRUE(e.enabled);
  EXPECT_EQ(config.defaults.retry.max_attempts, 3);
  EXPECT_EQ(config.defaults.retry.on_statuses, (std::vector<int>{429, 503}));
  EXPECT_DOUBLE_EQ(config.defaults.rate_limit.requests_per_second, 5.0);
  EXPECT_EQ(config.defaults.claim_ttl_seconds, 300);
  EXPECT_EQ(config.find("contratos"), &config.endpoints[0]);
  EXPECT_EQ(config.find("nope"), nullptr);
}

TEST(EndpointConfig, PageSizeAboveTheLimitNamesValueEndpointPlaceAndFix) {
  const std::string text = contratos_with("page_size: 500", "page_size: 600");
  EXPECT_EQ(error_for(text),
            "page_size 600 for contratos at endpoints.yaml:" + position_of(text, "600") +
                " is above the API limit 500; use 10..500");
}

TEST(EndpointConfig, PageSizeBelowTheEndpointLimit) {
  const std::string text = contratos_with("page_size: 500", "page_size: 5");
  const std::string message = error_for(text);
  EXPECT_NE(message.find("is below the API limit 10; use 10..500"), std::string::npos) << message;
  EXPECT_NE(message.find(position_of(text, "5\n")), std::string::npos) << message;
}

TEST(EndpointConfig, EndpointLimitsMustStayWithinTheApiLimits) {
  const std::string text =
      contratos_with("    page_size_limits: [10, 500]", "    page_size_limits: [10, 1000]");
  const std::string message = error_for(text);
  EXPECT_NE(message.find("exceed the API limits 10..500"), std::string::npos) << message;
  EXPECT_NE(message.find("endpoints.yaml:" + position_of(text, "[10, 1000]")), std::string::npos)
      << message;
}

TEST(EndpointConfig, UnknownKeysPointAtTheKey) {
  std::string text = contratos_with("page_size: 500", "pagesize: 500");
  std::string message = error_for(text);
  EXPECT_NE(message.find("unknown key 'pagesize' for contratos at endpoints.yaml:" +
                         position_of(text, "pagesize")),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("valid keys are: name, path"), std::string::npos) << message;

  text = with_defaults(kContratos);
  text.replace(text.find("max_attempts"), 12, "max_attempt");
  message = error_for(text);
  EXPECT_NE(message.find("unknown key 'retry.max_attempt' for defaults at endpoints.yaml:" +
                         position_of(text, "max_attempt:")),
            std::string::npos)
      << message;

  text = "colour: blue\n" + with_defaults(kContratos);
  EXPECT_NE(error_for(text).find("unknown key 'colour' for the top level at endpoints.yaml:1:1"),
            std::string::npos);
}

TEST(EndpointConfig, BadValuesAreReportedWithTheirPlace) {
  struct Case {
    std::string from, to, expected, at;
  };
  const std::vector<Case> cases = {
      {"window: day", "window: week", "window 'week' for contratos at", "week"},
      {"page_size: 500", "page_size: many", "page_size 'many' for contratos at", "many"},
      {"window: day", "window: day\n    date_format: dd/MM/yyyy",
       "date_format 'dd/MM/yyyy' for contratos", "dd/MM/yyyy"},
      {"window: day",
       "window: day\n    fan_out: {param: codigoModalidadeContratacao, range: [14, 1]}",
       "is empty or not [low, high]; write [low, high] with low <= high", "[14, 1]"},
      {"window: day", "window: day\n    fan_out: {param: x, values: []}",
       "fan_out values for contratos", "[]"},
      {"window: day", "window: day\n    enabled: maybe", "enabled 'maybe' for contratos at",
       "maybe"},
      {"window: day", "window: day\n    data_final_min: yesterday",
       "data_final_min 'yesterday' for contratos", "yesterday"},
      {"window: day", "window: day\n    empty_statuses: [204, 999]", "empty_statuses 999", "999"},
      {"{start: dataInicial, end: dataFinal}", "{start: dataInicial}", "is incomplete or mixed",
       "{start: dataInicial}"},
      {"{start: dataInicial, end: dataFinal}", "{year: anoPca}", "needs 'window: year'",
       "{year: anoPca}"},
  };
  for (const auto& c : cases) {
    const std::string text = contratos_with(c.from, c.to);
    const std::string message = error_for(text);
    EXPECT_NE(message.find(c.expected), std::string::npos) << message;
    EXPECT_NE(message.find("endpoints.yaml:" + position_of(text, c.at)), std::string::npos)
        << c.at << " -> " << message;
  }
}

TEST(EndpointConfig, MissingRequiredKeysPointAtTheEndpoint) {
  std::string text = contratos_with("    window: day\n", "");
  std::string message = error_for(text);
  EXPECT_NE(message.find("missing required key 'window' for contratos at endpoints.yaml:" +
                         position_of(text, "name: contratos")),
            std::string::npos)
      << message;
  text = contratos_with("    path: /v1/contratos\n", "");
  EXPECT_NE(error_for(text).find("missing required key 'path' for contratos"), std::string::npos);
  text = contratos_with("window: day", "window: day\n    enabled: false");
  EXPECT_NE(error_for(text).find("missing required key 'reason' for contratos"), std::string::npos);
  text = with_defaults(kContratos);
  text.replace(text.find("  claim_ttl_seconds: 300\n"), 24, "");
  EXPECT_NE(error_for(text).find("missing required key 'claim_ttl_seconds' for defaults"),
            std::string::npos);
}

TEST(EndpointConfig, InconsistentCombinationsAreRejected) {
  std::string text = contratos_with("window: day", "window: day\n    required_params: [idUsuario]");
  std::string message = error_for(text);
  EXPECT_NE(message.find("required parameter 'idUsuario' for contratos"), std::string::npos);
  EXPECT_NE(message.find("params: {idUsuario: <value>}"), std::string::npos) << message;

  text = contratos_with("path: /v1/contratos", "path: /v1/orgaos/{cnpj}/compras");
  message = error_for(text);
  EXPECT_NE(message.find("has per-record path parameters"), std::string::npos) << message;
  EXPECT_NE(message.find("set enabled: false"), std::string::npos) << message;

  text = contratos_with("window: day", "window: day\n    params: {dataInicial: 1}");
  EXPECT_NE(error_for(text).find("is supplied twice"), std::string::npos);

  text = with_defaults(kContratos);
  text.replace(text.find("claim_ttl_seconds: 300"), 22, "claim_ttl_seconds: 10");
  EXPECT_NE(error_for(text).find("claim_ttl_seconds 10 for defaults"), std::string::npos);

  text = with_defaults(std::string(kContratos) + std::string(kContratos).substr(11));
  EXPECT_NE(error_for(text).find("endpoint 'contratos' is declared twice"), std::string::npos);

  text = contratos_with("name: contratos", "name: Contratos-X");
  EXPECT_NE(error_for(text).find("is not snake_case"), std::string::npos);
}

TEST(EndpointConfig, DisabledEndpointsNeedOnlyNamePathAndReason) {
  const std::string text = with_defaults(std::string(kContratos) +
                                         "  - name: detalhe\n"
                                         "    path: /v1/orgaos/{cnpj}/compras/{ano}/{sequencial}\n"
                                         "    enabled: false\n"
                                         "    reason: per-record path\n");
  const EndpointsConfig config = parse_endpoints(text, "endpoints.yaml");
  ASSERT_NE(config.find("detalhe"), nullptr);
  EXPECT_FALSE(config.find("detalhe")->enabled);
  EXPECT_EQ(config.find("detalhe")->reason, "per-record path");
}

TEST(EndpointConfig, YamlSyntaxErrorsHaveFileAndLine) {
  const std::string text = with_defaults(kContratos) + "  - name: [unclosed\n";
  const std::string message = error_for(text, "broken.yaml");
  EXPECT_NE(message.find("YAML syntax error at broken.yaml:"), std::string::npos) << message;
}

TEST(EndpointConfig, LoadsFromAFileAndNamesItInErrors) {
  testing::TempDir dir;
  const std::string path = (dir / "endpoints.yaml").string();
  const std::string text = contratos_with("page_size: 500", "page_size: 600");
  std::ofstream(path) << text;
  EXPECT_EQ(error_for(text).substr(0, 10), "page_size ");
  const std::string message = usage_message([&] { load_endpoints_file(path); });
  EXPECT_NE(message.find(path + ":" + position_of(text, "600")), std::string::npos) << message;
  try {
    load_endpoints_file((dir / "missing.yaml").string());
    ADD_FAILURE() << "no error for a missing file";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kEnvironment);
  }
}

TEST(EndpointConfigLayers, UserKeysReplaceBuiltInKeysByEndpointName) {
  const std::string user =
      "defaults:\n"
      "  concurrency: 1\n"
      "  retry: {max_attempts: 9}\n"
      "endpoints:\n"
      "  - name: contratos\n"
      "    page_size: 100\n"
      "  - name: atas\n"
      "    enabled: true\n";
  const EndpointsConfig merged =
      parse_endpoints({builtin_pncp_endpoints(), ConfigSource{"user/endpoints.yaml", user}});
  const EndpointsConfig builtin = parse_endpoints({builtin_pncp_endpoints()});
  EXPECT_EQ(merged.endpoints.size(), builtin.endpoints.size());
  EXPECT_EQ(merged.find("contratos")->page_size, 100);
  EXPECT_EQ(merged.find("contratos")->path, "/v1/contratos");  // kept from the built-in
  EXPECT_TRUE(merged.find("atas")->enabled);
  EXPECT_EQ(merged.defaults.concurrency, 1);
  EXPECT_EQ(merged.defaults.retry.max_attempts, 9);
  EXPECT_EQ(merged.defaults.retry.max_backoff_ms, builtin.defaults.retry.max_backoff_ms);
  EXPECT_EQ(merged.sources,
            (std::vector<std::string>{"<builtin>/pncp/endpoints.yaml", "user/endpoints.yaml"}));
}

TEST(EndpointConfigLayers, NewUserEndpointsExtendAndErrorsPointIntoTheUserFile) {
  const std::string user = contratos_renamed("mine_xyz");
  const EndpointsConfig merged =
      parse_endpoints({builtin_pncp_endpoints(), ConfigSource{"user.yaml", user}});
  EXPECT_EQ(merged.endpoints.back().name, "mine_xyz");
  const std::string bad = "endpoints:\n  - name: contratacoes_publicacao\n    page_size: 60\n";
  const std::string message = usage_message([&] {
    parse_endpoints({builtin_pncp_endpoints(), ConfigSource{"user.yaml", bad}});
  });
  EXPECT_EQ(message, "page_size 60 for contratacoes_publicacao at user.yaml:" +
                         position_of(bad, "60") + " is above the API limit 50; use 10..50");
}

TEST(ConfigFingerprint, IgnoresKeyOrderCommentsAndEndpointOrder) {
  const std::string a = with_defaults(std::string(kContratos) +
                                      "  - name: atas\n"
                                      "    path: /v1/atas\n"
                                      "    window: month\n"
                                      "    date_params: {start: dataInicial, end: dataFinal}\n"
                                      "    page_size: 500\n");
  const std::string b = std::string(
                            "# a comment\n"
                            "endpoints:\n"
                            "  - path: /v1/atas   # trailing comment\n"
                            "    page_size: \"500\"\n"
                            "    name: atas\n"
                            "    date_params: {end: dataFinal, start: dataInicial}\n"
                            "    window: month\n"
                            "  - page_size_limits: [10, 500]\n"
                            "    date_params: {start: dataInicial, end: dataFinal}\n"
                            "    window: day\n"
                            "    page_size: 500\n"
                            "    path: /v1/contratos\n"
                            "    name: contratos\n") +
                        kDefaults;
  const EndpointsConfig ca = parse_endpoints(a, "a.yaml"), cb = parse_endpoints(b, "b.yaml");
  EXPECT_EQ(normalized_text(ca), normalized_text(cb));
  EXPECT_EQ(config_fingerprint(ca), config_fingerprint(cb));
  EXPECT_EQ(config_fingerprint(ca).size(), 64u);
}

TEST(ConfigFingerprint, ChangesWhenAValueChanges) {
  const std::string base = with_defaults(kContratos);
  const std::string fp = config_fingerprint(parse_endpoints(base, "a.yaml"));
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"page_size: 500", "page_size: 400"},
           {"window: day", "window: month"},
           {"concurrency: 2", "concurrency: 3"},
           {"/v1/contratos", "/v1/contratos/atualizacao"}}) {
    std::string text = base;
    text.replace(text.find(from), from.size(), to);
    EXPECT_NE(config_fingerprint(parse_endpoints(text, "a.yaml")), fp) << to;
  }
}

}  // namespace
}  // namespace baliza::plan

namespace baliza::plan {
namespace {

using test::kDefaults;
using test::position_of;
using test::usage_message;

TEST(EndpointConfigPacing, BuiltInPacingIsAdaptiveFromASafeStart) {
  const EndpointsConfig builtin = parse_endpoints({builtin_pncp_endpoints()});
  const RateLimit& r = builtin.defaults.rate_limit;
  EXPECT_TRUE(r.adaptive());
  EXPECT_LE(r.requests_per_second, 0.5) << "the live API throttles at about one request a second";
  EXPECT_LE(r.floor, r.requests_per_second);
  EXPECT_GE(r.ceiling, r.requests_per_second);
}

TEST(EndpointConfigPacing, AProjectThatSetsOnlyTheRateGetsAFixedRate) {
  const std::string user = "defaults:\n  rate_limit: {requests_per_second: 40}\n";
  const EndpointsConfig merged =
      parse_endpoints({builtin_pncp_endpoints(), ConfigSource{"user.yaml", user}});
  EXPECT_DOUBLE_EQ(merged.defaults.rate_limit.requests_per_second, 40);
  EXPECT_FALSE(merged.defaults.rate_limit.adaptive());
  const std::string bounds =
      "defaults:\n  rate_limit: {requests_per_second: 3, floor: 1, ceiling: 6}\n";
  const EndpointsConfig adaptive =
      parse_endpoints({builtin_pncp_endpoints(), ConfigSource{"user.yaml", bounds}});
  EXPECT_TRUE(adaptive.defaults.rate_limit.adaptive());
  EXPECT_DOUBLE_EQ(adaptive.defaults.rate_limit.floor, 1);
  EXPECT_DOUBLE_EQ(adaptive.defaults.rate_limit.ceiling, 6);
}

TEST(EndpointConfigPacing, BadBoundsNameTheKeyAndThePlace) {
  const std::string above =
      "defaults:\n  rate_limit: {requests_per_second: 9, floor: 1, ceiling: 6}\n";
  std::string message = usage_message([&] {
    parse_endpoints({builtin_pncp_endpoints(), ConfigSource{"user.yaml", above}});
  });
  EXPECT_EQ(message, "rate_limit.requests_per_second 9 for defaults at user.yaml:" +
                         position_of(above, "9") +
                         " is outside [rate_limit.floor, rate_limit.ceiling] = [1, 6] (at "
                         "user.yaml:" +
                         position_of(above, "1,") + " and user.yaml:" + position_of(above, "6}") +
                         "); start between the floor and the ceiling");
  const std::string inverted =
      "defaults:\n  rate_limit: {requests_per_second: 2, floor: 3, ceiling: 1}\n";
  message = usage_message([&] {
    parse_endpoints({builtin_pncp_endpoints(), ConfigSource{"user.yaml", inverted}});
  });
  EXPECT_NE(message.find("rate_limit.floor 3 for defaults at user.yaml:" +
                         position_of(inverted, "3,") + " is above rate_limit.ceiling 1"),
            std::string::npos)
      << message;
  const std::string alone = "defaults:\n  rate_limit: {requests_per_second: 2, ceiling: 4}\n";
  message = usage_message([&] {
    parse_endpoints({ConfigSource{"only.yaml", std::string(kDefaults) + "endpoints: []\n"},
                     ConfigSource{"user.yaml", alone}});
  });
  EXPECT_NE(message.find("rate_limit.ceiling for defaults at user.yaml:" +
                         position_of(alone, "4}") + " is set without rate_limit.floor"),
            std::string::npos)
      << message;
  const std::string zero =
      "defaults:\n  rate_limit: {requests_per_second: 2, floor: 0, ceiling: 4}\n";
  message = usage_message([&] {
    parse_endpoints({builtin_pncp_endpoints(), ConfigSource{"user.yaml", zero}});
  });
  EXPECT_NE(message.find("rate_limit.floor 0 for defaults at user.yaml:" + position_of(zero, "0,") +
                         " is out of range"),
            std::string::npos)
      << message;
}

}  // namespace
}  // namespace baliza::plan
