// Page parsing benchmark: what the record hashes (repeated records across pages, see
// docs/hostile-servers.md) add to reading a page. Plain main; prints a Markdown table that
// bench/results/hostile.md records.
//
// A realistic contratos page: the recorded live record (shared/pncp/samples) repeated with a
// distinct sequential number, 500 records a page (~1 MB). Timed, best of 5 rounds of N parses:
//   - validate + count: simdjson parse and `data` size only (what reading a page costs without
//     the hashes);
//   - parse_page_envelope: the envelope as extraction reads it now (numbers, record hashes).
//
//   build/bench/bench_page_parse [records=500] [parses=200]
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "extract/page_envelope.h"

namespace {

std::string realistic_page(int records) {
  std::ifstream in(std::string(BALIZA_SHARED_DIR) + "/pncp/samples/contratos_page_sample.json");
  std::stringstream s;
  s << in.rdbuf();
  simdjson::dom::parser parser;
  const std::string text = s.str();
  simdjson::dom::element root = parser.parse(text);
  const std::string record = simdjson::minify(root["data"].at(0));
  std::string data;
  for (int i = 0; i < records; ++i) {
    std::string r = record;
    const auto at = r.find("\"sequencialContrato\":");
    if (at != std::string::npos) {
      const auto end = r.find(',', at);
      r.replace(at, end - at, "\"sequencialContrato\":" + std::to_string(i));
    }
    data += (i ? "," : "") + r;
  }
  return "{\"data\":[" + data + "],\"totalRegistros\":" + std::to_string(records) +
         ",\"totalPaginas\":1,\"numeroPagina\":1,\"paginasRestantes\":0,\"empty\":false}";
}

template <class F>
double best_seconds(int rounds, int parses, F&& f) {
  double best = 1e30;
  for (int r = 0; r < rounds; ++r) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < parses; ++i) f();
    const std::chrono::duration<double> d = std::chrono::steady_clock::now() - start;
    best = std::min(best, d.count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const int records = argc > 1 ? std::atoi(argv[1]) : 500;
  const int parses = argc > 2 ? std::atoi(argv[2]) : 200;
  const std::string page = realistic_page(records);
  std::size_t sink = 0;
  simdjson::dom::parser parser;
  const double plain = best_seconds(5, parses, [&] {
    simdjson::dom::element root = parser.parse(page.data(), page.size(), true);
    sink += simdjson::dom::array(root["data"]).size();
  });
  const double full = best_seconds(5, parses, [&] {
    const auto p = baliza::extract::parse_page_envelope(page);
    sink += p.envelope.record_hashes.size();
  });
  const double mb = static_cast<double>(page.size()) / 1e6;
  std::printf("page: %d records, %.2f MB; %d parses, best of 5 (sink %zu)\n\n", records, mb, parses,
              sink);
  std::printf("| read | ms per page | MB/s |\n|---|---|---|\n");
  std::printf("| validate + count (no hashes) | %.2f | %.0f |\n", plain * 1e3 / parses,
              mb * parses / plain);
  std::printf("| parse_page_envelope (numbers + record hashes) | %.2f | %.0f |\n",
              full * 1e3 / parses, mb * parses / full);
  std::printf("\nthe hashes add %.2f ms per page (%.0f%%)\n", (full - plain) * 1e3 / parses,
              (full / plain - 1) * 100);
  return 0;
}
