// Drops a server connection with a TCP reset, for the "connection reset" fault. cpp-httplib
// gives handlers no socket, so the connection is found by its ports among this process's
// sockets; the handler's later writes then go to /dev/null and fail harmlessly.
#pragma once

namespace pncp_sim::detail {

// The descriptor of the connection local_port <-> remote_port, or -1.
int find_connection(int local_port, int remote_port);
// Resets the connection behind `fd`; the descriptor number stays valid (now /dev/null).
bool reset_connection(int fd);

}  // namespace pncp_sim::detail
