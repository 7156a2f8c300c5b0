#include "lineage/openlineage_event.h"

#include <chrono>
#include <ctime>
#include <filesystem>
#include <map>
#include <random>

namespace baliza::lineage {

const char* const kOpenLineageProducer =
    "https://github.com/baliza-data/baliza/tree/v" BALIZA_VERSION;

namespace {

const char* const kEventSchema =
    "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";

// The facet versions of the spec Baliza's events are validated against (tests/e2e).
const std::map<std::string, std::string>& facet_versions() {
  static const std::map<std::string, std::string> v = {
      {"ColumnLineageDatasetFacet", "1-2-0"},
      {"DataQualityAssertionsDatasetFacet", "1-1-0"},
      {"ErrorMessageRunFacet", "1-0-1"},
      {"JobTypeJobFacet", "2-0-4"},
      {"OutputStatisticsOutputDatasetFacet", "1-0-2"},
      {"ParentRunFacet", "1-2-0"},
      {"SQLJobFacet", "1-1-0"},
      {"SchemaDatasetFacet", "1-2-0"},
      {"SourceCodeLocationJobFacet", "1-1-0"},
      {"ProcessingEngineRunFacet", "1-1-1"},
      {"DatasourceDatasetFacet", "1-0-1"},
      {"NominalTimeRunFacet", "1-0-1"},
  };
  return v;
}

}  // namespace

std::string new_run_id() {
  thread_local std::mt19937_64 rng{
      std::random_device{}() ^
      static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count())};
  std::uint64_t hi = rng(), lo = rng();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 10
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

std::string iso_now() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

std::string duckdb_namespace(const std::string& db_path) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::weakly_canonical(db_path, ec);
  if (ec) p = std::filesystem::absolute(db_path, ec).lexically_normal();
  return "duckdb://" + p.string();
}

std::pair<std::string, std::string> http_dataset_name(const std::string& url) {
  std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return {"http://unknown", url};
  std::size_t path_start = url.find('/', scheme_end + 3);
  std::string ns = url.substr(0, path_start);
  std::string path = path_start == std::string::npos ? "/" : url.substr(path_start);
  path = path.substr(0, path.find_first_of("?#"));
  return {ns, path};
}

nlohmann::json facet(const std::string& schema) {
  auto it = facet_versions().find(schema);
  std::string version = it == facet_versions().end() ? "1-0-0" : it->second;
  return {{"_producer", kOpenLineageProducer},
          {"_schemaURL", "https://openlineage.io/spec/facets/" + version + "/" + schema +
                             ".json#/$defs/" + schema}};
}

nlohmann::json run_event(const std::string& event_type, const RunRef& run,
                         nlohmann::json run_facets, nlohmann::json job_facets,
                         nlohmann::json inputs, nlohmann::json outputs) {
  return {{"eventType", event_type},
          {"eventTime", iso_now()},
          {"producer", kOpenLineageProducer},
          {"schemaURL", kEventSchema},
          {"run", {{"runId", run.run_id}, {"facets", std::move(run_facets)}}},
          {"job",
           {{"namespace", run.job.job_namespace},
            {"name", run.job.name},
            {"facets", std::move(job_facets)}}},
          {"inputs", std::move(inputs)},
          {"outputs", std::move(outputs)}};
}

nlohmann::json dataset(const std::string& ns, const std::string& name, nlohmann::json facets) {
  return {{"namespace", ns}, {"name", name}, {"facets", std::move(facets)}};
}

nlohmann::json schema_facet(const std::vector<SchemaField>& fields) {
  nlohmann::json f = facet("SchemaDatasetFacet");
  nlohmann::json list = nlohmann::json::array();
  int ordinal = 0;
  for (const SchemaField& field : fields) {
    nlohmann::json j = {
        {"name", field.name}, {"type", field.type}, {"ordinal_position", ++ordinal}};
    if (!field.description.empty()) j["description"] = field.description;
    list.push_back(std::move(j));
  }
  f["fields"] = std::move(list);
  return f;
}

nlohmann::json parent_facet(const RunRef& parent, const std::optional<RunRef>& root) {
  nlohmann::json f = facet("ParentRunFacet");
  f["run"] = {{"runId", parent.run_id}};
  f["job"] = {{"namespace", parent.job.job_namespace}, {"name", parent.job.name}};
  const RunRef& r = root ? *root : parent;
  f["root"] = {{"run", {{"runId", r.run_id}}},
               {"job", {{"namespace", r.job.job_namespace}, {"name", r.job.name}}}};
  return f;
}

nlohmann::json job_type_facet(const std::string& job_type) {
  nlohmann::json f = facet("JobTypeJobFacet");
  f["processingType"] = "BATCH";
  f["integration"] = "BALIZA";
  f["jobType"] = job_type;
  return f;
}

nlohmann::json sql_facet(const std::string& query) {
  nlohmann::json f = facet("SQLJobFacet");
  f["query"] = query;
  f["dialect"] = "duckdb";
  return f;
}

nlohmann::json error_facet(const std::string& message) {
  nlohmann::json f = facet("ErrorMessageRunFacet");
  f["message"] = message;
  f["programmingLanguage"] = "SQL";
  return f;
}

nlohmann::json source_location_facet(const std::string& url) {
  nlohmann::json f = facet("SourceCodeLocationJobFacet");
  f["type"] = "file";
  f["url"] = url;
  return f;
}

nlohmann::json output_statistics_facet(std::int64_t rows, std::optional<std::int64_t> bytes) {
  nlohmann::json f = facet("OutputStatisticsOutputDatasetFacet");
  f["rowCount"] = rows;
  if (bytes) f["size"] = *bytes;
  return f;
}

nlohmann::json processing_engine_facet(const std::string& duckdb_version) {
  nlohmann::json f = facet("ProcessingEngineRunFacet");
  f["version"] = duckdb_version;
  f["name"] = "duckdb";
  f["openlineageAdapterVersion"] = BALIZA_VERSION;
  return f;
}

nlohmann::json data_quality_facet(const std::vector<Assertion>& assertions) {
  nlohmann::json f = facet("DataQualityAssertionsDatasetFacet");
  nlohmann::json list = nlohmann::json::array();
  for (const Assertion& a : assertions) {
    nlohmann::json j = {{"assertion", a.assertion}, {"success", a.success}};
    if (!a.column.empty()) j["column"] = a.column;
    if (!a.severity.empty()) j["severity"] = a.severity;
    if (!a.name.empty()) j["name"] = a.name;
    list.push_back(std::move(j));
  }
  f["assertions"] = std::move(list);
  return f;
}

}  // namespace baliza::lineage
