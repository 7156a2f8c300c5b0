#include "gzip.h"

#include <zlib.h>

#include <sstream>
#include <stdexcept>

namespace pncp_sim::detail {

std::string gzip_fast(std::string_view data) {
  z_stream z{};
  // windowBits 15 + 16: a gzip header and trailer around the deflate stream.
  if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2 failed");
  std::string out(deflateBound(&z, data.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate did not finish");
  return out;
}

bool take_gzip(std::string& accept_encoding) {
  std::string kept, token;
  bool gzip = false;
  std::stringstream in(accept_encoding);
  while (std::getline(in, token, ',')) {
    size_t start = token.find_first_not_of(' ');
    if (start == std::string::npos) continue;
    std::string name = token.substr(start, token.find(';', start) - start);
    while (!name.empty() && name.back() == ' ') name.pop_back();
    if (name == "gzip") {
      gzip = token.find("q=0") == std::string::npos || token.find("q=0.") != std::string::npos;
      continue;
    }
    kept += (kept.empty() ? "" : ", ") + token.substr(start);
  }
  accept_encoding = kept;
  return gzip;
}

}  // namespace pncp_sim::detail
