// endpoints.yaml: which API paths a project extracts, how each is split into tasks, and the
// extraction defaults (concurrency, rate limit, retry, circuit breaker, timeouts, claim TTL).
//
// Parsing validates everything up front: unknown keys, missing required keys, bad values and
// inconsistent combinations throw baliza::usage_error whose message names the value, the
// endpoint, file:line:column (1-based) and how to fix it, e.g.
//   "page_size 600 for contratos at endpoints.yaml:14:16 is above the API limit 500; use 10..500"
//
// Configs are layered: the built-in project (embedded in the binary) first, then a user
// project's endpoints.yaml. A later layer replaces the endpoint keys it sets (an endpoint is
// matched by name; a new name is appended), `defaults` keys (nested ones by their full path,
// e.g. retry.max_attempts) and top-level keys. Validation runs on the merged result, and every
// error points into the file that supplied the offending key.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "plan/window.h"

namespace baliza::plan {

// One YAML document to parse: its text and the name used in messages (a path, or
// "<builtin>/pncp/endpoints.yaml" for the embedded project).
struct ConfigSource {
  std::string display_name;
  std::string text;
};

// Query parameters that carry the window's dates. Either start+end, end only (a single date,
// like contratacoes/proposta's dataFinal), or year (the window's year as yyyy, like anoPca).
struct DateParams {
  std::string start;  // e.g. dataInicial; empty when absent
  std::string end;    // e.g. dataFinal; empty when absent
  std::string year;   // e.g. anoPca; empty when absent
};

// A parameter whose values multiply the tasks of each window (PNCP: codigoModalidadeContratacao
// 1..14). Values are kept as text; `integer` says they are all canonical integers, so they are
// written as JSON numbers in task params.
struct FanOut {
  std::string param;
  std::vector<std::string> values;
  bool integer = false;
};

// A constant query parameter; value_is_integer as for FanOut.
struct ConstParam {
  std::string name;
  std::string value;
  bool value_is_integer = false;
};

// Tasks planned from SQL over staged data (plan/sql_planner.h) instead of date windows: each
// row of `query` is one task. Its columns: one per {name} of the endpoint's path (the path
// parameters), `data_date` (DATE: the day the task belongs to, e.g. the purchase's
// publication), and optionally `version` (text: the parent's change signal; a new version is a
// new task, the old one is superseded), `changed_on` (DATE: the day of that change; a parent
// is in a period when data_date or changed_on falls in it) and further columns that become
// query parameters.
struct FromSql {
  std::string query;
  std::vector<std::string> after;  // models built before the query runs (`baliza run`)
  std::string location;            // file:line:column of the from_sql entry
};

struct EndpointConfig {
  std::string name;  // snake_case, unique
  std::string path;  // e.g. /v1/contratacoes/publicacao
  std::string description;
  std::string base_url;  // the top-level base_url unless the endpoint sets its own
  bool enabled = true;
  std::string reason;  // why it is disabled (required when enabled is false)
  Window window = Window::kDay;
  // Volume-planned windows (plan/volume_windows.h): with max_window month, a `window: day`
  // endpoint's days are asked together, up to a calendar month, as far as the records expected
  // from history fill at most defaults.window_target_pages pages. kDay: one task per day.
  Window max_window = Window::kDay;
  DateParams date_params;
  DateFormat date_format = DateFormat::kCompact;
  std::string page_param;       // e.g. pagina; empty with `paged: false` (one request a task)
  std::string page_size_param;  // e.g. tamanhoPagina; empty with `paged: false`
  int page_size = 0;
  int page_size_min = 0;  // what the API accepts for this endpoint
  int page_size_max = 0;
  std::optional<FanOut> fan_out;
  std::vector<ConstParam> params;            // sorted by name
  std::vector<std::string> required_params;  // must be supplied by date params, fan-out or params
  bool data_final_min_today = false;         // API rejects an end date before today
  std::vector<int> empty_statuses;           // HTTP statuses that mean "no records"
  // Re-requests of a page that came back short (extract/task_state.h) before it is stored as
  // it is and the task ends partial; defaults.short_page_retries unless the endpoint sets it.
  int short_page_retries = 3;
  std::string location;             // file:line:column of the endpoint's entry
  std::optional<FromSql> from_sql;  // planned from staged data, not by date
  // `body: array`: a page is a bare JSON array of records (no envelope, no totals): a page
  // shorter than page_size is the last one (extract/task_state.h).
  bool array_body = false;
  // `count_path` (with body: array): a path under the same base_url whose answer is the number
  // of records the task's pages must hold, a bare JSON integer (a purchase's
  // .../itens/quantidade). The extractor reads it once a task's pages are stored (its closing
  // read, extract/task_state.h): a task is done only when its stored records equal the count;
  // a shorter page is asked again. Empty: such a task cannot prove it is complete.
  std::string count_path;
  // `expect_records: true`: every task's parent says it has records (the from_sql query picks
  // only such parents: an item with temResultado). An empty answer (204, or 200 with []) is
  // then asked again like a short page and, still empty, the task ends partial (not proved);
  // a 404 still means the parent is gone.
  bool expect_records = false;
  // base_url as written when it is relative to the top-level base_url ("../pncp"): the
  // extractor resolves it again against a --base-url override (plan/base_url.h).
  std::string base_url_ref;
};

// Pacing per host. The rate starts at requests_per_second; with floor < ceiling it adapts to the
// API's answers within [floor, ceiling] (extract/adaptive_pacer.h), else it stays fixed.
// floor and ceiling apply only when set in the same file as requests_per_second or a later
// one: a project that sets requests_per_second alone gets exactly that rate.
struct RateLimit {
  double requests_per_second = 0;  // per host, at the start
  int burst = 0;
  double floor = 0;    // 0: fixed at requests_per_second
  double ceiling = 0;  // 0: fixed at requests_per_second
  bool adaptive() const { return floor > 0 && ceiling > floor; }
};

struct RetryPolicy {
  int max_attempts = 0;  // including the first try
  int base_backoff_ms = 0;
  int max_backoff_ms = 0;
  std::vector<int> on_statuses;  // HTTP statuses worth retrying
};

struct CircuitBreakerPolicy {
  int failure_threshold = 0;  // consecutive failures that open the circuit
  int open_seconds = 0;       // how long it stays open before probing
  int half_open_probes = 0;   // successful probes needed to close it again
};

struct Timeouts {
  int connect_seconds = 0;
  int request_seconds = 0;
};

struct ExtractDefaults {
  int concurrency = 0;
  RateLimit rate_limit;
  RetryPolicy retry;
  CircuitBreakerPolicy circuit_breaker;
  Timeouts timeouts;
  int claim_ttl_seconds = 0;
  // Done tasks whose window ends within this many days of today are checked again by the next
  // extraction (their total read again, what grew fetched): days close to today keep receiving
  // records. 0 = never.
  int recheck_days = 0;
  int page_size_min = 0;  // the API-wide page size limits every endpoint must respect
  int page_size_max = 0;
  // A window merged from several days is expected to fill at most this many pages (a day is
  // asked alone whatever its volume). Bounds what a data shift or a recheck pages again.
  int window_target_pages = 20;
  // Re-requests of a short page (the live API's silent short pages), for every endpoint that
  // does not set its own. Optional: 3 when absent.
  int short_page_retries = 3;
};

struct EndpointsConfig {
  std::vector<std::string> sources;  // display names of the layers, in merge order
  std::string base_url;
  ExtractDefaults defaults;
  std::vector<EndpointConfig> endpoints;  // in declaration order (built-in first)

  // nullptr if no endpoint has that name.
  const EndpointConfig* find(std::string_view name) const;
};

// Parses, merges (later layers override earlier ones) and validates. Throws usage_error.
EndpointsConfig parse_endpoints(const std::vector<ConfigSource>& layers);
EndpointsConfig parse_endpoints(std::string_view text, const std::string& display_name);
// Reads a file (environment_error if unreadable) and parses it alone.
EndpointsConfig load_endpoints_file(const std::string& path);
// Reads a file into a ConfigSource named by its path (for layering over the built-in).
ConfigSource read_config_source(const std::string& path);

// The embedded projects/pncp/endpoints.yaml, named "<builtin>/pncp/endpoints.yaml".
ConfigSource builtin_pncp_endpoints();

// Canonical text of the resolved config (JSON, sorted keys, endpoints sorted by name, defaults
// filled in). Comments, key order and values spelled differently (50 vs "50") do not change it.
std::string normalized_text(const EndpointsConfig& config);
// sha256 hex of normalized_text(config).
std::string config_fingerprint(const EndpointsConfig& config);

}  // namespace baliza::plan
