// A real PostgreSQL server for one test: initdb in a fresh temporary folder, pg_ctl start on a
// unix socket inside it (no TCP port), stopped and removed when the test ends.
//
// Needs Debian's postgresql-15 (scripts/setup installs it). PostgreSQL refuses to run as root,
// so under root the server runs as the `postgres` user the package creates. The superuser is
// `baliza` with trust authentication (loopback socket in a private folder; tests only).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <string>

#include "support/process.h"

namespace baliza::testing {

class PostgresServer {
 public:
  PostgresServer() {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           ("baliza-pg-" + std::to_string(rd()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    std::filesystem::permissions(
        dir_, std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                  std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
                  std::filesystem::perms::others_exec);
    if (geteuid() == 0) {
      as_user_ = "runuser -u postgres -- ";
      run_command("chown postgres '" + dir_.string() + "'", dir_);
    }
    const std::string bin = bin_dir();
    if (bin.empty()) {
      ADD_FAILURE() << "PostgreSQL 15 server binaries not found under /usr/lib/postgresql/15/bin: "
                       "install postgresql-15 (scripts/setup does)";
      return;
    }
    ProcessResult init = run_command(as_user_ + bin + "/initdb -D '" + data() +
                                         "' -A trust -U baliza --no-sync -E UTF8 >/dev/null",
                                     dir_);
    if (init.exit_code != 0) {
      ADD_FAILURE() << "initdb failed: " << init.err;
      return;
    }
    started_ = start();
  }
  ~PostgresServer() {
    if (started_)
      run_command(as_user_ + bin_dir() + "/pg_ctl -D '" + data() + "' -m immediate -w stop", dir_);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  bool ok() const { return started_; }
  // A libpq connection string for the server's `postgres` database.
  std::string url() const {
    return "host=" + dir_.string() + " port=5432 user=baliza dbname=postgres";
  }
  // Restarts the server (fast shutdown: sessions are cut, as in a real restart).
  bool restart() {
    ProcessResult r =
        run_command(as_user_ + bin_dir() + "/pg_ctl -D '" + data() + "' -m fast -w restart -l '" +
                        (dir_ / "log").string() + "' -o \"" + server_options() + "\" >/dev/null",
                    dir_);
    return r.exit_code == 0;
  }
  // Stops the server (fast: sessions are cut) until start_again().
  bool stop() {
    ProcessResult r =
        run_command(as_user_ + bin_dir() + "/pg_ctl -D '" + data() + "' -m fast -w stop", dir_);
    return r.exit_code == 0;
  }
  bool start_again() { return start(); }
  // The folder of the server's unix socket (host= of url()).
  std::string socket_dir() const { return dir_.string(); }
  // psql -tA: the single value `sql` returns ("" on error).
  std::string scalar(const std::string& sql) const {
    ProcessResult r = run_command("psql -X -tA -d \"" + url() + "\" -c \"" + sql + "\"", dir_);
    std::string v = r.out;
    while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
    return v;
  }

 private:
  static std::string bin_dir() {
    const std::string bin = "/usr/lib/postgresql/15/bin";
    return std::filesystem::exists(bin + "/pg_ctl") ? bin : "";
  }
  std::string data() const { return (dir_ / "data").string(); }
  std::string server_options() const {
    return "-k " + dir_.string() + " -p 5432 -c listen_addresses='' -c fsync=off";
  }
  bool start() {
    ProcessResult r =
        run_command(as_user_ + bin_dir() + "/pg_ctl -D '" + data() + "' -w start -l '" +
                        (dir_ / "log").string() + "' -o \"" + server_options() + "\" >/dev/null",
                    dir_);
    if (r.exit_code != 0) ADD_FAILURE() << "pg_ctl start failed: " << r.err;
    return r.exit_code == 0;
  }

  std::filesystem::path dir_;
  std::string as_user_;
  bool started_ = false;
};

}  // namespace baliza::testing
