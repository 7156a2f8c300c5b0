#include "extract/raw_store.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/sha256.h"
#include "db/migrations.h"
#include "db/payload_functions.h"

namespace baliza {
namespace {

std::string read_sample(const std::string& name) {
  std::ifstream in(std::string(BALIZA_SHARED_DIR) + "/pncp/samples/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class RawStoreTest : public ::testing::Test {
 protected:
  RawStoreTest() : conn(Database::open(":memory:")) {
    apply_migrations(conn);
    register_payload_functions(conn, size_t{64} << 20);
  }
  RawRequest request(int page) {
    RawRequest r;
    r.task_id = "t1";
    r.endpoint = "contratos";
    r.url = "http://127.0.0.1/v1/contratos?pagina=" + std::to_string(page);
    r.params = "{\"dataInicial\":\"20240101\"}";
    r.page = page;
    return r;
  }
  Connection conn;
};

TEST_F(RawStoreTest, PutAndGetRoundTripTheRecordedPages) {
  RawStore store(conn);
  std::string body = read_sample("contratos_page_sample.json");
  ASSERT_FALSE(body.empty());
  PutResult put = store.put(request(1), body);
  EXPECT_EQ(put.sha256, sha256_hex(body));
  EXPECT_TRUE(put.stored_new);
  EXPECT_EQ(put.raw_size, body.size());
  EXPECT_LT(put.compressed_size, body.size());
  EXPECT_EQ(store.get(put.sha256), body);
  EXPECT_EQ(
      conn.scalar("SELECT http_status || ' ' || page || ' ' || payload_size FROM raw.api_requests"),
      "200 1 " + std::to_string(body.size()));
}

TEST_F(RawStoreTest, IdenticalBodiesAreStoredOnce) {
  RawStore store(conn);
  std::string body = read_sample("atas_sample.json");
  PutResult first = store.put(request(1), body);
  PutResult second = store.put(request(2), body);
  EXPECT_TRUE(first.stored_new);
  EXPECT_FALSE(second.stored_new);
  EXPECT_NE(first.request_id, second.request_id);
  EXPECT_EQ(conn.scalar("SELECT count(*) FROM raw.payloads"), "1");
  EXPECT_EQ(
      conn.scalar("SELECT count(DISTINCT payload_sha256) || '/' || count(*) FROM raw.api_requests"),
      "1/2");
}

TEST_F(RawStoreTest, CorruptedPayloadIsDetected) {
  RawStore store(conn);
  std::string body = read_sample("pca_sample.json");
  PutResult put = store.put(request(1), body);
  // Replace the stored blob by a valid frame of different bytes: decoding works, the hash does not.
  RawStore other(conn);
  PreparedPayload evil = prepare_payload(body + " ", {});
  conn.prepare("UPDATE raw.payloads SET compressed = $1 WHERE payload_sha256 = $2")
      .bind_blob(1, evil.compressed)
      .bind(2, put.sha256)
      .execute();
  try {
    store.get(put.sha256);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("is corrupted"), std::string::npos) << e.what();
  }
  conn.prepare("UPDATE raw.payloads SET compressed = $1 WHERE payload_sha256 = $2")
      .bind_blob(1, "garbage")
      .bind(2, put.sha256)
      .execute();
  EXPECT_THROW(store.get(put.sha256), Error);
}

TEST_F(RawStoreTest, PrefixResolution) {
  RawStore store(conn);
  PutResult a = store.put(request(1), "{\"a\":1}");
  store.put(request(2), "{\"b\":2}");
  EXPECT_EQ(store.resolve_prefix(a.sha256.substr(0, 12)), a.sha256);
  EXPECT_THROW(store.resolve_prefix("zzzz"), Error);
  EXPECT_THROW(store.resolve_prefix("ab"), Error);
  try {
    store.resolve_prefix("ffffffffffff");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kFailure);
  }
}

TEST_F(RawStoreTest, AmbiguousPrefixListsTheCandidates) {
  RawStore store(conn);
  // Find two bodies whose hashes share their first 4 hex digits.
  std::map<std::string, std::string> seen;
  std::string prefix;
  for (int i = 0; prefix.empty(); ++i) {
    std::string body = "{\"n\":" + std::to_string(i) + "}";
    std::string p = sha256_hex(body).substr(0, 4);
    if (seen.count(p)) {
      store.put(request(1), seen[p]);
      store.put(request(2), body);
      prefix = p;
    }
    seen[p] = body;
  }
  try {
    store.resolve_prefix(prefix);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kUsage);
    EXPECT_NE(std::string(e.what()).find("ambiguous"), std::string::npos);
  }
}

TEST_F(RawStoreTest, SqlSeesDecompressedPayloads) {
  RawStore store(conn);
  std::string body = read_sample("contratacoes_publicacao_page_sample.json");
  store.put(request(1), body);
  EXPECT_EQ(conn.scalar("SELECT baliza_payload(p.compressed) = " + quote_literal(body) +
                        " FROM raw.api_requests r JOIN raw.payloads p USING (payload_sha256)"),
            "true");
  // Plain SQL over raw: the records of the page through DuckDB's JSON functions.
  auto n = conn.scalar(
      "SELECT json_array_length(baliza_payload(compressed)::JSON -> 'data') FROM raw.payloads");
  ASSERT_TRUE(n.has_value());
  EXPECT_GT(std::stoi(*n), 0);
}

TEST_F(RawStoreTest, PayloadFunctionEnforcesTheSizeLimit) {
  Connection small(Database::open(":memory:"));
  apply_migrations(small);
  register_payload_functions(small, 100);
  RawStore store(small);
  store.put(request(1), std::string(1000, 'x'));
  try {
    small.query("SELECT baliza_payload(compressed) FROM raw.payloads");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("above the limit"), std::string::npos) << e.what();
  }
}

TEST_F(RawStoreTest, RequestsWithoutBodyAreRecorded) {
  RawStore store(conn);
  RawRequest r = request(1);
  r.http_status = 204;
  store.record_without_body(r);
  EXPECT_EQ(
      conn.scalar(
          "SELECT http_status::VARCHAR || coalesce(payload_sha256, '-') FROM raw.api_requests"),
      "204-");
}

}  // namespace
}  // namespace baliza
