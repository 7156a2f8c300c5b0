#include "transform/python_literal.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <string>

namespace baliza::transform {
namespace {

// Nesting deeper than this is not a literal anyone writes; it stops a recursion bomb.
constexpr int kMaxDepth = 64;

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}

  std::optional<nlohmann::json> whole() {
    auto v = value(0);
    skip_space();
    if (!v || i_ != s_.size()) return std::nullopt;
    return v;
  }

 private:
  void skip_space() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool eat(char c) {
    skip_space();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool word(std::string_view w) {
    if (s_.substr(i_, w.size()) != w) return false;
    std::size_t end = i_ + w.size();
    if (end < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[end])) || s_[end] == '_'))
      return false;
    i_ = end;
    return true;
  }

  std::optional<nlohmann::json> value(int depth) {
    if (depth > kMaxDepth) return std::nullopt;
    skip_space();
    if (i_ >= s_.size()) return std::nullopt;
    char c = s_[i_];
    if (c == '\'' || c == '"') return string_literal();
    if (c == '[') return sequence(']', depth);
    if (c == '(') return sequence(')', depth);
    if (c == '{') return dict(depth);
    if (word("True")) return nlohmann::json(true);
    if (word("False")) return nlohmann::json(false);
    if (word("None")) return nlohmann::json(nullptr);
    return number();
  }

  std::optional<nlohmann::json> string_literal() {
    char quote = s_[i_++];
    std::string out;
    while (i_ < s_.size() && s_[i_] != quote) {
      char c = s_[i_++];
      if (c == '\n') return std::nullopt;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) return std::nullopt;
      char e = s_[i_++];
      switch (e) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case '0':
          out += '\0';
          break;
        case '\\':
        case '\'':
        case '"':
          out += e;
          break;
        case 'x': {
          if (i_ + 2 > s_.size()) return std::nullopt;
          std::string hex(s_.substr(i_, 2));
          char* end = nullptr;
          long v = std::strtol(hex.c_str(), &end, 16);
          if (end != hex.c_str() + 2) return std::nullopt;
          out += static_cast<char>(v);
          i_ += 2;
          break;
        }
        default:
          out += '\\';
          out += e;
          break;  // Python keeps unknown escapes as written
      }
    }
    if (i_ >= s_.size()) return std::nullopt;
    ++i_;  // closing quote
    return nlohmann::json(std::move(out));
  }

  std::optional<nlohmann::json> sequence(char close, int depth) {
    ++i_;
    nlohmann::json out = nlohmann::json::array();
    while (true) {
      if (eat(close)) return out;
      auto v = value(depth + 1);
      if (!v) return std::nullopt;
      out.push_back(std::move(*v));
      if (eat(close)) return out;
      if (!eat(',')) return std::nullopt;
    }
  }

  std::optional<nlohmann::json> dict(int depth) {
    ++i_;
    nlohmann::json out = nlohmann::json::object();
    while (true) {
      if (eat('}')) return out;
      auto k = value(depth + 1);
      if (!k || !eat(':')) return std::nullopt;
      auto v = value(depth + 1);
      if (!v) return std::nullopt;
      out[k->is_string() ? k->get<std::string>() : k->dump()] = std::move(*v);
      if (eat('}')) return out;
      if (!eat(',')) return std::nullopt;
    }
  }

  std::optional<nlohmann::json> number() {
    std::size_t start = i_;
    if (i_ < s_.size() && (s_[i_] == '-' || s_[i_] == '+')) ++i_;
    bool digits = false, real = false;
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (std::isdigit(static_cast<unsigned char>(c))) {
        digits = true;
      } else if (c == '.' || c == 'e' || c == 'E') {
        real = true;
        if ((c == 'e' || c == 'E') && i_ + 1 < s_.size() &&
            (s_[i_ + 1] == '-' || s_[i_ + 1] == '+'))
          ++i_;
      } else {
        break;
      }
      ++i_;
    }
    if (!digits) return std::nullopt;
    std::string text(s_.substr(start, i_ - start));
    char* end = nullptr;
    if (!real) {
      errno = 0;
      long long v = std::strtoll(text.c_str(), &end, 10);
      if (end == text.c_str() + text.size() && errno == 0) return nlohmann::json(v);
    }
    double d = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size()) return std::nullopt;
    return nlohmann::json(d);
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace

std::optional<nlohmann::json> parse_python_literal(std::string_view text) {
  return Reader(text).whole();
}

}  // namespace baliza::transform
