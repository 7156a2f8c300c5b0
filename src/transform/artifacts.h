// dbt-shaped artifacts in <project>/target: manifest.json and run_results.json, with the
// fields tools that read dbt artifacts use (metadata.dbt_schema_version, nodes with unique_id,
// resource_type, fqn, depends_on.nodes, config, checksum, raw_code, compiled_code, columns,
// tags, original_file_path; sources; parent_map; child_map; results with status, timing,
// thread_id, execution_time, adapter_response.rows_affected, message, failures).
// Each node also carries `unrendered_config.baliza_state_checksum` (transform/state.h), read by
// `--state` for state:modified. Files are written to a temp file and renamed.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "transform/dag.h"
#include "transform/runner.h"

namespace baliza::transform {

// `compiled`: unique_id -> compiled SQL, for the nodes that have it.
nlohmann::json manifest_json(const Project& project, const Dag& dag,
                             const std::map<std::string, std::string>& compiled,
                             const std::string& invocation_id);

// `project` (optional) gives each result its relation_name.
nlohmann::json run_results_json(const RunSummary& summary, const std::string& command_line,
                                const Project* project = nullptr);

// Writes `doc` to `path` through `path`.tmp + rename (the folder is created).
void write_json_file(const std::filesystem::path& path, const nlohmann::json& doc);

// unique_id -> state checksum from a manifest written by a previous run. Throws usage_error
// when the file is missing or is not a manifest.
std::map<std::string, std::string> read_state_checksums(const std::filesystem::path& manifest);

// "2024-01-02 03:04:05.123456" -> "2024-01-02T03:04:05.123456Z"
std::string iso_timestamp(const std::string& utc);

}  // namespace baliza::transform
