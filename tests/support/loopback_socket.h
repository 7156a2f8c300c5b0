// A TCP socket on 127.0.0.1 at a port the kernel picks, for the tests' hand-written servers
// (hostile_server.h, unit/extract/loopback_server.h). Tests never listen beyond loopback.
// Errors: none reported; a failed socket call leaves the port 0, and the test using it fails
// on its first connection. Threads: any. The caller owns the returned descriptor and closes it.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace baliza::testing {

// Binds a new socket to 127.0.0.1:0 (SO_REUSEADDR set), stores the port chosen in `port`, and
// listens with `backlog` when it is above 0. Returns the socket's descriptor.
inline int bind_loopback(int& port, int backlog) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port = ntohs(addr.sin_port);
  if (backlog > 0) ::listen(fd, backlog);
  return fd;
}

}  // namespace baliza::testing
