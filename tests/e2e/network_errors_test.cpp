// End-to-end: no network is an environment error, said at once. When every first request to
// the API finds no way to it (the name does not resolve, the port refuses), `baliza run` and
// `baliza extract` stop within a few attempts with exit 3, name the host and curl's error, and
// point to `baliza demo`; the tasks they claimed go back to pending, so a later run resumes.
// Nothing here leaves 127.0.0.1: a `.invalid` name fails in the local resolver (RFC 6761).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/baliza_cli.h"

namespace baliza {
namespace {

// A loopback port that refuses connections: bound once to learn a free number, then closed.
int refused_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

class NetworkErrors : public testing::BalizaCli {
 protected:
  void expect_released(const std::string& db) {
    EXPECT_NE(scalar(db, "select count(*) from planning.task_plan"), "0");
    EXPECT_EQ(scalar(db, "select count(*) from planning.task_plan where status <> 'pending'"), "0");
    EXPECT_EQ(scalar(db, "select count(*) from runtime.task_claims where status = 'active'"), "0");
    EXPECT_EQ(scalar(db, "select count(*) from runtime.task_results"), "0");
    // The run is on record as failed, with no task blamed.
    EXPECT_EQ(scalar(db, "select count(*) from meta.failed_requests"), "0");
    EXPECT_EQ(scalar(db, "select string_agg(status, ',') from meta.execution_log"), "failed");
  }
};

TEST_F(NetworkErrors, RefusedPortIsExit3NamingTheHostAndCurlsError) {
  ASSERT_EQ(baliza("init -q").exit_code, 0);
  const std::string host = "127.0.0.1:" + std::to_string(refused_port());
  auto r = baliza("extract --dia 2024-01-02 --endpoint contratos --base-url http://" + host +
                  "/api/consulta");
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("cannot reach " + host + ": "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("curl 7: Couldn't connect to server"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("`baliza demo`"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("circuit opened"), std::string::npos) << r.err;
  expect_released("data/baliza.duckdb");
}

TEST_F(NetworkErrors, UnresolvableNameIsExit3NamingTheHostAndCurlsError) {
  ASSERT_EQ(baliza("init -q").exit_code, 0);
  auto r = baliza(
      "run --dia 2024-01-02 --endpoint contratos --endpoint atas_atualizacao "
      "--base-url http://pncp.invalid/api/consulta");
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("cannot reach pncp.invalid: Could not resolve host: pncp.invalid"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("curl 6:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("`baliza demo`"), std::string::npos) << r.err;
  // Said once, not once per page or per retry.
  const std::string said = "cannot reach pncp.invalid";
  EXPECT_EQ(r.err.find(said), r.err.rfind(said)) << r.err;
  expect_released("data/baliza.duckdb");
}

}  // namespace
}  // namespace baliza
