// The requests of the SQL-planned endpoints (plan/sql_planner.h: a purchase's items, an item's
// results) for a period, for `baliza dry-run`, `baliza plan` and the summary `run` / `demo`
// print when they start (plan/request_summary.h).
//
// Their tasks are rows of a query over staged data, so they are known only as far as the
// parents are staged:
//   - the query runs (what it reads exists): its rows of the period are counted exactly, as
//     plan_from_sql would plan them (dry run: nothing written): tasks, done, to fetch. An
//     unpaged endpoint (`paged: false`) makes exactly one request a task; a paged one makes
//     the requests its done tasks made on average (raw.api_requests + count reads in
//     meta.completeness_checks: pages, short pages asked again, the count), estimated, or at
//     least 1 a task without history;
//   - when the date-planned endpoints still have requests to make in the period
//     (`parents_pending`), the parents those requests will stage are not counted yet: the row
//     says so, with an estimate from this endpoint's own history (tasks per day of data_date,
//     over the days of the period the query yields nothing for, times requests per task);
//   - the query cannot run (nothing staged yet): the tasks are unknown until the date-planned
//     round has run; estimated from history the same way over the whole period, if there is any.
// Reads only; throws what plan_from_sql throws for a broken query (usage error naming it).
#pragma once

#include <string>
#include <vector>

#include "db/database.h"
#include "plan/endpoint_config.h"
#include "plan/request_summary.h"
#include "plan/window.h"

namespace baliza::plan {

// One row per SQL-planned endpoint among `endpoints` (empty = all), in endpoints.yaml order.
// `conn` null: no database yet (nothing known, no history).
std::vector<EndpointRequests> sql_endpoint_requests(Connection* conn, const EndpointsConfig& config,
                                                    const DateRange& range,
                                                    const std::vector<std::string>& endpoints,
                                                    bool parents_pending);

// Adds those rows to a summary of the date-planned endpoints (parents_pending from it).
void add_sql_endpoint_requests(RequestSummary& summary, Connection* conn,
                               const EndpointsConfig& config, const DateRange& range,
                               const std::vector<std::string>& endpoints);

}  // namespace baliza::plan
