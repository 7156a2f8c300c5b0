// End-to-end: the PNCP project's staging is incremental. A second month stages only its own
// pages (the first month's rows are not parsed again), the result equals a full refresh, and
// `baliza transform --mes` re-stages exactly the pages of that month.
#include <gtest/gtest.h>

#include <string>

#include "support/baliza_cli.h"

namespace baliza {
namespace {

class Incremental : public testing::BalizaCli {
 protected:
  std::string scalar(const std::string& sql) { return BalizaCli::scalar("data/demo.duckdb", sql); }
  // Rows and a hash of their content, for every staging entity and two marts.
  std::string fingerprint() {
    return scalar(
        "select (select count(*) || ':' || sum(hash(numero_controle_pncp, valor_global, "
        "request_id, record_position)) from staging.contratos) || ' ' || "
        "(select count(*) || ':' || sum(hash(numero_controle_pncp, valor_total_estimado, "
        "request_id, record_position)) from staging.contratacoes) || ' ' || "
        "(select count(*) || ':' || sum(hash(numero_controle_pncp_ata, request_id)) "
        "from staging.atas) || ' ' || "
        "(select count(*) || ':' || sum(hash(item_key, request_id)) from staging.pca_itens) || ' ' "
        "|| (select count(*) || ':' || sum(hash(instrumento_key, request_id)) "
        "from staging.instrumentos_cobranca) || ' ' || "
        "(select count(*) || ':' || sum(valor_total_estimado) from marts.contratacoes_mensal) || "
        "' ' || (select count(*) from quarantine.contratos)");
  }
  // Staged rows of contratos whose page's task asked for a day in [first, last].
  std::string staged_in(const std::string& first, const std::string& last) {
    return scalar(
        "select count(*) || '@' || count(distinct s.staged_at) || '@' || min(s.staged_at) "
        "from staging.contratos_registros s join raw.api_requests r using (request_id) "
        "join planning.task_plan t using (task_id) "
        "where t.data_date between '" +
        first + "' and '" + last + "'");
  }
};

TEST_F(Incremental, ASecondMonthStagesOnlyItsPagesAndEqualsAFullRefresh) {
  auto feb = baliza("demo --mes 2024-02 --scale 0.2 -q");
  ASSERT_EQ(feb.exit_code, 0) << feb.out << feb.err;
  std::string feb_rows = staged_in("2024-02-01", "2024-02-29");
  ASSERT_NE(feb_rows.rfind("0@", 0), 0u) << feb_rows;  // February was staged

  auto mar = baliza("demo --mes 2024-03 --scale 0.2 -q");
  ASSERT_EQ(mar.exit_code, 0) << mar.out << mar.err;
  // February's rows were not parsed again: same count, same single staged_at.
  EXPECT_EQ(staged_in("2024-02-01", "2024-02-29"), feb_rows);
  std::string mar_rows = staged_in("2024-03-01", "2024-03-31");
  EXPECT_NE(mar_rows.rfind("0@", 0), 0u) << mar_rows;
  EXPECT_GT(mar_rows.substr(mar_rows.rfind('@')), feb_rows.substr(feb_rows.rfind('@')));
  // Every stored page is staged exactly once (no duplicate rows from the two runs).
  EXPECT_EQ(scalar("select count(*) from (select request_id, record_position, count(*) n from "
                   "staging.contratos_registros group by all having n > 1)"),
            "0");
  EXPECT_EQ(scalar("select count(*) from meta.model_accounting where status = 'unbalanced'"), "0");
  std::string incremental = fingerprint();

  // A full refresh from the raw store gives the same tables.
  auto full = baliza("--db data/demo.duckdb build --full-refresh -q");
  ASSERT_EQ(full.exit_code, 0) << full.out << full.err;
  EXPECT_EQ(fingerprint(), incremental);

  // --mes re-stages February's pages, and only them; the content does not change.
  std::string after_full_mar = staged_in("2024-03-01", "2024-03-31");
  auto redo = baliza("--db data/demo.duckdb transform --mes 2024-02 -q");
  ASSERT_EQ(redo.exit_code, 0) << redo.out << redo.err;
  std::string redone = staged_in("2024-02-01", "2024-02-29");
  EXPECT_EQ(redone.substr(0, redone.find('@')), feb_rows.substr(0, feb_rows.find('@')));
  EXPECT_GT(redone.substr(redone.rfind('@')), after_full_mar.substr(after_full_mar.rfind('@')));
  EXPECT_EQ(staged_in("2024-03-01", "2024-03-31"), after_full_mar);
  EXPECT_EQ(fingerprint(), incremental);

  // Nothing new: a plain transform stages nothing and changes nothing.
  auto again = baliza("--db data/demo.duckdb transform");
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  // (node lines go to stderr, like dbt's log)
  EXPECT_NE(again.err.find("staging.contratos_registros ... [0 rows"), std::string::npos)
      << again.err;
  EXPECT_EQ(fingerprint(), incremental);
}

TEST_F(Incremental, TransformPeriodOptionsAreValidated) {
  auto r = baliza("--db data/x.duckdb transform --mes 2024-13");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("2024-13"), std::string::npos) << r.err;
  auto both = baliza("--db data/x.duckdb transform --mes 2024-01 --dia 2024-01-02");
  EXPECT_EQ(both.exit_code, 2) << both.err;
}

}  // namespace
}  // namespace baliza
