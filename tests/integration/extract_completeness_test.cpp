// Completeness you can prove, against the simulator's faults over real HTTP: silent short pages
// are asked again, a page that stays short makes its task partial (with the missing count), a
// total that grows while a task is paged is caught by the closing read of page 1, data that
// shrinks (400 "Página N inexistente") re-plans the task, and with every fault on at once no
// record is lost or duplicated against the simulator's own state.
#include "integration/extract_test_support.h"
#include "ops/recovery.h"
#include "plan/recheck.h"

namespace baliza::extract_test {
namespace {

// Pages of 10 for contratos and contratacoes, so days have several pages.
const char* const kSmallPages = R"(
endpoints:
  - name: contratos
    page_size: 10
  - name: contratacoes_publicacao
    page_size: 10
)";

class Completeness : public Extraction {
 protected:
  pncp_sim::Options faulty(const std::vector<std::string>& specs) {
    pncp_sim::Options o = small_sim();
    for (const auto& s : specs) o.faults.push_back(pncp_sim::parse_fault(s));
    return o;
  }

  // For every task: records stored as current results vs what the simulator's query says now
  // (data shifts included). Returns the tasks that differ, as text.
  std::string tasks_off_truth(const std::string& where = "TRUE") {
    Result r = conn->query(
        "SELECT t.task_id, t.status, sum(r.records_count), max(a.url) FILTER (WHERE "
        "r.page_number = 1) FROM planning.task_plan t JOIN runtime.task_results r USING "
        "(task_id) JOIN raw.api_requests a USING (request_id) WHERE r.superseded_at IS NULL "
        "AND " +
        where + " GROUP BY ALL");
    std::string off;
    for (size_t i = 0; i < r.row_count(); ++i) {
      const std::string url = r.get_string(3, i);
      const size_t base = url.find("/api/consulta") + std::string("/api/consulta").size();
      const size_t q = url.find('?');
      const long long now = sim->total_now(url.substr(base, q - base), url.substr(q + 1));
      if (now != r.get_int64(2, i) || r.get_string(1, i) != "done") {
        off += r.get_string(0, i) + " " + r.get_string(1, i) + " stored " +
               std::to_string(r.get_int64(2, i)) + " of " + std::to_string(now) + "\n";
      }
    }
    return off;
  }

  // Records in current pages, and distinct record keys among them.
  std::pair<std::int64_t, std::int64_t> records_and_distinct_keys() {
    Result r = conn->query(
        "SELECT count(*), count(DISTINCT k) FROM (SELECT unnest(json_extract_string("
        "baliza_payload(p.compressed), '$.data[*].numeroControlePNCP')) AS k FROM "
        "runtime.task_results r JOIN raw.api_requests a USING (request_id) JOIN raw.payloads p "
        "USING (payload_sha256) WHERE r.superseded_at IS NULL)");
    return {r.get_int64(0, 0), r.get_int64(1, 0)};
  }
};

TEST_F(Completeness, ShortPagesAreAskedAgainUntilWhole) {
  start_sim(faulty({"short:rate=0.35,endpoint=/v1/contratos"}));
  const auto c = config(kSmallPages);
  const auto result = extract(c, "2024-01-08:2024-01-12", {"contratos"});
  EXPECT_EQ(result.exit_code(), 0) << extract::describe_extract_result(result);
  EXPECT_EQ(stored_counts(true), truth(c, {"contratos"}, "20240108", "20240112"));
  EXPECT_EQ(duplicate_pages(), 0);
  // Short answers came and were kept for the record, superseded, not counted.
  const std::int64_t short_kept = count(
      "SELECT count(*) FROM runtime.task_results WHERE superseded_at IS NOT NULL AND "
      "records_count < 10 AND page_number < total_pages");
  EXPECT_GT(short_kept, 0);
  // Every current non-last page is full.
  EXPECT_EQ(count("SELECT count(*) FROM runtime.task_results WHERE superseded_at IS NULL AND "
                  "page_number < total_pages AND records_count <> 10"),
            0);
  EXPECT_EQ(count("SELECT count(*) FROM planning.task_plan WHERE status <> 'done'"), 0);
  EXPECT_EQ(tasks_off_truth(), "");
}

TEST_F(Completeness, AStillShortTaskIsPartialWithItsMissingCount) {
  start_sim(faulty({"short:rate=1,count=3,endpoint=/v1/contratos"}));
  const auto c = config(kSmallPages);
  extract::ExtractOptions o = options("2024-01-10:2024-01-10", {"contratos"});
  o.short_page_retries = 2;
  const auto result = extract(c, "2024-01-10:2024-01-10", {"contratos"}, &o);
  EXPECT_EQ(result.exit_code(), 1);
  EXPECT_EQ(result.total().tasks_partial, 1);
  EXPECT_EQ(count("SELECT count(*) FROM planning.task_plan WHERE status = 'partial'"), 1);
  const std::int64_t pages =
      count("SELECT max(total_pages) FROM runtime.task_results WHERE superseded_at IS NULL");
  const std::int64_t total = truth(c, {"contratos"}, "20240110", "20240110").at("contratos");
  ASSERT_GT(pages, 1);
  // Each page answered 3 records short, three times (first answer + 2 retries).
  EXPECT_EQ(count("SELECT count(*) FROM meta.failed_requests WHERE error_class = 'short_page' "
                  "AND attempts = 3 AND error_message LIKE '%3 records missing%'"),
            pages);
  EXPECT_EQ(count("SELECT sum(records_count) FROM runtime.task_results WHERE superseded_at IS "
                  "NULL"),
            total - 3 * pages);
  EXPECT_EQ(sim->stats().requests_per_path.at("/v1/contratos"),
            static_cast<std::uint64_t>(3 * pages));  // no closing read: not complete
  const auto status =
      ops::recovery_status(*conn, plan::parse_range("2024-01-10:2024-01-10"), "2024-01");
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(status[0].partial, 1);
  EXPECT_EQ(status[0].records_missing, 3 * pages);
  const std::string text = ops::describe_recovery(status);
  EXPECT_NE(text.find(std::to_string(3 * pages) + " records missing"), std::string::npos) << text;
}

TEST_F(Completeness, ATotalThatGrowsWhilePagingIsCaught) {
  // A single-page day (pages of 50) gets 2 more records once its page 1 was served.
  start_sim(faulty({"shift:count=2,endpoint=/v1/contratos"}));
  const auto c = config();
  const auto result = extract(c, "2024-01-09:2024-01-10", {"contratos"});
  EXPECT_EQ(result.exit_code(), 0) << extract::describe_extract_result(result);
  EXPECT_GT(result.total().shifts, 0);
  EXPECT_GT(count("SELECT count(*) FROM meta.data_shifts"), 0);
  EXPECT_EQ(tasks_off_truth(), "");
  EXPECT_EQ(duplicate_pages(), 0);
}

TEST_F(Completeness, WithoutTheClosingReadTheGrowthIsMissed) {
  // The same run without confirm_total loses the late records: what the closing read is for.
  start_sim(faulty({"shift:count=2,endpoint=/v1/contratos"}));
  const auto c = config();
  extract::ExtractOptions o = options("2024-01-09:2024-01-10", {"contratos"});
  o.confirm_total = false;
  ASSERT_EQ(extract(c, "2024-01-09:2024-01-10", {"contratos"}, &o).exit_code(), 0);
  EXPECT_NE(tasks_off_truth(), "");
}

TEST_F(Completeness, RecentDaysAreRecheckedAndWhatGrewIsFetched) {
  // Records published after a first run: the first run does not read totals twice, so the 2
  // records each day gets once its page 1 was served are missing when it ends.
  start_sim(faulty({"shift:count=2,endpoint=/v1/contratos"}));
  const auto c = config();
  const std::string range = "2024-06-20:2024-06-29";  // the simulator's today is 2024-06-30
  extract::ExtractOptions first = options(range, {"contratos"});
  first.confirm_total = false;
  ASSERT_EQ(extract(c, range, {"contratos"}, &first).exit_code(), 0);
  ASSERT_NE(tasks_off_truth("t.data_date >= DATE '2024-06-23'"), "");

  // The next run re-checks the days within 7 days of today (06-23 .. 06-29), not the others.
  const std::int64_t requeued =
      plan::requeue_recent(*conn, {plan::parse_range(range), {"contratos"}},
                           plan::parse_iso_date("2024-06-30"), 7, "recheck-run");
  EXPECT_EQ(requeued, 7);
  EXPECT_EQ(count("SELECT count(*) FROM planning.task_events WHERE event = 'recheck'"), 7);
  const auto second = run_extract(*conn, c, options(range, {"contratos"}));
  EXPECT_EQ(second.exit_code(), 0) << extract::describe_extract_result(second);
  EXPECT_EQ(second.total().tasks_done, 7);
  EXPECT_EQ(tasks_off_truth("t.data_date >= DATE '2024-06-23'"), "");  // what grew was fetched
  EXPECT_NE(tasks_off_truth("t.data_date < DATE '2024-06-23'"), "");   // outside the window
  EXPECT_GT(count("SELECT count(*) FROM meta.completeness_checks WHERE outcome = 'moved'"), 0);
  EXPECT_EQ(count("SELECT count(DISTINCT task_id) FROM meta.completeness_checks WHERE outcome "
                  "= 'confirmed'"),
            7);

  const auto status =
      ops::recovery_status(*conn, plan::parse_range("2024-06-01:2024-06-30"), "2024-06");
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(status[0].complete_through, "2024-06-29");
  EXPECT_FALSE(status[0].last_checked.empty());
  EXPECT_NE(ops::describe_recovery(status).find("known complete through 2024-06-29, last checked"),
            std::string::npos)
      << ops::describe_recovery(status);
}

TEST_F(Completeness, DataThatShrinksReplansTheTask) {
  // After page 1, 4 records vanish; past the new last page the API says "Página N inexistente".
  start_sim(faulty({"shift:count=-4,endpoint=/v1/contratos", "past_end"}));
  const auto c = config(kSmallPages);
  extract::ExtractOptions o = options("2024-01-10:2024-01-12", {"contratos"});
  o.concurrency = 1;  // page 1 first, then the others in order: the last one is past the end
  const auto result = extract(c, "2024-01-10:2024-01-12", {"contratos"}, &o);
  EXPECT_EQ(result.exit_code(), 0) << extract::describe_extract_result(result);
  EXPECT_EQ(tasks_off_truth(), "");
  EXPECT_EQ(count("SELECT count(*) FROM meta.failed_requests WHERE resolved_at IS NULL"), 0);
  EXPECT_GT(count("SELECT count(*) FROM meta.data_shifts"), 0);
}

TEST_F(Completeness, EveryFaultAtOnceLosesAndDuplicatesNothing) {
  start_sim(faulty({"short:rate=0.15", "html200:rate=0.05", "429:rate=0.05", "5xx:rate=0.05",
                    "past_end", "shift:count=1,endpoint=/v1/contratacoes/publicacao",
                    "shift:count=-2,endpoint=/v1/contratos"}));
  const auto c = config(kSmallPages);
  const std::vector<std::string> endpoints{"contratos", "contratacoes_publicacao"};
  const auto result = extract(c, "2024-01-08:2024-01-12", endpoints);
  EXPECT_EQ(result.exit_code(), 0) << extract::describe_extract_result(result);
  EXPECT_EQ(tasks_off_truth(), "");
  EXPECT_EQ(duplicate_pages(), 0);
  const auto [records, keys] = records_and_distinct_keys();
  EXPECT_GT(records, 0);
  EXPECT_EQ(records, keys);  // no record stored twice among current pages
  EXPECT_EQ(records, count("SELECT sum(records_count) FROM runtime.task_results WHERE "
                           "superseded_at IS NULL"));
}

}  // namespace
}  // namespace baliza::extract_test
