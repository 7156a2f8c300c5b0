#include "db/read_server.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/error.h"
#include "core/log.h"
#include "db/read_query.h"
#include "db/read_socket.h"

namespace baliza {

struct ReadServer::Client {
  int fd = -1;
  std::thread thread;
  std::atomic<Connection*> conn{nullptr};
  std::atomic<bool> done{false};
};

namespace {

int bind_socket(const std::string& address) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", address.c_str());
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    int saved = errno;
    ::close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

[[noreturn]] void socket_error(const std::string& path, const std::string& what) {
  throw environment_error("cannot serve reads on " + path + ": " + what + " (" +
                          std::strerror(errno) +
                          "). Check the permissions of the database's folder.");
}

bool peer_is_same_user(int fd) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return false;
  return cred.uid == ::geteuid();
}

}  // namespace

std::unique_ptr<ReadServer> ReadServer::start(std::shared_ptr<Database> db, ConnectionSetup setup,
                                              ReadProcedures procedures) {
  std::string path = read_socket_path(db->path());
  // Bind under a temporary name, restrict it, then rename: the final name is never reachable
  // with looser permissions.
  std::string tmp = path + ".tmp" + std::to_string(::getpid());
  int tmp_dir = -1, final_dir = -1;
  std::string tmp_addr = socket_address(tmp, tmp_dir);
  ::unlink(tmp_addr.c_str());
  int fd = bind_socket(tmp_addr);
  if (fd < 0) {
    if (tmp_dir >= 0) ::close(tmp_dir);
    socket_error(path, "bind");
  }
  bool ok = ::chmod(tmp_addr.c_str(), 0600) == 0;
  std::string final_addr = socket_address(path, final_dir);
  ok = ok && ::rename(tmp_addr.c_str(), final_addr.c_str()) == 0;
  if (tmp_dir >= 0) ::close(tmp_dir);
  if (final_dir >= 0) ::close(final_dir);
  if (!ok || ::listen(fd, 64) != 0) {
    int saved = errno;
    ::unlink(tmp_addr.c_str());
    ::close(fd);
    errno = saved;
    socket_error(path, "chmod/rename/listen");
  }
  auto server = std::unique_ptr<ReadServer>(
      new ReadServer(std::move(db), std::move(setup), std::move(procedures), path, fd));
  if (::pipe2(server->wake_pipe_, O_CLOEXEC) != 0) socket_error(path, "pipe");
  server->acceptor_ = std::thread([s = server.get()] { s->accept_loop(); });
  log_debug("serving read-only queries on " + path);
  return server;
}

ReadServer::ReadServer(std::shared_ptr<Database> db, ConnectionSetup setup,
                       ReadProcedures procedures, std::string path, int listen_fd)
    : db_(std::move(db)),
      setup_(std::move(setup)),
      procedures_(std::move(procedures)),
      path_(std::move(path)),
      listen_fd_(listen_fd) {}

ReadServer::~ReadServer() {
  stop();
}

void ReadServer::stop() {
  if (stopping_.exchange(true)) return;
  if (wake_pipe_[1] >= 0) {
    char byte = 1;
    [[maybe_unused]] auto n = ::write(wake_pipe_[1], &byte, 1);
  }
  if (acceptor_.joinable()) acceptor_.join();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& c : clients_) {
      ::shutdown(c->fd, SHUT_RDWR);
      if (Connection* conn = c->conn.load()) conn->interrupt();
    }
  }
  for (auto& c : clients_) {
    if (c->thread.joinable()) c->thread.join();
    ::close(c->fd);
  }
  clients_.clear();
  // Still ours: this process holds the database until after stop().
  int dir = -1;
  std::string addr = socket_address(path_, dir);
  ::unlink(addr.c_str());
  if (dir >= 0) ::close(dir);
  ::close(listen_fd_);
  for (int& fd : wake_pipe_) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
}

void ReadServer::accept_loop() {
  while (!stopping_) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    if (!(fds[0].revents & POLLIN)) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    if (!peer_is_same_user(fd)) {
      ::close(fd);
      continue;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    // Reap finished clients so a long-lived holder does not accumulate threads.
    for (auto it = clients_.begin(); it != clients_.end();) {
      if ((*it)->done) {
        (*it)->thread.join();
        ::close((*it)->fd);
        it = clients_.erase(it);
      } else {
        ++it;
      }
    }
    auto client = std::make_unique<Client>();
    client->fd = fd;
    Client* raw = client.get();
    clients_.push_back(std::move(client));
    raw->thread = std::thread([this, raw] { serve(raw); });
  }
}

TextTable ReadServer::call(Connection& conn, const ReadRequest& request) {
  TextTable t;
  t.names = {"result"};
  t.types = {DUCKDB_TYPE_VARCHAR};
  t.rows.push_back({run_procedure(conn, procedures_, request.procedure, request.arguments)});
  return t;
}

void ReadServer::serve(Client* client) {
  try {
    Connection conn(db_);
    if (setup_) setup_(conn);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      client->conn = &conn;
    }
    std::string frame;
    while (!stopping_ && read_frame(client->fd, frame)) {
      ReadResponse response;
      try {
        ReadRequest request = decode_request(frame);
        response.table = request.procedure.empty() ? run_read(conn, request, /*guard=*/true)
                                                   : call(conn, request);
      } catch (const Error& e) {
        response.status = static_cast<int>(e.code());
        response.message = e.what();
      } catch (const std::exception& e) {
        response.status = static_cast<int>(ExitCode::kFailure);
        response.message = e.what();
      }
      if (!write_frame(client->fd, encode_response(response))) break;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    client->conn = nullptr;
  } catch (const std::exception& e) {
    log_warn(std::string("read server: ") + e.what());
  }
  client->done = true;
}

}  // namespace baliza
