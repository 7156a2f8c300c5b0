#include "socket_reset.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace pncp_sim::detail {

static int port_of(const sockaddr_storage& addr) {
  if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(addr).sin_port);
  if (addr.ss_family == AF_INET6)
    return ntohs(reinterpret_cast<const sockaddr_in6&>(addr).sin6_port);
  return -1;
}

static bool is_connection(int fd, int local_port, int remote_port) {
  sockaddr_storage local{}, peer{};
  socklen_t len = sizeof local;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) != 0) return false;
  len = sizeof peer;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) != 0) return false;
  return port_of(local) == local_port && port_of(peer) == remote_port;
}

int find_connection(int local_port, int remote_port) {
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return -1;
  int found = -1;
  while (dirent* entry = readdir(dir)) {
    int fd = std::atoi(entry->d_name);
    if (fd > 2 && fd != dirfd(dir) && is_connection(fd, local_port, remote_port)) {
      found = fd;
      break;
    }
  }
  closedir(dir);
  return found;
}

bool reset_connection(int fd) {
  int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull < 0) return false;
  int socket_copy = dup(fd);
  linger hard{1, 0};  // closing with a zero linger time sends RST instead of FIN
  setsockopt(socket_copy, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
  dup2(devnull, fd);  // httplib keeps its fd number, now pointing at /dev/null
  close(devnull);
  close(socket_copy);  // last reference to the socket: the reset goes out now
  return true;
}

}  // namespace pncp_sim::detail
