// Tasks planned from SQL over staged data: the endpoints whose tasks are records already
// staged (EndpointConfig::from_sql), such as the items of each purchase
// (/v1/orgaos/{cnpj}/compras/{ano}/{sequencial}/itens) and each item's results.
//
// For each SQL-planned endpoint the query's rows of the period (data_date or changed_on in the
// range) become tasks: params = the row's path parameters and extra columns as a canonical
// JSON object, plus `_versao` = the row's version (never sent: plan/page_url.h); window = the
// row's data_date; task_id = make_task_id(endpoint, that day, params). So:
//   - a parent never fetched gets a new pending task;
//   - a parent whose version is unchanged keeps its task (done stays done: not fetched again);
//   - a parent whose version changed gets a new task, and its older version's task is taken
//     out of the plan (removed_at set, status kept if done, else 'removed'; an event
//     'superseded'): the old pages stay in the raw store, staging reads the newest version;
//   - parents the query no longer yields are left alone (the planner never deletes: a removed
//     parent is reported by the project's models, not by silence here).
// A query that fails because what it reads does not exist yet (nothing staged) skips the
// endpoint with the reason; any other SQL error is a usage error naming the endpoint's
// from_sql in endpoints.yaml. A row without one of the path parameters is skipped and
// counted. Everything is written in one transaction (none with dry_run).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "db/database.h"
#include "plan/endpoint_config.h"
#include "plan/window.h"

namespace baliza::plan {

struct SqlPlanRequest {
  DateRange range;
  std::vector<std::string> endpoints;  // SQL-planned endpoints; empty = every enabled one
};

struct SqlEndpointPlan {
  std::string endpoint;
  std::int64_t parents = 0;     // rows the query yields for the period
  std::int64_t incomplete = 0;  // rows without a path parameter (skipped)
  std::int64_t added = 0;       // new tasks: a parent not fetched yet, or a new version
  std::int64_t superseded = 0;  // older versions' tasks taken out of the plan
  std::int64_t done = 0;        // parents already fetched at their current version
  std::int64_t pending = 0;     // tasks of the period left to fetch
  std::int64_t failed = 0;      // tasks of the period that failed or ended partial
  std::string skipped;          // why the endpoint was not planned ("" = planned)
};

struct SqlPlanResult {
  std::vector<SqlEndpointPlan> endpoints;
  std::vector<std::string> pending_task_ids;  // what an extraction of this plan claims
};

// The SQL-planned endpoints of `config`, in declaration order (enabled ones only).
std::vector<std::string> sql_planned_endpoints(const EndpointsConfig& config);

SqlPlanResult plan_from_sql(Connection& conn, const EndpointsConfig& config,
                            const SqlPlanRequest& request, bool dry_run, const std::string& run_id);

// One line per endpoint: parents, new, superseded, done, pending (or why it was skipped).
std::string describe_sql_plan(const SqlPlanResult& result);

}  // namespace baliza::plan
