#include "extract/throttle_page.h"

#include <algorithm>
#include <cctype>

namespace baliza::extract {
namespace {

bool contains_ascii_nocase(std::string_view haystack, std::string_view needle) {
  const auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                              [](char a, char b) {
                                return std::tolower(static_cast<unsigned char>(a)) ==
                                       std::tolower(static_cast<unsigned char>(b));
                              });
  return it != haystack.end();
}

}  // namespace

bool looks_like_html(std::string_view body) {
  const auto first = body.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && body[first] == '<';
}

bool is_throttle_page(std::string_view body) {
  if (!looks_like_html(body)) return false;
  // "Requisições" is matched up to its accents, which may be UTF-8, Latin-1 or entities.
  return contains_ascii_nocase(body, "limite de requisi") ||
         contains_ascii_nocase(body, "too many requests") ||
         contains_ascii_nocase(body, "rate limit");
}

}  // namespace baliza::extract
