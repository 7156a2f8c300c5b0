#include "db/reader.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "core/error.h"
#include "db/lock_error.h"
#include "db/read_guard.h"
#include "db/read_query.h"
#include "db/writer_intent.h"

namespace baliza {
namespace {

// A holder that is starting takes the lock before its socket is up: retry this long at least.
constexpr double kStartupGraceSeconds = 2.0;
// How long a reader defers to a writer announced in <database>.writer.
constexpr double kWriterGraceSeconds = 30.0;
// How many times a read is asked again when the holder's socket closes under it.
constexpr int kReopenAttempts = 4;

// The holder went away in the middle of a request (it finished, or was stopped).
class SocketClosed : public Error {
 public:
  explicit SocketClosed(const std::string& m) : Error(ExitCode::kEnvironment, m) {}
};

class SocketReader : public Reader {
 public:
  SocketReader(int fd, int pid) : fd_(fd), pid_(pid) {}
  ~SocketReader() override { ::close(fd_); }

  TextTable query(std::string_view sql, const SqlParams& params, std::uint64_t max_rows) override {
    ReadRequest request{std::string(sql), params, max_rows, {}, {}};
    return ask(request);
  }
  std::string call(const std::string& procedure, const std::string& arguments) override {
    ReadRequest request;
    request.procedure = procedure;
    request.arguments = arguments;
    TextTable t = ask(request);
    if (t.row_count() != 1 || t.column_count() != 1)
      throw failure("the read socket of " + source() + " answered a procedure call oddly");
    return t.text(0, 0);
  }
  TextTable ask(const ReadRequest& request) {
    std::string frame;
    if (!write_frame(fd_, encode_request(request)) || !read_frame(fd_, frame)) {
      throw SocketClosed("the read socket of " + source() +
                         " closed during a query (did that process end?); run the command "
                         "again");
    }
    ReadResponse response = decode_response(frame);
    if (response.status == 0) return std::move(response.table);
    std::string message = response.message;
    if (response.status == static_cast<int>(ExitCode::kUsage) &&
        message.rfind("read-only access", 0) == 0) {
      message += " The database is held by " + source() +
                 ", which serves reads only; run a write after it ends, or with --wait.";
    }
    throw Error(static_cast<ExitCode>(response.status), message);
  }
  std::string source() const override {
    std::string cmd = process_command_line(pid_);
    return "process " + std::to_string(pid_) + (cmd.empty() ? "" : " (" + cmd + ")");
  }
  bool served_by_holder() const override { return true; }
  bool can_read(std::string_view) override { return true; }

 private:
  int fd_;
  int pid_;
};

class ConnectionReader : public Reader {
 public:
  ConnectionReader(Connection& conn, bool guard, std::string source, ReadProcedures procedures)
      : conn_(conn),
        guard_(guard),
        source_(std::move(source)),
        procedures_(std::move(procedures)) {}
  TextTable query(std::string_view sql, const SqlParams& params, std::uint64_t max_rows) override {
    return run_read(conn_, ReadRequest{std::string(sql), params, max_rows}, guard_);
  }
  std::string source() const override { return source_; }
  bool served_by_holder() const override { return false; }
  bool can_read(std::string_view sql) override { return is_single_select(conn_, sql); }
  Connection* connection() override { return &conn_; }
  std::string call(const std::string& procedure, const std::string& arguments) override {
    return run_procedure(conn_, procedures_, procedure, arguments);
  }

 private:
  Connection& conn_;
  bool guard_;
  std::string source_;
  ReadProcedures procedures_;
};

// Owns a read-only Database and its connection.
class FileReader : public ConnectionReader {
 public:
  FileReader(std::shared_ptr<Database> db, std::unique_ptr<Connection> conn, bool guard,
             ReadProcedures procedures)
      : ConnectionReader(*conn, guard, "read-only file " + db->path(), std::move(procedures)),
        db_(std::move(db)),
        conn_(std::move(conn)) {}
  ~FileReader() override { conn_.reset(); }

 private:
  std::shared_ptr<Database> db_;
  std::unique_ptr<Connection> conn_;
};

std::unique_ptr<Reader> open_file(const std::string& path, const ReaderOptions& options) {
  OpenOptions open;
  open.read_only = true;
  open.create_parent_dirs = false;
  open.threads = options.threads;
  open.memory_limit = options.memory_limit;
  open.external_access = !options.guard;
  auto db = Database::open(path, open);
  auto conn = std::make_unique<Connection>(db);
  if (options.setup) options.setup(*conn);
  return std::make_unique<FileReader>(std::move(db), std::move(conn), options.guard,
                                      options.procedures);
}

}  // namespace

std::unique_ptr<Reader> socket_reader(const std::string& database_path) {
  std::string path = read_socket_path(database_path);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return nullptr;
  int dir = -1;
  std::string address = socket_address(path, dir);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    if (dir >= 0) ::close(dir);
    return nullptr;
  }
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", address.c_str());
  int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  if (dir >= 0) ::close(dir);
  ucred cred{};
  socklen_t len = sizeof cred;
  if (rc != 0 || ::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
      cred.uid != ::geteuid()) {
    ::close(fd);  // a stale socket (its process died) or someone else's
    return nullptr;
  }
  return std::make_unique<SocketReader>(fd, cred.pid);
}

static std::unique_ptr<Reader> open_reader_once(const std::string& database_path,
                                                const ReaderOptions& options) {
  using Clock = std::chrono::steady_clock;
  auto start = Clock::now();
  double patience = options.wait_seconds < 0                      ? -1
                    : options.wait_seconds > kStartupGraceSeconds ? options.wait_seconds
                                                                  : kStartupGraceSeconds;
  while (true) {
    if (auto served = socket_reader(database_path)) return served;
    if (writer_waiting(database_path)) {
      // A writer waits for readers to leave: let it take the file, then read through it.
      double waited = std::chrono::duration<double>(Clock::now() - start).count();
      if (waited < kWriterGraceSeconds) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        continue;
      }
    }
    std::error_code ec;
    if (!std::filesystem::exists(database_path, ec)) {
      throw environment_error("no database at " + database_path +
                              ": create it with `baliza init`, or point --db at an existing file");
    }
    try {
      return open_file(database_path, options);
    } catch (const LockConflict&) {
      double waited = std::chrono::duration<double>(Clock::now() - start).count();
      if (patience >= 0 && waited >= patience) throw;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

namespace {

// Reads are safe to repeat: when the holder ends during a request, open again (its socket, a
// new holder's, or the file itself, now free) and ask once more.
class FailoverReader : public Reader {
 public:
  FailoverReader(std::string path, ReaderOptions options)
      : path_(std::move(path)),
        options_(std::move(options)),
        inner_(open_reader_once(path_, options_)) {}
  TextTable query(std::string_view sql, const SqlParams& params, std::uint64_t max_rows) override {
    return again([&] { return inner_->query(sql, params, max_rows); });
  }
  std::string source() const override { return inner_->source(); }
  bool served_by_holder() const override { return inner_->served_by_holder(); }
  bool can_read(std::string_view sql) override { return inner_->can_read(sql); }
  Connection* connection() override { return inner_->connection(); }
  std::string call(const std::string& procedure, const std::string& arguments) override {
    return again([&] { return inner_->call(procedure, arguments); });
  }

 private:
  // A holder that is ending may still accept a connection it never serves: try a few times.
  template <typename F>
  auto again(F&& f) -> decltype(f()) {
    for (int attempt = 1;; ++attempt) {
      try {
        return f();
      } catch (const SocketClosed&) {
        if (attempt >= kReopenAttempts) throw;
        inner_.reset();
        std::this_thread::sleep_for(std::chrono::milliseconds(100 * attempt));
        inner_ = open_reader_once(path_, options_);
      }
    }
  }

  std::string path_;
  ReaderOptions options_;
  std::unique_ptr<Reader> inner_;
};

}  // namespace

std::unique_ptr<Reader> open_reader(const std::string& database_path,
                                    const ReaderOptions& options) {
  return std::make_unique<FailoverReader>(database_path, options);
}

std::unique_ptr<Reader> connection_reader(Connection& conn, bool guard, ReadProcedures procedures) {
  return std::make_unique<ConnectionReader>(conn, guard, "this process", std::move(procedures));
}

}  // namespace baliza
