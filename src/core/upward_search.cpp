#include "core/upward_search.h"

#include <cstdlib>
#include <string>

namespace baliza {
namespace fs = std::filesystem;
namespace {

// Lexically normal, without a trailing separator, so "/tmp/" and "/tmp" compare equal.
fs::path normal(const fs::path& p) {
  fs::path n = p.lexically_normal();
  std::string s = n.string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return fs::path(s);
}

std::vector<fs::path> ceilings() {
  std::vector<fs::path> out;
  const char* env = std::getenv(kCeilingEnv);
  if (env == nullptr) return out;
  std::string list = env;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t colon = list.find(':', start);
    std::string item = list.substr(start, colon == std::string::npos ? colon : colon - start);
    // Relative entries are ignored, as git does.
    if (!item.empty() && item[0] == '/') {
      out.push_back(normal(item));
      std::error_code ec;
      fs::path real = fs::weakly_canonical(item, ec);
      if (!ec) out.push_back(normal(real));
    }
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return out;
}

}  // namespace

std::vector<fs::path> upward_dirs(const fs::path& start) {
  std::vector<fs::path> out;
  std::error_code ec;
  fs::path dir = normal(fs::absolute(start, ec));
  if (ec) return out;
  const std::vector<fs::path> stops = ceilings();
  while (!dir.empty()) {
    for (const fs::path& stop : stops)
      if (dir == stop) return out;
    out.push_back(dir);
    if (dir == dir.root_path()) break;
    dir = dir.parent_path();
  }
  return out;
}

}  // namespace baliza
