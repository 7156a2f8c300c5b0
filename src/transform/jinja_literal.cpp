#include "transform/jinja_literal.h"

namespace baliza::transform {

std::string jinja_literal(const nlohmann::json& v) {
  if (v.is_null()) return "none";
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_array()) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + jinja_literal(v[i]);
    return out + "]";
  }
  if (v.is_object()) {
    std::string out = "{";
    bool first = true;
    for (const auto& [k, item] : v.items()) {
      out += (first ? "" : ", ") + nlohmann::json(k).dump() + ": " + jinja_literal(item);
      first = false;
    }
    return out + "}";
  }
  return v.dump();
}

}  // namespace baliza::transform
