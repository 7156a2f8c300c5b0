// The URL of one page of a task: base_url + path + the task's params (in their canonical,
// sorted order) + page_param=<page> + page_size_param=<page_size>, values percent-encoded.
// A param named like a {placeholder} of the path fills it (percent-encoded) instead of
// going to the query; a param whose name starts with '_' (a SQL-planned task's `_versao`,
// plan/sql_planner.h) is kept with the task but never sent. A placeholder no param fills is
// a failure naming it.
// With this the extractor needs no endpoint knowledge beyond the stored task row.
#pragma once

#include <string>
#include <string_view>

#include "plan/endpoint_config.h"
#include "plan/task_planner.h"

namespace baliza::plan {

// Throws usage_error if the endpoint is not in `config` (e.g. a plan made with another config)
// and failure if params is not a flat JSON object of strings and numbers; page must be >= 1.
std::string page_url(const EndpointsConfig& config, std::string_view endpoint_name,
                     std::string_view params_json, int page);
std::string page_url(const EndpointsConfig& config, const Task& task, int page);

// The URL of a task's count (EndpointConfig::count_path): base_url + count_path filled from the
// params + the params that are not path parameters, without paging. Throws failure when the
// endpoint has no count_path.
std::string count_url(const EndpointsConfig& config, std::string_view endpoint_name,
                      std::string_view params_json);

// RFC 3986 percent-encoding of everything but unreserved characters.
std::string url_encode(std::string_view text);

}  // namespace baliza::plan
