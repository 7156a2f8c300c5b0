// Building blocks of OpenLineage 2-0-2 run events (https://openlineage.io/spec/2-0-2/
// OpenLineage.json) and the facets Baliza sends, each with its _producer and _schemaURL.
// Pure functions over nlohmann::json: no I/O, thread-safe.
//
// Naming (OpenLineage naming conventions): DuckDB tables are datasets in the namespace
// "duckdb://<absolute path of the database file>" named "schema.table" (as dbt-ol names DuckDB);
// an API endpoint is a dataset in the namespace "<scheme>://<host>[:port]" named by its path.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace baliza::lineage {

extern const char* const kOpenLineageProducer;

struct JobRef {
  std::string job_namespace;
  std::string name;
};

struct RunRef {
  std::string run_id;  // a UUID
  JobRef job;
};

// A random (version 4) UUID, "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".
std::string new_run_id();
// Now as ISO 8601 UTC with milliseconds, "2026-11-28T17:30:00.123Z".
std::string iso_now();

// "duckdb://" + the absolute, normalized path of `db_path`.
std::string duckdb_namespace(const std::string& db_path);
// {"https://pncp.gov.br", "/api/consulta/v1/contratos"} from a full URL (query dropped).
std::pair<std::string, std::string> http_dataset_name(const std::string& url);

// A facet object with _producer and _schemaURL set (schema: a facet file name such as
// "SchemaDatasetFacet", versioned as in the spec this build was checked against).
nlohmann::json facet(const std::string& schema);

// {eventType, eventTime, producer, schemaURL, run{runId, facets}, job{namespace, name, facets},
//  inputs, outputs}; facets objects may be empty.
nlohmann::json run_event(const std::string& event_type, const RunRef& run,
                         nlohmann::json run_facets, nlohmann::json job_facets,
                         nlohmann::json inputs, nlohmann::json outputs);

nlohmann::json dataset(const std::string& ns, const std::string& name,
                       nlohmann::json facets = nlohmann::json::object());

struct SchemaField {
  std::string name;
  std::string type;
  std::string description;
};
nlohmann::json schema_facet(const std::vector<SchemaField>& fields);
nlohmann::json parent_facet(const RunRef& parent, const std::optional<RunRef>& root = {});
nlohmann::json job_type_facet(const std::string& job_type);  // BATCH, integration BALIZA
nlohmann::json sql_facet(const std::string& query);          // dialect duckdb
nlohmann::json error_facet(const std::string& message);
nlohmann::json source_location_facet(const std::string& url);
nlohmann::json output_statistics_facet(std::int64_t rows, std::optional<std::int64_t> bytes = {});
nlohmann::json processing_engine_facet(const std::string& duckdb_version);

struct Assertion {
  std::string assertion;  // not_null, unique, accepted_values, ... or the singular test's name
  bool success = false;
  std::string column;  // empty: the whole dataset
  std::string severity;
  std::string name;  // the test node's name
};
nlohmann::json data_quality_facet(const std::vector<Assertion>& assertions);

}  // namespace baliza::lineage
