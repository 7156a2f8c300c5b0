#include "extract/raw_tables.h"

#include <gtest/gtest.h>

#include "db/migrations.h"
#include "db/payload_functions.h"

namespace baliza {
namespace {

class RawTablesTest : public ::testing::Test {
 protected:
  RawTablesTest() : conn(Database::open(":memory:")) {
    apply_migrations(conn);
    register_payload_functions(conn, size_t{64} << 20);
  }
  static RawRequest request(const std::string& id, int page, int status) {
    RawRequest r;
    r.request_id = id;
    r.task_id = "task-" + id;
    r.endpoint = "contratos";
    r.url = "http://127.0.0.1/v1/contratos?pagina=" + std::to_string(page);
    r.params = "{\"dataInicial\":\"20240101\"}";
    r.page = page;
    r.http_status = status;
    r.etag = "W/\"" + id + "\"";
    r.collected_at = "2024-02-03 04:05:06";
    return r;
  }
  Connection conn;
};

// Every column is read back by name: the encoder appends by position, so a column order that
// drifted from the table's would show here.
TEST_F(RawTablesTest, EveryColumnLandsWhereItsNameSays) {
  const std::string body = R"({"data":[{"a":1},{"a":2}],"totalRegistros":2})";
  const PreparedPayload payload = prepare_payload(body, {});
  const RawRequest with_body = request("r1", 3, 200);
  const RawRequest without_body = request("r2", 1, 204);
  const auto written = append_raw_rows(conn, {{&with_body, &payload}, {&without_body, nullptr}});
  ASSERT_EQ(written.size(), 2u);
  EXPECT_EQ(written[0].request_id, "r1");
  EXPECT_TRUE(written[0].stored_new);
  EXPECT_FALSE(written[1].stored_new);

  Result r = conn.query(
      "SELECT request_id, task_id, endpoint, url, params, page, http_status, etag, "
      "payload_sha256, payload_size, CAST(collected_at AS VARCHAR), CAST(ingestion_date AS "
      "VARCHAR) FROM raw.api_requests ORDER BY request_id");
  ASSERT_EQ(r.row_count(), 2u);
  EXPECT_EQ(r.get_string(0, 0), "r1");
  EXPECT_EQ(r.get_string(1, 0), "task-r1");
  EXPECT_EQ(r.get_string(2, 0), "contratos");
  EXPECT_EQ(r.get_string(3, 0), "http://127.0.0.1/v1/contratos?pagina=3");
  EXPECT_EQ(r.get_string(4, 0), "{\"dataInicial\":\"20240101\"}");
  EXPECT_EQ(r.get_int64(5, 0), 3);
  EXPECT_EQ(r.get_int64(6, 0), 200);
  EXPECT_EQ(r.get_string(7, 0), "W/\"r1\"");
  EXPECT_EQ(r.get_string(8, 0), payload.sha256);
  EXPECT_EQ(r.get_int64(9, 0), static_cast<int64_t>(body.size()));
  EXPECT_EQ(r.get_string(10, 0), "2024-02-03 04:05:06");
  EXPECT_EQ(r.get_string(11, 0), "2024-02-03");
  EXPECT_EQ(r.get_int64(6, 1), 204);
  EXPECT_TRUE(r.is_null(8, 1));
  EXPECT_TRUE(r.is_null(9, 1));

  Result p = conn.query(
      "SELECT payload_sha256, codec, dict_id, raw_size, compressed_size, octet_length(compressed), "
      "baliza_payload(compressed), CAST(stored_at AS VARCHAR) FROM raw.payloads");
  ASSERT_EQ(p.row_count(), 1u);
  EXPECT_EQ(p.get_string(0, 0), payload.sha256);
  EXPECT_EQ(p.get_string(1, 0), "zstd");
  EXPECT_TRUE(p.is_null(2, 0));
  EXPECT_EQ(p.get_int64(3, 0), static_cast<int64_t>(body.size()));
  EXPECT_EQ(p.get_int64(4, 0), static_cast<int64_t>(payload.compressed.size()));
  EXPECT_EQ(p.get_int64(5, 0), static_cast<int64_t>(payload.compressed.size()));
  EXPECT_EQ(p.get_string(6, 0), body);
  EXPECT_EQ(p.get_string(7, 0), "2024-02-03 04:05:06");
}

TEST_F(RawTablesTest, ABodySeenBeforeOrTwiceInOneCallIsStoredOnce) {
  const PreparedPayload payload = prepare_payload(R"({"data":[]})", {});
  const RawRequest a = request("a", 1, 200), b = request("b", 2, 200), c = request("c", 3, 200);
  auto first = append_raw_rows(conn, {{&a, &payload}, {&b, &payload}});
  EXPECT_TRUE(first[0].stored_new);
  EXPECT_FALSE(first[1].stored_new);
  auto second = append_raw_rows(conn, {{&c, &payload}});
  EXPECT_FALSE(second[0].stored_new);
  EXPECT_EQ(conn.scalar("SELECT count(*) FROM raw.payloads"), "1");
  EXPECT_EQ(conn.scalar("SELECT count(DISTINCT payload_sha256) || '/' || count(*) FROM "
                        "raw.api_requests"),
            "1/3");
}

TEST_F(RawTablesTest, MissingIdsAndTimesAreFilledIn) {
  RawRequest q = request("", 1, 200);
  q.collected_at.clear();
  q.page.reset();
  const auto written = append_raw_rows(conn, {{&q, nullptr}});
  EXPECT_FALSE(written[0].request_id.empty());
  EXPECT_EQ(conn.scalar("SELECT count(*) FROM raw.api_requests WHERE page IS NULL AND "
                        "ingestion_date = CAST(collected_at AS DATE) AND request_id = " +
                        quote_literal(written[0].request_id)),
            "1");
}

}  // namespace
}  // namespace baliza
