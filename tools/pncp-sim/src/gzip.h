// gzip at zlib's fastest level, for response bodies. httplib compresses at the default level,
// which on a 2-core machine made the simulator, not the client under test, the bottleneck of
// every benchmark (40% of all CPU); level 1 costs a fraction and still shrinks JSON ~8x.
#pragma once

#include <string>
#include <string_view>

namespace pncp_sim::detail {

std::string gzip_fast(std::string_view data);

// True when the request's Accept-Encoding offers gzip; removes gzip from it, so that httplib
// does not compress the body a second time.
bool take_gzip(std::string& accept_encoding);

}  // namespace pncp_sim::detail
