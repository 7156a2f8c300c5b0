// Configuration of the PNCP simulator: data volume, data quality, fault injection and schema
// changes. Everything the simulator does is a pure function of these options (plus, for faults,
// the order of requests to one URL), so two simulators with equal options serve equal bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pncp_sim {

// Records per day for each record family, before the weekday and noise factors. A family feeds
// several endpoints (e.g. contratacoes feeds /publicacao, /atualizacao and /proposta).
struct VolumeConfig {
  double contratacoes_per_day = 60;  // split over modalidades 1..14 by realistic weights
  double contratos_per_day = 100;
  double atas_per_day = 20;
  double pca_per_day = 10;
  double instrumentos_per_day = 5;
  double scale = 1.0;            // multiplies every family
  double empty_day_rate = 0.05;  // share of days with no records at all (per family)
};

// Share of records with deliberately bad data, so that downstream quarantine can be tested.
struct QualityConfig {
  double invalid_cnpj_rate = 0.01;  // a CNPJ with wrong check digits
  double bad_value_rate = 0.005;    // a negative amount or an impossible calendar date
};

enum class FaultKind {
  rate_limit,       // 429, with Retry-After when retry_after_s >= 0
  server_error,     // status (500/502/503/504; 0 = pick one per request)
  slow,             // sleep delay_ms before answering normally
  reset,            // close the connection with a TCP reset, no response at all
  truncate,         // 200 whose body is cut: short body for its Content-Length, or cut JSON
  data_shift,       // after page 1 of a query is served, `count` new records appear in it
  fail_first,       // the first `count` requests of each distinct URL get `status` (default 503)
  short_page,       // 200 with `count` records (default 60%, at least one) cut from `data`,
                    // envelope unchanged; from a bare array (a purchase's items page) likewise
  throttle_page,    // 200 with the HTML "Limite de Requisições Excedido" page instead of data
  client_throttle,  // per client address: over `rps` (burst `burst`) -> 429 without
                    // Retry-After, or the HTML 200 throttle page with mode=html
  page_past_end,    // a page past totalPaginas answers 400 "Página N inexistente" (live API)
  wrong_count,      // a count (a 200 body that is one integer, .../itens/quantidade) answers its
                    // number plus `count` (negative: fewer; never below 0)
  garbage,          // 200 labelled JSON whose body is not JSON at all (a broken proxy, a bug)
};

// One fault rule. Decisions are deterministic: they depend on the seed, the rule's position,
// the exact request target and how many times that target was requested before.
struct FaultConfig {
  FaultKind kind = FaultKind::server_error;
  // "" = every endpoint, else a path such as "/v1/contratos", or a pattern whose {name}
  // segments match any one segment: "/pncp/v1/orgaos/{cnpj}/compras/{ano}/{sequencial}/itens"
  // (every purchase's items pages; .../itens/quantidade is another path).
  std::string endpoint;
  double rate = 1.0;       // probability per request (not used by data_shift / fail_first)
  int status = 0;          // server_error / fail_first status
  int retry_after_s = -1;  // rate_limit: Retry-After seconds, -1 = no header
  int delay_ms = 0;        // slow
  int count = 0;           // fail_first: requests to fail per URL; data_shift: records added
  bool cut_json = false;   // truncate: complete HTTP message with cut JSON (else short body)
  double rps = 0.5;        // client_throttle: sustained requests per second per client
  int burst = 1;           // client_throttle: bucket size
  bool html = false;       // client_throttle: throttle with the HTML 200 page instead of 429
  // Only requests whose target (path and query) contains one of these '|'-separated texts,
  // e.g. "dataInicial=20240103|dataInicial=20240105" for two failing days; "" = all. Not
  // used by data_shift.
  std::string match;
};

enum class SchemaChangeKind {
  rename,  // field -> new_name
  add,     // new field `field` with a string value
  retype,  // non-string values become strings; strings become one-element arrays
};

// From `from_yyyymmdd` on (by the record's publication day) records of the endpoint's family
// change shape. `field` may be a dotted path into nested objects ("orgaoEntidade.cnpj").
struct SchemaChange {
  SchemaChangeKind kind = SchemaChangeKind::rename;
  std::string endpoint;  // "" = every family, else any path of the family ("/v1/contratos")
  std::string from_yyyymmdd;
  std::string field;
  std::string new_name;  // rename only
};

struct Options {
  uint64_t seed = 42;
  std::string host = "127.0.0.1";
  int port = 0;       // 0 = an ephemeral port, see Simulator::port()
  std::string today;  // yyyyMMdd; "" = the current date in Brasilia. Days after it are empty.
  VolumeConfig volume;
  QualityConfig quality;
  std::vector<FaultConfig> faults;
  std::vector<SchemaChange> schema_changes;
  // The state of the data: 0 = as published; each revision r >= 1 changes some recent purchases
  // (a later dataAtualizacaoGlobal, one more item) and revision 1 removes some (404): what a
  // second run over the same period meets (universe.cpp, itens.h).
  int revision = 0;
  double revised_rate = 0.05;  // share of recent purchases each revision changes
  double removed_rate = 0.01;  // share of recent purchases revision 1 removes
  int threads = 8;
  int keep_alive_timeout_s = 2;
  size_t cache_records = 200000;  // bound of the generated-record cache
};

// Parses a fault spec "kind[:key=value,...]" as taken by `pncp-sim --fault`.
// kinds: 429|rate_limit, 5xx|server_error, slow, reset, truncate, shift|data_shift, fail_first,
//        short|short_page, html200|throttle_page, client_throttle, past_end|page_past_end,
//        wrong_count, garbage.
// keys: endpoint, rate, status, retry_after, delay_ms, count, rps, burst, match,
//       mode=short_body|cut_json|html.
// data_shift with a negative count removes records instead (the data shrinks).
// Throws std::invalid_argument with a message naming the bad part.
FaultConfig parse_fault(const std::string& spec);

// Parses "rename|add|retype:endpoint=/v1/contratos,from=20240115,field=a.b,to=newName".
SchemaChange parse_schema_change(const std::string& spec);

// The effective "today" of the options as yyyyMMdd (resolves "" to the current Brasilia date).
std::string effective_today(const Options& options);

}  // namespace pncp_sim
