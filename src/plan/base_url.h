// Base URLs written relative to the top-level base_url in endpoints.yaml. The PNCP's items and
// results live in its maintenance API (https://pncp.gov.br/api/pncp), beside the consultation
// API (https://pncp.gov.br/api/consulta): an endpoint says `base_url: ../pncp`, and a
// --base-url override (the simulator, a proxy) moves both together.
#pragma once

#include <string>
#include <string_view>

namespace baliza::plan {

// "../x", "./x" or "x" without a scheme; an absolute URL ("https://...") is not relative.
bool is_relative_base_url(std::string_view url);

// `ref` resolved against `base` as a folder: each leading "../" drops base's last path segment
// (never its scheme and host), "./" is ignored, the rest is appended with one '/'.
// resolve_base_url("https://pncp.gov.br/api/consulta", "../pncp") ==
//   "https://pncp.gov.br/api/pncp". An absolute `ref` is returned as it is.
std::string resolve_base_url(std::string_view base, std::string_view ref);

}  // namespace baliza::plan
