// The read socket's address and wire format (shared by db/read_server and db/reader).
//
// The socket is a Unix stream socket next to the database file: <database>.sock, mode 0600,
// owned by the user of the process that holds the database. Each message is one frame:
// an 8-byte little-endian length, then that many bytes. A connection carries any number of
// request/response pairs, one at a time.
//   request:  u8 version(1) | str sql | u32 n | n x (u8 is_null | str value)   (parameters)
//             | u64 max_rows
//          or u8 2 | str procedure | str arguments     (a procedure call, see read_server.h;
//             answered as a one-column, one-row table holding the procedure's result text)
//   response: u8 status (0 ok; else an ExitCode) | str message (status != 0)
//             | u32 columns | columns x (str name | u32 duckdb_type) | u8 truncated
//             | u64 rows | rows x columns x (u8 is_null | str value)
// where str is a u32 length then bytes. Malformed frames close the connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/text_table.h"

namespace baliza {

using SqlParams = std::vector<std::optional<std::string>>;

struct ReadRequest {
  std::string sql;
  SqlParams params;
  std::uint64_t max_rows = UINT64_MAX;
  // A procedure call instead of SQL when procedure is set (sql, params, max_rows unused).
  std::string procedure;
  std::string arguments;
};

struct ReadResponse {
  int status = 0;  // 0 ok, else the ExitCode of the error
  std::string message;
  TextTable table;
};

// "<database path>.sock".
std::string read_socket_path(const std::string& database_path);

// A sockaddr_un path for path: path itself when it fits (108 bytes), else a short alias through
// /proc/self/fd of an O_PATH descriptor of its folder, which dir_fd keeps open (-1 if unused).
std::string socket_address(const std::string& path, int& dir_fd);

std::string encode_request(const ReadRequest& request);
ReadRequest decode_request(const std::string& bytes);  // throws on malformed input
std::string encode_response(const ReadResponse& response);
ReadResponse decode_response(const std::string& bytes);

// Frame I/O on a connected socket; false on EOF or error. Frames above max_bytes are refused.
bool write_frame(int fd, const std::string& payload);
bool read_frame(int fd, std::string& payload, std::uint64_t max_bytes = (1ULL << 34));

}  // namespace baliza
