#include "lineage/batch_analysis.h"

namespace baliza::lineage {

std::vector<std::optional<ModelShape>> analyze_many(Connection& conn,
                                                    const std::vector<std::string>& sqls,
                                                    std::vector<std::string>& errors) {
  constexpr std::size_t kBatch = 256;
  std::vector<std::optional<ModelShape>> out(sqls.size());
  errors.assign(sqls.size(), "");
  for (std::size_t start = 0; start < sqls.size(); start += kBatch) {
    std::size_t end = std::min(sqls.size(), start + kBatch);
    std::string values;
    for (std::size_t i = start; i < end; ++i) {
      values +=
          (i == start ? "(" : ", (") + std::to_string(i) + ", " + quote_literal(sqls[i]) + ")";
    }
    Result r = conn.query("SELECT i, json_serialize_sql(s) FROM (VALUES " + values +
                          ") t(i, s) ORDER BY i");
    for (std::size_t row = 0; row < r.row_count(); ++row) {
      std::size_t i = static_cast<std::size_t>(r.get_int64(0, row));
      try {
        nlohmann::json j = nlohmann::json::parse(r.get_string(1, row), nullptr, false);
        if (j.is_discarded()) throw std::runtime_error("DuckDB returned an unreadable parse tree");
        out[i] = analyze(tree_from_json(sqls[i], j));
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    }
  }
  return out;
}

}  // namespace baliza::lineage
