// Recognizes the PNCP's other way of throttling: an HTML page ("Limite de Requisições
// Excedido") served with status 200 where a JSON page was expected. Such a body is throttling,
// to be backed off and retried like a 429: never data, never a failed page.
#pragma once

#include <string_view>

namespace baliza::extract {

// True when `body` starts (after whitespace) like markup: '<'.
bool looks_like_html(std::string_view body);

// True for an HTML body that says the client sent too many requests: it mentions "Limite de
// Requisi..." (any accents or case), "Too Many Requests" or "rate limit".
bool is_throttle_page(std::string_view body);

}  // namespace baliza::extract
