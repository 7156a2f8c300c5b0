// Drops a server connection with a TCP reset, for the "connection reset" fault. cpp-httplib
// gives handlers no socket, so the connection is found by its ports among this process's
// sockets; the handler's later writes then go to /dev/null and fail harmlessly.
#pragma once

namespace pncp_sim::detail {

// True when the connection local_port <-> remote_port was found and reset.
bool reset_connection(int local_port, int remote_port);

}  // namespace pncp_sim::detail
