#include "lineage/analysis_cache.h"

namespace baliza::lineage {

std::shared_ptr<const ModelAnalysis> AnalysisCache::find(const std::string& key,
                                                         const std::string& sql, bool with_links,
                                                         const std::string& catalog) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second->sql != sql) return nullptr;
  if (with_links && (!it->second->linked || it->second->catalog != catalog)) return nullptr;
  return it->second;
}

void AnalysisCache::put(const std::string& key, std::shared_ptr<const ModelAnalysis> entry) {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_[key] = std::move(entry);
}

std::size_t AnalysisCache::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.size();
}

std::string AnalysisCache::catalog_fingerprint(Connection& conn) {
  Result r = conn.query(
      "SELECT database_name, schema_name, table_name, column_name, data_type FROM "
      "duckdb_columns() ORDER BY database_name, schema_name, table_name, column_index");
  std::string out;
  for (std::size_t i = 0; i < r.row_count(); ++i) {
    for (std::size_t c = 0; c < 5; ++c) {
      out += r.get_string(c, i);
      out += c == 4 ? '\n' : '\t';
    }
  }
  return out;
}

}  // namespace baliza::lineage
