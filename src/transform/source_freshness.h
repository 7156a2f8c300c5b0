// dbt's source freshness: which sources have a freshness policy (merged as dbt merges it), how
// fresh each one is, and the sources.json (v3) artifact.
//
// Policy. A threshold is {warn_after: {count, period}, error_after: {count, period}, filter};
// period is minute, hour or day. It is merged, in dbt's order, from dbt_project.yml's
// `sources: {+freshness: ...}`, the source's `freshness:`, the source's `config: {freshness:}`,
// the table's `freshness:` and the table's `config: {freshness:}`. An absent layer changes
// nothing; `freshness: null` removes everything merged so far; warn_after / error_after are
// replaced only by a complete {count, period} (or removed by null); filter replaces the filter.
// A source has freshness when the result has a complete warn_after or error_after.
// loaded_at_field (and loaded_at_query) is the table's (even an explicit null), else the
// source's, each with its config: value first.
//
// Check. `select max(<loaded_at_field>) from <relation> [where <filter>]` (or the
// loaded_at_query), a naive timestamp taken as UTC, a date as its midnight UTC; age =
// now - max_loaded_at in seconds. Status: error when error_after is exceeded (age > count *
// period), else warn when warn_after is, else pass; "runtime error" when the query fails, the
// source has no loaded_at_field, or the max is null (no rows). dbt's exit code follows: 1 when
// any source is error or runtime error, else 0.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "db/database.h"
#include "transform/node.h"

namespace baliza::transform {

// What is wrong with a freshness value as written (null is fine: it removes the policy), or
// nullopt. Used by the yml and dbt_project.yml readers, which add file:line.
std::optional<std::string> freshness_problem(const nlohmann::json& value);

// dbt's merge of the layers, outer first; a null pointer is an absent layer. The result is
// null (no policy) or a threshold object with warn_after, error_after and filter keys.
nlohmann::json merge_freshness(const std::vector<const nlohmann::json*>& layers);

// True when a merged threshold has a complete warn_after or error_after.
bool has_freshness(const nlohmann::json& threshold);

struct FreshnessResult {
  std::string unique_id;
  std::string name;            // source_name.table
  std::string status;          // pass, warn, error, runtime error
  std::string error;           // runtime error only
  std::string max_loaded_at;   // ISO 8601 UTC ("2024-05-01T10:00:00+00:00")
  std::string snapshotted_at;  // ISO 8601 UTC
  double age_seconds = 0;
  nlohmann::json criteria;  // the merged threshold
  std::string started_at, completed_at;
  double execution_time = 0;
};

// Checks one source node (its merged policy is in source_extra["freshness"]); `relation` is
// its SQL relation. Never throws for a database error: that is a runtime error result.
FreshnessResult check_source_freshness(Connection& conn, const Node& source,
                                       const std::string& relation);

// sources.json (dbt's FreshnessExecutionResultArtifact v3).
nlohmann::json sources_json(const std::vector<FreshnessResult>& results,
                            const std::string& invocation_id, const std::string& started_at,
                            double elapsed_seconds);

}  // namespace baliza::transform
