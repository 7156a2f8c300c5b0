// End-to-end: the API changes shape mid-period and nothing is lost. The simulator (in this
// process, on loopback) renames the contratos' key from one day on and turns their amounts into
// strings from another; `baliza run` records the drift in meta.schema_versions, quarantines every
// record that lost its key (missing_key) and maps the retyped amounts to the same decimals.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

#include "pncp_sim/data.h"
#include "pncp_sim/options.h"
#include "pncp_sim/simulator.h"
#include "support/baliza_cli.h"

namespace baliza {
namespace {

class SchemaDrift : public testing::BalizaCli {
 protected:
  std::string scalar(const std::string& sql) { return BalizaCli::scalar("data/drift.duckdb", sql); }
};

// The records the simulator serves for an endpoint over the days, as the API sends them.
std::vector<nlohmann::json> served(const pncp_sim::Options& o, const std::string& path) {
  std::vector<nlohmann::json> all;
  for (const char* day : {"20240304", "20240305", "20240306", "20240307", "20240308"}) {
    for (auto& r : pncp_sim::records_for(o, path, day, std::nullopt)) all.push_back(std::move(r));
  }
  return all;
}

TEST_F(SchemaDrift, RenamedKeyIsQuarantinedAndRetypedAmountsAreMapped) {
  pncp_sim::Options o;
  o.seed = 11;
  o.today = "20240320";
  o.schema_changes = {
      pncp_sim::parse_schema_change(
          "retype:endpoint=/v1/contratos,from=20240305,field=valorGlobal"),
      pncp_sim::parse_schema_change("rename:endpoint=/v1/contratos,from=20240307,"
                                    "field=numeroControlePNCP,to=numeroControlePncpContrato"),
  };
  pncp_sim::Simulator sim(o);
  sim.start();

  // Day ranges that do not straddle a change (before the retype, retyped, renamed): `run` plans
  // a first month by volume (one window for these sparse days), and a page holding records from
  // both sides of a change would make the first structure seen already the mixed one.
  std::string out;
  for (const char* range :
       {"2024-03-04:2024-03-04", "2024-03-05:2024-03-06", "2024-03-07:2024-03-08"}) {
    auto run = baliza("--db data/drift.duckdb run --range " + std::string(range) + " --base-url " +
                      sim.base_url() +
                      " --rate 500 --endpoint contratos --endpoint contratos_atualizacao -q");
    // The records are all accounted for, so each run itself succeeds.
    ASSERT_EQ(run.exit_code, 0) << range << ": " << run.out << run.err;
    out += run.out + run.err;
  }

  // What was served: records without their key, and the amounts (as strings after the retype).
  std::int64_t keyless = 0, records = 0, retyped = 0;
  double amount = 0;
  for (const std::string path : {"/v1/contratos", "/v1/contratos/atualizacao"}) {
    for (const nlohmann::json& r : served(o, path)) {
      ++records;
      if (!r.contains("numeroControlePNCP")) ++keyless;
      if (path != "/v1/contratos") continue;
      const nlohmann::json& v = r.value("valorGlobal", nlohmann::json());
      if (v.is_string()) ++retyped;
      if (v.is_string()) amount += std::stod(v.get<std::string>());
      if (v.is_number()) amount += v.get<double>();
    }
  }
  ASSERT_GT(keyless, 0);
  ASSERT_GT(retyped, 0);

  // The drift is an event: the run's summary says so, and a second structure for the endpoint
  // names the changed fields.
  EXPECT_NE(out.find("records changed shape (drift)"), std::string::npos) << out;
  EXPECT_EQ(scalar("select count(*) > 0 from meta.schema_versions where endpoint = 'contratos' "
                   "and changes like '%numeroControlePncpContrato%'"),
            "true");
  EXPECT_EQ(scalar("select count(*) > 0 from meta.schema_versions where endpoint = 'contratos' "
                   "and changes like '%valorGlobal%'"),
            "true");

  // Every keyless record is in quarantine as missing_key, with its raw page and position.
  EXPECT_EQ(scalar("select count(*) from quarantine.contratos where failure_type = 'missing_key' "
                   "and payload_sha256 is not null and record_position is not null"),
            std::to_string(keyless));
  EXPECT_EQ(scalar("select count(*) from staging.contratos where numero_controle_pncp is null"),
            "0");
  // Every served record is in the typed staging, and the retyped amounts are the same decimals.
  EXPECT_EQ(scalar("select count(*) from staging.contratos_registros"), std::to_string(records));
  double staged =
      std::stod(scalar("select coalesce(sum(valor_global), 0) from "
                       "staging.contratos_registros where endpoint = 'contratos'"));
  EXPECT_NEAR(staged, amount, 0.01 * static_cast<double>(records));
  EXPECT_EQ(scalar("select count(*) from meta.model_accounting where status = 'unbalanced'"), "0");
  EXPECT_EQ(scalar("select max_by(input_rows, computed_at) from meta.model_accounting "
                   "where model = 'contratos_registros'"),
            std::to_string(records));
}

}  // namespace
}  // namespace baliza
