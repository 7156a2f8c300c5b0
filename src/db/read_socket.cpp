#include "db/read_socket.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <stdexcept>

namespace baliza {
namespace {

void put_u8(std::string& out, std::uint8_t v) {
  out.push_back(static_cast<char>(v));
}
void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_str(std::string& out, const std::string& s) {
  put_u32(out, static_cast<std::uint32_t>(s.size()));
  out += s;
}
void put_cell(std::string& out, const std::optional<std::string>& cell) {
  put_u8(out, cell ? 0 : 1);
  if (cell) put_str(out, *cell);
}

class Cursor {
 public:
  explicit Cursor(const std::string& bytes) : bytes_(bytes) {}
  std::uint8_t u8() {
    need(1);
    return static_cast<std::uint8_t>(bytes_[at_++]);
  }
  std::uint32_t u32() {
    need(4);
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
      v |= std::uint32_t(static_cast<std::uint8_t>(bytes_[at_++])) << (8 * i);
    return v;
  }
  std::uint64_t u64() {
    need(8);
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
      v |= std::uint64_t(static_cast<std::uint8_t>(bytes_[at_++])) << (8 * i);
    return v;
  }
  std::string str() {
    std::uint32_t n = u32();
    need(n);
    std::string s = bytes_.substr(at_, n);
    at_ += n;
    return s;
  }
  std::optional<std::string> cell() {
    if (u8() != 0) return std::nullopt;
    return str();
  }
  size_t left() const { return bytes_.size() - at_; }

 private:
  void need(size_t n) const {
    if (bytes_.size() - at_ < n) throw std::runtime_error("truncated read-socket frame");
  }
  const std::string& bytes_;
  size_t at_ = 0;
};

}  // namespace

std::string read_socket_path(const std::string& database_path) {
  return database_path + ".sock";
}

std::string socket_address(const std::string& path, int& dir_fd) {
  dir_fd = -1;
  std::string absolute = std::filesystem::absolute(path).lexically_normal().string();
  if (absolute.size() < sizeof(sockaddr_un{}.sun_path)) return absolute;
  std::filesystem::path p(absolute);
  dir_fd = ::open(p.parent_path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return absolute;  // the caller's bind/connect reports the error
  return "/proc/self/fd/" + std::to_string(dir_fd) + "/" + p.filename().string();
}

std::string encode_request(const ReadRequest& request) {
  std::string out;
  if (!request.procedure.empty()) {
    put_u8(out, 2);
    put_str(out, request.procedure);
    put_str(out, request.arguments);
    return out;
  }
  put_u8(out, 1);
  put_str(out, request.sql);
  put_u32(out, static_cast<std::uint32_t>(request.params.size()));
  for (const auto& p : request.params) put_cell(out, p);
  put_u64(out, request.max_rows);
  return out;
}

ReadRequest decode_request(const std::string& bytes) {
  Cursor in(bytes);
  std::uint8_t version = in.u8();
  ReadRequest request;
  if (version == 2) {
    request.procedure = in.str();
    request.arguments = in.str();
    if (request.procedure.empty()) throw std::runtime_error("empty procedure name");
    return request;
  }
  if (version != 1) throw std::runtime_error("unknown read-socket protocol version");
  request.sql = in.str();
  std::uint32_t n = in.u32();
  if (n > in.left()) throw std::runtime_error("bad parameter count");
  for (std::uint32_t i = 0; i < n; ++i) request.params.push_back(in.cell());
  request.max_rows = in.u64();
  return request;
}

std::string encode_response(const ReadResponse& response) {
  std::string out;
  put_u8(out, static_cast<std::uint8_t>(response.status));
  if (response.status != 0) {
    put_str(out, response.message);
    return out;
  }
  const TextTable& t = response.table;
  put_u32(out, static_cast<std::uint32_t>(t.column_count()));
  for (size_t c = 0; c < t.column_count(); ++c) {
    put_str(out, t.names[c]);
    put_u32(out, static_cast<std::uint32_t>(t.types[c]));
  }
  put_u8(out, t.truncated ? 1 : 0);
  put_u64(out, t.row_count());
  for (const auto& row : t.rows) {
    for (const auto& cell : row) put_cell(out, cell);
  }
  return out;
}

ReadResponse decode_response(const std::string& bytes) {
  Cursor in(bytes);
  ReadResponse response;
  response.status = in.u8();
  if (response.status != 0) {
    response.message = in.str();
    return response;
  }
  TextTable& t = response.table;
  std::uint32_t cols = in.u32();
  if (cols > in.left()) throw std::runtime_error("bad column count");
  for (std::uint32_t c = 0; c < cols; ++c) {
    t.names.push_back(in.str());
    t.types.push_back(static_cast<duckdb_type>(in.u32()));
  }
  t.truncated = in.u8() != 0;
  std::uint64_t rows = in.u64();
  if (cols > 0 && rows > in.left() / cols) throw std::runtime_error("bad row count");
  t.rows.resize(rows);
  for (auto& row : t.rows) {
    row.reserve(cols);
    for (std::uint32_t c = 0; c < cols; ++c) row.push_back(in.cell());
  }
  return response;
}

bool write_frame(int fd, const std::string& payload) {
  std::string header;
  put_u64(header, payload.size());
  for (const std::string* part : {static_cast<const std::string*>(&header), &payload}) {
    size_t done = 0;
    while (done < part->size()) {
      ssize_t n = ::send(fd, part->data() + done, part->size() - done, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
  }
  return true;
}

namespace {
bool read_exact(int fd, char* data, size_t size) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::recv(fd, data + done, size - done, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}
}  // namespace

bool read_frame(int fd, std::string& payload, std::uint64_t max_bytes) {
  char header[8];
  if (!read_exact(fd, header, 8)) return false;
  std::uint64_t size = 0;
  for (int i = 0; i < 8; ++i)
    size |= std::uint64_t(static_cast<std::uint8_t>(header[i])) << (8 * i);
  if (size > max_bytes) return false;
  payload.resize(size);
  return read_exact(fd, payload.data(), size);
}

}  // namespace baliza
