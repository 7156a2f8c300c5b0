// short_page_retries from endpoints.yaml: defaults for every endpoint, an endpoint's own value
// wins, and ExtractOptions can still override both (tests/integration/extract_completeness_test).
#include <gtest/gtest.h>

#include "core/error.h"
#include "integration/extract_test_support.h"

namespace baliza {
namespace {

using extract_test::Extraction;

TEST_F(Extraction, ShortPageRetriesComeFromEndpointsYaml) {
  pncp_sim::Options o = extract_test::small_sim();
  o.faults.push_back(pncp_sim::parse_fault("short:rate=1,count=3"));  // every page 3 short
  start_sim(o);
  const plan::EndpointsConfig c = config(R"(
defaults:
  short_page_retries: 1
endpoints:
  - name: contratos
    page_size: 10
    short_page_retries: 0
  - name: contratos_atualizacao
    page_size: 10
)");
  EXPECT_EQ(c.defaults.short_page_retries, 1);
  EXPECT_EQ(c.find("contratos")->short_page_retries, 0);
  EXPECT_EQ(c.find("contratos_atualizacao")->short_page_retries, 1);
  const std::vector<std::string> endpoints = {"contratos", "contratos_atualizacao"};
  const auto result = extract(c, "2024-01-10:2024-01-10", endpoints);
  EXPECT_EQ(result.exit_code(), 1);  // still short: partial, never silently done
  EXPECT_EQ(result.total().tasks_partial, 2);
  // contratos: the first answer only; contratos_atualizacao: the first answer + 1 retry.
  auto attempts = [&](const std::string& endpoint) {
    return count(
        "SELECT count(DISTINCT attempts) * 1000 + max(attempts) FROM meta.failed_requests "
        "WHERE error_class = 'short_page' AND endpoint = '" +
        endpoint + "'");
  };
  EXPECT_EQ(attempts("contratos"), 1001);
  EXPECT_EQ(attempts("contratos_atualizacao"), 1002);
}

TEST(ShortPageRetries, AnOutOfRangeValueIsAUsageErrorWithItsPlace) {
  try {
    plan::parse_endpoints(
        {plan::builtin_pncp_endpoints(),
         {"mine.yaml", "endpoints:\n  - name: contratos\n    short_page_retries: -1\n"}});
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kUsage);
    EXPECT_NE(std::string(e.what()).find("short_page_retries -1 for contratos at mine.yaml:3:25"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace baliza
