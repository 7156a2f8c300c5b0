// End-to-end: `baliza transform` right after `baliza extract` on a new database (the stages as
// separate commands, no `seed` in between). The seeds the models read were never loaded: the
// transform loads them first and says which, instead of failing in a mart with DuckDB's
// "Table with name modalidades does not exist". Simulator in this process, on loopback.
#include <gtest/gtest.h>

#include <string>

#include "pncp_sim/options.h"
#include "pncp_sim/simulator.h"
#include "support/baliza_cli.h"

namespace baliza {
namespace {

class TransformAfterExtract : public testing::BalizaCli {
 protected:
  std::string scalar(const std::string& sql) { return BalizaCli::scalar("data/n.duckdb", sql); }
};

TEST_F(TransformAfterExtract, LoadsTheSeedsTheModelsNeedAndSaysSo) {
  pncp_sim::Options o;
  o.today = "20240320";
  o.volume.scale = 0.2;
  pncp_sim::Simulator sim(o);
  sim.start();
  auto extract = baliza(
      "--db data/n.duckdb extract --dia 2024-03-05 --endpoint contratos "
      "--base-url " +
      sim.base_url() + " -q");
  sim.stop();
  ASSERT_EQ(extract.exit_code, 0) << extract.out << extract.err;
  EXPECT_EQ(scalar("select count(*) from duckdb_tables() where schema_name = 'dominio'"), "0");

  auto transform = baliza("--db data/n.duckdb transform");
  ASSERT_EQ(transform.exit_code, 0) << transform.out << transform.err;
  std::string log = transform.out + transform.err;
  EXPECT_NE(log.find("the database does not have yet: dominio.modalidades"), std::string::npos)
      << log;
  EXPECT_NE(log.find("(`baliza seed` reloads every seed)"), std::string::npos) << log;
  EXPECT_EQ(log.find("does not exist"), std::string::npos) << log;
  EXPECT_EQ(scalar("select count(*) > 0 from dominio.modalidades"), "true");
  EXPECT_EQ(scalar("select count(*) > 0 from staging.contratos"), "true");

  // Loaded once: the next transform has nothing to load.
  auto again = baliza("--db data/n.duckdb transform");
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ((again.out + again.err).find("does not have yet"), std::string::npos)
      << again.out << again.err;
}

}  // namespace
}  // namespace baliza
