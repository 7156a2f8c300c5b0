#include "lineage/batch_analysis.h"

#include <future>
#include <thread>

namespace baliza::lineage {
namespace {

struct Serialized {
  std::size_t index;
  std::string json;
};

// Builds the tree and shape of each serialized statement (no database access).
void build_shapes(std::vector<Serialized> batch, const std::vector<std::string>& sqls,
                  std::vector<std::optional<ModelShape>>& out, std::vector<std::string>& errors) {
  for (Serialized& s : batch) {
    try {
      nlohmann::json j = nlohmann::json::parse(s.json, nullptr, false);
      if (j.is_discarded()) throw std::runtime_error("DuckDB returned an unreadable parse tree");
      std::string().swap(s.json);
      out[s.index] = analyze(tree_from_json(sqls[s.index], std::move(j)));
    } catch (const std::exception& e) {
      errors[s.index] = e.what();
    }
  }
}

}  // namespace

std::vector<std::optional<ModelShape>> analyze_many(Connection& conn,
                                                    const std::vector<std::string>& sqls,
                                                    std::vector<std::string>& errors) {
  constexpr std::size_t kBatch = 256;
  std::vector<std::optional<ModelShape>> out(sqls.size());
  errors.assign(sqls.size(), "");
  // DuckDB serializes batch k+1 on this thread while another builds the trees of batch k
  // (each batch writes distinct indexes of out/errors).
  const bool overlap = std::thread::hardware_concurrency() > 1 && sqls.size() > kBatch;
  std::future<void> building;
  for (std::size_t start = 0; start < sqls.size(); start += kBatch) {
    std::size_t end = std::min(sqls.size(), start + kBatch);
    std::string values;
    for (std::size_t i = start; i < end; ++i) {
      values +=
          (i == start ? "(" : ", (") + std::to_string(i) + ", " + quote_literal(sqls[i]) + ")";
    }
    Result r = conn.query("SELECT i, json_serialize_sql(s) FROM (VALUES " + values +
                          ") t(i, s) ORDER BY i");
    std::vector<Serialized> batch;
    batch.reserve(r.row_count());
    for (std::size_t row = 0; row < r.row_count(); ++row)
      batch.push_back({static_cast<std::size_t>(r.get_int64(0, row)), r.get_string(1, row)});
    if (building.valid()) building.get();
    if (overlap) {
      building = std::async(std::launch::async, build_shapes, std::move(batch), std::cref(sqls),
                            std::ref(out), std::ref(errors));
    } else {
      build_shapes(std::move(batch), sqls, out, errors);
    }
  }
  if (building.valid()) building.get();
  return out;
}

}  // namespace baliza::lineage
