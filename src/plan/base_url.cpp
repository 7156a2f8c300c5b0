#include "plan/base_url.h"

namespace baliza::plan {

bool is_relative_base_url(std::string_view url) {
  return !url.empty() && url.find("://") == std::string_view::npos;
}

std::string resolve_base_url(std::string_view base, std::string_view ref) {
  if (!is_relative_base_url(ref)) return std::string(ref);
  std::string out(base);
  while (!out.empty() && out.back() == '/') out.pop_back();
  const std::size_t scheme = out.find("://");
  const std::size_t authority_end =
      out.find('/', scheme == std::string::npos ? 0 : scheme + 3);  // npos: no path at all
  for (;;) {
    if (ref.substr(0, 3) == "../") {
      const std::size_t slash = out.rfind('/');
      if (authority_end != std::string::npos && slash != std::string::npos &&
          slash >= authority_end)
        out.erase(slash);
      ref.remove_prefix(3);
    } else if (ref.substr(0, 2) == "./") {
      ref.remove_prefix(2);
    } else {
      break;
    }
  }
  while (!ref.empty() && ref.front() == '/') ref.remove_prefix(1);
  if (!ref.empty()) out.append("/").append(ref);
  return out;
}

}  // namespace baliza::plan
