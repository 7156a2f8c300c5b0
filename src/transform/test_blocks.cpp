#include "transform/test_blocks.h"

#include <cctype>

namespace baliza::transform {
namespace {

// At `i` (just after "{%" and an optional '-'), skip blanks; if the next word is `word` followed
// by a non-identifier character, return the offset just after it, else npos.
std::size_t keyword_after(const std::string& t, std::size_t i, const char* word) {
  while (i < t.size() && std::isspace(static_cast<unsigned char>(t[i]))) ++i;
  std::string w = word;
  if (t.compare(i, w.size(), w) != 0) return std::string::npos;
  std::size_t end = i + w.size();
  if (end < t.size() && (std::isalnum(static_cast<unsigned char>(t[end])) || t[end] == '_'))
    return std::string::npos;
  return end;
}

}  // namespace

std::string rewrite_test_blocks(const std::string& text) {
  if (text.find("test") == std::string::npos) return text;
  std::string out;
  out.reserve(text.size() + 64);
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t open = text.find("{%", i);
    if (open == std::string::npos) break;
    std::size_t after = open + 2;
    if (after < text.size() && text[after] == '-') ++after;
    out.append(text, i, after - i);
    if (std::size_t k = keyword_after(text, after, "test"); k != std::string::npos) {
      // "{% test name(" -> "{% macro test_name("
      std::size_t name = k;
      while (name < text.size() && std::isspace(static_cast<unsigned char>(text[name]))) ++name;
      out.append(text, after, k - 4 - after);  // blanks before the keyword
      out += "macro test_";
      i = name;
    } else if (std::size_t e = keyword_after(text, after, "endtest"); e != std::string::npos) {
      out.append(text, after, e - 7 - after);
      out += "endmacro";
      i = e;
    } else {
      i = after;
    }
  }
  out.append(text, i, std::string::npos);
  return out;
}

}  // namespace baliza::transform
