// End-to-end: a purchase's items and each item's results, planned from SQL over the staged
// purchases (endpoints.yaml itens_compra / resultados_item), fetched over loopback from the
// simulator's maintenance API and staged, compared with the simulator's ground truth
// (pncp_sim::compras_between); a second run fetches only new or changed purchases (counted on
// the simulator); a purchase removed upstream is reported (staging.compras_removidas), never
// kept silently. Item pages carry no totals: each purchase's items are proved by its count
// (.../itens/quantidade); under silent short item pages (the simulator's short_page fault on
// the items path) no item is lost, and a page that stays short is reported (exit 1).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "db/database.h"
#include "plan/plan_store.h"
#include "plan/recheck.h"
#include "pncp_sim/data.h"
#include "pncp_sim/options.h"
#include "pncp_sim/simulator.h"
#include "support/baliza_cli.h"

namespace baliza {
namespace {

using nlohmann::json;

constexpr int kItemPage = 500;  // endpoints.yaml itens_compra page_size

pncp_sim::Options sim_options(int revision, double removed_rate = 0.01) {
  pncp_sim::Options o;
  o.removed_rate = removed_rate;
  o.today = "20240401";  // revisions change purchases published from 2024-03-02 on
  o.revision = revision;
  o.volume.scale = 0.25;
  o.threads = 4;
  o.keep_alive_timeout_s = 1;
  return o;
}

// Requests the simulator answered on the maintenance API: items pages, counts and results.
struct Counted {
  long long itens = 0, quantidade = 0, resultados = 0;
};
bool ends_with(const std::string& text, const std::string& tail) {
  return text.size() >= tail.size() &&
         text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
}
Counted maintenance_requests(const pncp_sim::Simulator& sim) {
  Counted c;
  for (const auto& r : sim.stats().requests) {
    if (r.path.rfind("/pncp/", 0) != 0) continue;
    (ends_with(r.path, "/resultados")   ? c.resultados
     : ends_with(r.path, "/quantidade") ? c.quantidade
                                        : c.itens)++;
  }
  return c;
}

// What fetching these purchases' items and results costs, from the ground truth.
Counted expected_requests(const std::vector<const pncp_sim::CompraTruth*>& compras) {
  Counted c;
  for (const auto* p : compras) {
    if (p->bad_data) continue;  // quarantined: never staged, so never planned
    if (p->removed) {
      ++c.itens;  // one 404
      continue;
    }
    c.itens += static_cast<long long>(p->itens.size()) / kItemPage + 1;
    c.quantidade += p->itens.empty() ? 0 : 1;  // the count that proves the items
    c.resultados += static_cast<long long>(p->resultados.size());
  }
  return c;
}

class ItemsResults : public testing::BalizaCli {
 protected:
  const std::string db = "data/items.duckdb";

  testing::ProcessResult run(const pncp_sim::Simulator& sim, const std::string& range,
                             const std::string& endpoints) {
    return baliza("--db " + db + " run --range " + range + " --base-url " + sim.base_url() +
                  " --rate 1000 --concurrency 4 " + endpoints + " -q");
  }

  std::unique_ptr<Connection> open() {
    auto database = Database::open((dir / db).string());
    return std::make_unique<Connection>(database);
  }

  // "key|numero_item|descricao|valor" of every staged item, sorted.
  std::multiset<std::string> staged_items() {
    auto conn = open();
    Result r = conn->query(
        "select numero_controle_pncp || '|' || numero_item || '|' || descricao || '|' || "
        "valor_unitario_estimado::varchar from staging.itens_compra");
    std::multiset<std::string> out;
    for (size_t i = 0; i < r.row_count(); ++i) out.insert(r.get_string(0, i));
    return out;
  }
  std::multiset<std::string> staged_results() {
    auto conn = open();
    Result r = conn->query(
        "select numero_controle_pncp || '|' || numero_item || '|' || sequencial_resultado || "
        "'|' || ni_fornecedor || '|' || valor_unitario_homologado::varchar "
        "from staging.resultados_item");
    std::multiset<std::string> out;
    for (size_t i = 0; i < r.row_count(); ++i) out.insert(r.get_string(0, i));
    return out;
  }
  std::string one(const std::string& sql) {
    auto conn = open();
    return conn->scalar(sql).value_or("");
  }
};

std::string number(const json& v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4f", v.get<double>());  // staging: decimal(18, 4)
  return buf;
}

void add_truth(const pncp_sim::CompraTruth& c, std::multiset<std::string>& items,
               std::multiset<std::string>& results) {
  if (c.removed || c.bad_data) return;
  for (const auto& item : c.itens) {
    items.insert(c.numero_controle_pncp + "|" + std::to_string(item["numeroItem"].get<int>()) +
                 "|" + item["descricao"].get<std::string>() + "|" +
                 number(item["valorUnitarioEstimado"]));
  }
  for (const auto& [n, list] : c.resultados) {
    for (const auto& r : list) {
      results.insert(c.numero_controle_pncp + "|" + std::to_string(n) + "|" +
                     std::to_string(r["sequencialResultado"].get<int>()) + "|" +
                     r["niFornecedor"].get<std::string>() + "|" +
                     number(r["valorUnitarioHomologado"]));
    }
  }
}

TEST_F(ItemsResults, EveryItemAndResultStagedOnceAndOnlyChangesFetchedAgain) {
  const std::string only =
      "--endpoint contratacoes_publicacao --endpoint itens_compra "
      "--endpoint resultados_item";
  const auto truth0 = pncp_sim::compras_between(sim_options(0), "20240325", "20240331");
  std::vector<const pncp_sim::CompraTruth*> all;
  std::multiset<std::string> items, results;
  long long without_items = 0;
  for (const auto& c : truth0) {
    all.push_back(&c);
    add_truth(c, items, results);
    without_items += c.itens.empty() && !c.bad_data;
  }
  ASSERT_GT(truth0.size(), 40u);
  ASSERT_GT(without_items, 0);
  {
    pncp_sim::Simulator sim(sim_options(0));
    sim.start();
    auto first = run(sim, "2024-03-25:2024-03-31", only);
    ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
    const Counted want = expected_requests(all), got = maintenance_requests(sim);
    EXPECT_EQ(got.itens, want.itens);
    EXPECT_EQ(got.quantidade, want.quantidade);
    EXPECT_EQ(got.resultados, want.resultados);
  }
  EXPECT_EQ(staged_items(), items);
  // Every purchase with items was proved by its count.
  EXPECT_EQ(one("select count(*) from meta.completeness_checks where endpoint = 'itens_compra' "
                "and outcome = 'confirmed'"),
            std::to_string(expected_requests(all).quantidade));
  EXPECT_EQ(staged_results(), results);
  // A purchase without items is a done task with zero records (a 204, accounted as such).
  EXPECT_EQ(one("select count(*) from planning.task_plan t where endpoint_name = 'itens_compra' "
                "and status = 'done' and (select sum(records_count) from runtime.task_results r "
                "where r.task_id = t.task_id and superseded_at is null) = 0"),
            std::to_string(without_items));
  EXPECT_EQ(one("select count(*) from planning.task_plan where status <> 'done'"), "0");
  // The unit-price mart counts every result in force.
  long long in_force = 0;
  for (const auto& c : truth0)
    for (const auto& [n, list] : c.bad_data ? decltype(c.resultados){} : c.resultados)
      for (const auto& r : list) in_force += r["situacaoCompraItemResultadoId"].get<int>() == 1;
  EXPECT_EQ(one("select sum(qtd_resultados) from marts.precos_unitarios"),
            std::to_string(in_force));

  {  // Same data again: nothing is fetched from the maintenance API.
    pncp_sim::Simulator sim(sim_options(0));
    sim.start();
    auto again = run(sim, "2024-03-25:2024-03-31", only);
    ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
    EXPECT_EQ(maintenance_requests(sim).itens, 0);
    EXPECT_EQ(maintenance_requests(sim).quantidade, 0);
    EXPECT_EQ(maintenance_requests(sim).resultados, 0);
  }
  EXPECT_EQ(staged_items(), items);

  // Revision 1: some purchases changed (listed again in 2024-04-01's update feed with a later
  // dataAtualizacaoGlobal and one more item), new ones published on 2024-04-01. A run over
  // that day fetches the items of exactly the new and the changed purchases.
  const auto truth1 = pncp_sim::compras_between(sim_options(1), "20240302", "20240401");
  std::map<std::string, const pncp_sim::CompraTruth*> by_key;
  for (const auto& c : truth1) by_key[c.numero_controle_pncp] = &c;
  std::set<std::string> listed;
  for (int m = 1; m <= 14; ++m) {
    for (const char* path : {"/v1/contratacoes/publicacao", "/v1/contratacoes/atualizacao"}) {
      for (const auto& rec :
           pncp_sim::records_between(sim_options(1), path, "20240401", "20240401", m))
        listed.insert(rec["numeroControlePNCP"].get<std::string>());
    }
  }
  std::set<std::string> fetched_before;
  for (const auto& c : truth0) fetched_before.insert(c.numero_controle_pncp);
  std::vector<const pncp_sim::CompraTruth*> expected;
  long long changed = 0;
  for (const auto& key : listed) {
    ASSERT_TRUE(by_key.count(key)) << key;
    const auto* c = by_key[key];
    if (fetched_before.count(key) && c->revised == 0) continue;  // same version: not again
    changed += fetched_before.count(key) > 0;
    expected.push_back(c);
  }
  ASSERT_GT(changed, 0);
  {
    pncp_sim::Simulator sim(sim_options(1));
    sim.start();
    auto third = run(sim, "2024-04-01:2024-04-01", only + " --endpoint contratacoes_atualizacao");
    ASSERT_EQ(third.exit_code, 0) << third.out << third.err;
    const Counted want = expected_requests(expected), got = maintenance_requests(sim);
    EXPECT_EQ(got.itens, want.itens);
    EXPECT_EQ(got.quantidade, want.quantidade);
    EXPECT_EQ(got.resultados, want.resultados);
  }
  // Staging now holds the newest version of every purchase fetched: the changed ones with
  // their added item, once.
  // (Purchases not fetched again keep what the first run staged, removed ones included: no
  // listing of their day was read again.)
  std::multiset<std::string> items1, results1;
  std::set<std::string> fetched_again;
  for (const auto* c : expected) {
    fetched_again.insert(c->numero_controle_pncp);
    add_truth(*c, items1, results1);
  }
  for (const auto& c : truth0)
    if (!fetched_again.count(c.numero_controle_pncp)) add_truth(c, items1, results1);
  EXPECT_EQ(staged_items(), items1);
  EXPECT_EQ(staged_results(), results1);
  EXPECT_EQ(one("select count(*) from planning.task_events e join planning.task_plan t "
                "using (task_id) where e.event = 'superseded' and t.endpoint_name = "
                "'itens_compra'"),
            std::to_string(changed));
}

constexpr const char* kItemsPath = "/pncp/v1/orgaos/{cnpj}/compras/{ano}/{sequencial}/itens";

TEST_F(ItemsResults, SilentShortItemPagesLoseNoItem) {
  // A quarter of the items pages answer 200 with rows cut from the end (at least one; a
  // one-item purchase then gets []), nothing else changed: without totals they look like the
  // last page. The count proves each purchase, the short ones are asked again.
  pncp_sim::Options o = sim_options(0);
  o.faults.push_back(
      pncp_sim::parse_fault(std::string("short:endpoint=") + kItemsPath + ",rate=0.25"));
  std::multiset<std::string> items, results;
  for (const auto& c : pncp_sim::compras_between(o, "20240328", "20240331"))
    add_truth(c, items, results);
  ASSERT_GT(items.size(), 50u);
  pncp_sim::Simulator sim(o);
  sim.start();
  auto r = run(sim, "2024-03-28:2024-03-31",
               "--endpoint contratacoes_publicacao --endpoint itens_compra "
               "--endpoint resultados_item");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(staged_items(), items);
  EXPECT_EQ(staged_results(), results);
  // The fault did hit, and the counts caught it: pages were asked again.
  EXPECT_NE(one("select count(*) from meta.completeness_checks where endpoint = 'itens_compra' "
                "and outcome = 'short'"),
            "0");
  EXPECT_EQ(one("select count(*) from planning.task_plan where status <> 'done'"), "0");
}

TEST_F(ItemsResults, ItemPageThatStaysShortIsReportedWithWhatIsMissing) {
  // One purchase's items pages are always short: the task cannot be proved, so it ends
  // partial, the run exits 1 and the missing count is recorded with the URL.
  pncp_sim::Options o = sim_options(0);
  const auto truth = pncp_sim::compras_between(o, "20240329", "20240329");
  const pncp_sim::CompraTruth* victim = nullptr;
  for (const auto& c : truth)
    if (!c.bad_data && !c.removed && c.itens.size() >= 3) victim = &c;
  ASSERT_NE(victim, nullptr);
  const std::string target = "/orgaos/" + victim->cnpj + "/compras/" + std::to_string(victim->ano) +
                             "/" + std::to_string(victim->sequencial) + "/itens?";
  o.faults.push_back(pncp_sim::parse_fault(std::string("short:endpoint=") + kItemsPath +
                                           ",count=1,match=" + target));
  pncp_sim::Simulator sim(o);
  sim.start();
  auto r = run(sim, "2024-03-29:2024-03-29",
               "--endpoint contratacoes_publicacao --endpoint itens_compra");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(one("select count(*) from planning.task_plan where endpoint_name = 'itens_compra' "
                "and status = 'partial'"),
            "1");
  const std::string detail =
      one("select string_agg(url || ' ' || error_message, ' / ') from meta.failed_requests where "
          "endpoint = "
          "'itens_compra' and error_class = 'short_page'");
  EXPECT_NE(detail.find("1 records missing"), std::string::npos) << detail;
  EXPECT_NE(detail.find(victim->cnpj), std::string::npos) << detail;
  // Staging holds proved purchases only (staging.itens_compra reads done tasks): the victim
  // waits for `baliza retry-failed`, every other purchase of the day is there.
  EXPECT_EQ(one("select count(*) from staging.itens_compra where numero_controle_pncp = '" +
                victim->numero_controle_pncp + "'"),
            "0");
  std::size_t others = 0;
  for (const auto& c : truth)
    if (!c.bad_data && !c.removed && &c != victim) others += c.itens.size();
  EXPECT_EQ(one("select count(*) from staging.itens_compra"), std::to_string(others));
}

TEST_F(ItemsResults, EmptyResultsOfAnItemWithResultsAreReported) {
  // Results are not paged, so no page can be short of its size; but they are asked only for
  // items with temResultado, so an empty answer contradicts the item. One item's results
  // always come back as [] (its single result cut): asked again, then reported (exit 1).
  pncp_sim::Options o = sim_options(0);
  const auto truth = pncp_sim::compras_between(o, "20240329", "20240329");
  std::string target;
  for (const auto& c : truth) {
    if (c.bad_data || c.removed) continue;
    for (const auto& [n, list] : c.resultados)
      if (list.size() == 1 && target.empty())
        target = "/orgaos/" + c.cnpj + "/compras/" + std::to_string(c.ano) + "/" +
                 std::to_string(c.sequencial) + "/itens/" + std::to_string(n) + "/resultados";
  }
  ASSERT_FALSE(target.empty());
  o.faults.push_back(pncp_sim::parse_fault(std::string("short:endpoint=") + kItemsPath +
                                           "/{n}/resultados,match=" + target));
  pncp_sim::Simulator sim(o);
  sim.start();
  auto r = run(sim, "2024-03-29:2024-03-29",
               "--endpoint contratacoes_publicacao --endpoint itens_compra "
               "--endpoint resultados_item");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(one("select count(*) from planning.task_plan where endpoint_name = "
                "'resultados_item' and status = 'partial'"),
            "1");
  const std::string detail =
      one("select string_agg(url || ' ' || error_message, ' / ') from meta.failed_requests "
          "where endpoint = 'resultados_item' and error_class = 'short_page'");
  EXPECT_NE(detail.find(target), std::string::npos) << detail;
  EXPECT_NE(detail.find("expect_records"), std::string::npos) << detail;
}

TEST_F(ItemsResults, PurchaseRemovedUpstreamIsReportedNotKept) {
  const double kRemoved = 0.08;  // of the recent purchases, so that a few days have some
  // The purchases are listed while they exist (revision 0)...
  {
    pncp_sim::Simulator sim(sim_options(0, kRemoved));
    sim.start();
    auto listed = run(sim, "2024-03-20:2024-03-31", "--endpoint contratacoes_publicacao");
    ASSERT_EQ(listed.exit_code, 0) << listed.out << listed.err;
  }
  // ...and their items are asked for after some were removed (revision 1): 404.
  const auto truth = pncp_sim::compras_between(sim_options(1, kRemoved), "20240320", "20240331");
  std::set<std::string> removed;
  std::multiset<std::string> items, results;
  for (const auto& c : truth) {
    if (c.removed && !c.bad_data) removed.insert(c.numero_controle_pncp);
    add_truth(c, items, results);
  }
  ASSERT_FALSE(removed.empty());
  pncp_sim::Simulator sim(sim_options(1, kRemoved));
  sim.start();
  auto fetched =
      run(sim, "2024-03-20:2024-03-31", "--endpoint itens_compra --endpoint resultados_item");
  ASSERT_EQ(fetched.exit_code, 0) << fetched.out << fetched.err;
  // Reported: the warning test names them, the table lists them with the 404's URL.
  EXPECT_NE((fetched.out + fetched.err).find("compras_removidas_upstream"), std::string::npos)
      << fetched.out << fetched.err;
  auto conn = open();
  Result r =
      conn->query("select numero_controle_pncp, motivo, evidencia from staging.compras_removidas");
  std::set<std::string> reported;
  for (size_t i = 0; i < r.row_count(); ++i) {
    reported.insert(r.get_string(0, i));
    EXPECT_EQ(r.get_string(1, i), "itens_404");
    EXPECT_NE(r.get_string(2, i).find("/api/pncp/v1/orgaos/"), std::string::npos);
  }
  EXPECT_EQ(reported, removed);
  // Not kept: none of their items in staging, every other purchase's items there.
  conn.reset();
  EXPECT_EQ(staged_items(), items);
  EXPECT_EQ(staged_results(), results);

  // The same removal seen in the listing: a re-read of the last days (recheck_days) no longer
  // lists them, and the first run's items of those purchases leave staging.
  // (A fresh database: revision 0 lists and fetches everything, then the days are re-read.)
  const std::string db2 = "data/items2.duckdb";
  {
    pncp_sim::Simulator sim0(sim_options(0, kRemoved));
    sim0.start();
    auto first =
        baliza("--db " + db2 + " run --range 2024-03-25:2024-03-31 --base-url " + sim0.base_url() +
               " --rate 1000 --endpoint contratacoes_publicacao --endpoint itens_compra "
               "--endpoint resultados_item -q");
    ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  }
  {
    auto database = Database::open((dir / db2).string());
    Connection c(database);
    plan::requeue_recent(
        c,
        plan::PlanScope{{plan::parse_iso_date("2024-03-25"), plan::parse_iso_date("2024-03-31")},
                        {"contratacoes_publicacao"}},
        plan::parse_iso_date("2024-04-01"), 7, "test-recheck");
  }
  auto second =
      baliza("--db " + db2 + " run --range 2024-03-25:2024-03-31 --base-url " + sim.base_url() +
             " --rate 1000 --endpoint contratacoes_publicacao --endpoint itens_compra "
             "--endpoint resultados_item -q");
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  std::set<std::string> removed_late, listed_reported;
  for (const auto& c : truth)
    if (c.removed && !c.bad_data && c.publicacao >= "20240325")
      removed_late.insert(c.numero_controle_pncp);
  ASSERT_FALSE(removed_late.empty());
  auto database = Database::open((dir / db2).string());
  Connection c2(database);
  Result l =
      c2.query("select numero_controle_pncp, motivo from staging.compras_removidas order by 1");
  for (size_t i = 0; i < l.row_count(); ++i) {
    listed_reported.insert(l.get_string(0, i));
    EXPECT_EQ(l.get_string(1, i), "nao_listada");
  }
  EXPECT_EQ(listed_reported, removed_late);
  EXPECT_EQ(c2.scalar("select count(*) from staging.itens_compra i join "
                      "staging.compras_removidas using (numero_controle_pncp)"),
            std::optional<std::string>("0"));
}

// The count of a purchase's items proves its pages; these are the two ways it can fail to.
class ItemsCount : public ItemsResults {
 protected:
  void SetUp() override {
    ItemsResults::SetUp();
    // Fast retries, so that a count that keeps failing ends in seconds.
    write_file(dir / "endpoints.yaml",
               "defaults:\n  retry: {max_attempts: 3, base_backoff_ms: 5, max_backoff_ms: 20}\n"
               "  short_page_retries: 1\n");
  }
  static void write_file(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path) << text;
  }
  // Purchases of the day with at least `min_items` items, not removed nor quarantined.
  static std::vector<const pncp_sim::CompraTruth*> victims(
      const std::vector<pncp_sim::CompraTruth>& truth, std::size_t min_items, std::size_t n) {
    std::vector<const pncp_sim::CompraTruth*> out;
    for (const auto& c : truth)
      if (!c.bad_data && !c.removed && c.itens.size() >= min_items && out.size() < n)
        out.push_back(&c);
    return out;
  }
  static std::string count_target(const pncp_sim::CompraTruth& c) {
    return "/orgaos/" + c.cnpj + "/compras/" + std::to_string(c.ano) + "/" +
           std::to_string(c.sequencial) + "/itens/quantidade";
  }
  std::string task_of(const pncp_sim::CompraTruth& c, const std::string& column) {
    return one("select " + column +
               " from planning.task_plan where endpoint_name = 'itens_compra' and params like '%" +
               std::to_string(c.sequencial) + "%' and params like '%" + c.cnpj + "%'");
  }
  std::size_t items_of_others(const std::vector<pncp_sim::CompraTruth>& truth,
                              const std::vector<const pncp_sim::CompraTruth*>& left_out) {
    std::size_t n = 0;
    for (const auto& c : truth) {
      if (c.bad_data || c.removed) continue;
      bool out = false;
      for (const auto* v : left_out) out = out || v == &c;
      if (!out) n += c.itens.size();
    }
    return n;
  }
};

TEST_F(ItemsCount, ACountBelowTheItemsDeliveredIsNeverTakenAsProof) {
  // One purchase's count always says one item fewer than its pages hold. Fewer than stored
  // looks like items removed while paging, so the purchase is paged and counted again; the
  // count never agrees, so the task ends partial (exit 1) saying so, its items are not staged,
  // and every other purchase is.
  pncp_sim::Options o = sim_options(0);
  const auto truth = pncp_sim::compras_between(o, "20240329", "20240329");
  const auto v = victims(truth, 3, 1);
  ASSERT_EQ(v.size(), 1u);
  o.faults.push_back(pncp_sim::parse_fault(std::string("wrong_count:endpoint=") + kItemsPath +
                                           "/quantidade,count=-1,match=" + count_target(*v[0])));
  pncp_sim::Simulator sim(o);
  sim.start();
  auto r = run(sim, "2024-03-29:2024-03-29",
               "--endpoint contratacoes_publicacao --endpoint itens_compra");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(task_of(*v[0], "status"), "partial");
  EXPECT_EQ(one("select count(*) from planning.task_plan where endpoint_name = 'itens_compra' "
                "and status <> 'done'"),
            "1");
  // Each count read is on record: below what was stored, every time.
  EXPECT_NE(one("select count(*) from meta.completeness_checks where endpoint = 'itens_compra' "
                "and outcome = 'moved'"),
            "0");
  EXPECT_EQ(one("select count(*) from meta.completeness_checks where endpoint = 'itens_compra' "
                "and outcome = 'moved' and total_after <> total_records - 1"),
            "0");
  const std::string why = task_of(*v[0], "last_error");
  EXPECT_NE(why.find("the count (" + std::to_string(v[0]->itens.size() - 1) +
                     ") stayed below the " + std::to_string(v[0]->itens.size()) + " records"),
            std::string::npos)
      << why;
  EXPECT_EQ(why.find("totalRegistros"), std::string::npos) << why;  // items have no such field
  EXPECT_EQ(one("select count(*) from staging.itens_compra where numero_controle_pncp = '" +
                v[0]->numero_controle_pncp + "'"),
            "0");
  EXPECT_EQ(one("select count(*) from staging.itens_compra"),
            std::to_string(items_of_others(truth, v)));
}

TEST_F(ItemsCount, AnUnreadableCountLeavesThePurchaseUnprovedAndReported) {
  // Three purchases whose count cannot be read: it answers a 200 that is not JSON, a 500 every
  // time, or a 404 while items are stored. None is taken as proved: each task ends partial
  // naming the count's URL and why, the run exits 1, and the other purchases are done.
  pncp_sim::Options o = sim_options(0);
  const auto truth = pncp_sim::compras_between(o, "20240329", "20240329");
  const auto v = victims(truth, 2, 3);
  ASSERT_EQ(v.size(), 3u);
  const std::string path = std::string(kItemsPath) + "/quantidade";
  o.faults.push_back(
      pncp_sim::parse_fault("garbage:endpoint=" + path + ",match=" + count_target(*v[0])));
  o.faults.push_back(
      pncp_sim::parse_fault("5xx:endpoint=" + path + ",status=500,match=" + count_target(*v[1])));
  o.faults.push_back(
      pncp_sim::parse_fault("5xx:endpoint=" + path + ",status=404,match=" + count_target(*v[2])));
  pncp_sim::Simulator sim(o);
  sim.start();
  auto r = run(sim, "2024-03-29:2024-03-29",
               "--endpoint contratacoes_publicacao --endpoint itens_compra");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  for (const auto* c : v) {
    SCOPED_TRACE(c->numero_controle_pncp);
    EXPECT_EQ(task_of(*c, "status"), "partial");
    const std::string why = task_of(*c, "last_error");
    EXPECT_NE(why.find("count was not read"), std::string::npos) << why;
    EXPECT_NE(why.find(count_target(*c)), std::string::npos) << why;
    EXPECT_EQ(one("select count(*) from staging.itens_compra where numero_controle_pncp = '" +
                  c->numero_controle_pncp + "'"),
              "0");
  }
  EXPECT_NE(task_of(*v[0], "last_error").find("JSON"), std::string::npos)
      << task_of(*v[0], "last_error");
  EXPECT_NE(task_of(*v[1], "last_error").find("500"), std::string::npos)
      << task_of(*v[1], "last_error");
  EXPECT_NE(task_of(*v[2], "last_error").find("404"), std::string::npos)
      << task_of(*v[2], "last_error");
  // The 404 is an answer (no count) and is on record as such; the others are failed requests.
  EXPECT_EQ(one("select count(*) from meta.completeness_checks where endpoint = 'itens_compra' "
                "and outcome = 'no_count'"),
            "1");
  EXPECT_EQ(one("select count(distinct url) from meta.failed_requests where endpoint = "
                "'itens_compra' and url like '%/quantidade'"),
            "2");
  EXPECT_EQ(one("select count(*) from planning.task_plan where endpoint_name = 'itens_compra' "
                "and status <> 'done'"),
            "3");
  EXPECT_EQ(one("select count(*) from staging.itens_compra"),
            std::to_string(items_of_others(truth, v)));
}

}  // namespace
}  // namespace baliza
