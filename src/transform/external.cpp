#include "transform/external.h"

#include <filesystem>

#include "core/error.h"

namespace baliza::transform {
namespace {

std::string config_string(const Node& n, const char* key) {
  if (!n.config.extra.is_object()) return "";
  auto it = n.config.extra.find(key);
  return it != n.config.extra.end() && it->is_string() ? it->get<std::string>() : "";
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

MaterializeResult build_external(Connection& conn, const Node& model, const std::string& schema,
                                 const std::string& name, const std::string& sql,
                                 RelationCatalog* catalog) {
  std::string format = config_string(model, "format");
  std::string location = config_string(model, "location");
  if (format.empty()) {
    format = ends_with(location, ".csv")    ? "csv"
             : ends_with(location, ".json") ? "json"
                                            : "parquet";
  }
  if (format != "parquet" && format != "csv" && format != "json") {
    throw usage_error("model " + model.name +
                      ": external format must be parquet, csv or json; "
                      "got '" +
                      format + "'");
  }
  if (location.empty()) location = name + "." + format;
  for (std::size_t at; (at = location.find("{name}")) != std::string::npos;)
    location.replace(at, 6, name);
  std::vector<std::string> partitions;
  if (model.config.extra.is_object() && model.config.extra.contains("partition_by")) {
    const nlohmann::json& p = model.config.extra["partition_by"];
    if (p.is_string()) partitions.push_back(p.get<std::string>());
    if (p.is_array())
      for (const auto& c : p) partitions.push_back(c.get<std::string>());
  }
  std::string options = "FORMAT " + format;
  if (!partitions.empty()) {
    options += ", PARTITION_BY (";
    for (std::size_t i = 0; i < partitions.size(); ++i)
      options += (i ? ", " : "") + quote_identifier(partitions[i]);
    options += "), OVERWRITE_OR_IGNORE true";
  }
  std::string delimiter = config_string(model, "delimiter");
  if (format == "csv") {
    options += ", HEADER true";
    if (!delimiter.empty()) options += ", DELIMITER " + quote_literal(delimiter);
  }
  // COPY does not create missing parent folders.
  if (location.find("://") == std::string::npos) {
    std::filesystem::path folder = partitions.empty()
                                       ? std::filesystem::path(location).parent_path()
                                       : std::filesystem::path(location);
    std::error_code ec;
    if (!folder.empty()) std::filesystem::create_directories(folder, ec);
    if (ec) {
      throw environment_error("model " + model.name + ": cannot create " + folder.string() + ": " +
                              ec.message());
    }
  }
  Result copied =
      conn.query("COPY (" + sql + ") TO " + quote_literal(location) + " (" + options + ")");
  std::int64_t rows = copied.row_count() == 1 ? copied.get_int64(0, 0) : -1;
  std::string files = partitions.empty() ? location : location + "/**/*." + format;
  std::string reader = format == "parquet" ? "read_parquet"
                       : format == "csv"   ? "read_csv"
                                           : "read_json";
  std::string read = reader + "(" + quote_literal(files);
  if (!partitions.empty()) read += ", hive_partitioning = true";
  if (format == "csv" && !delimiter.empty()) read += ", delim = " + quote_literal(delimiter);
  read += ")";
  build_view(conn, schema, name, "SELECT * FROM " + read, catalog);
  return {rows, "exported"};
}

}  // namespace baliza::transform
