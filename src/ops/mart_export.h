// Exports the marts to Parquet, partitioned by month, readable by any Parquet engine:
//   <dir>/<mart>/year=YYYY/month=MM/data_0.parquet
// A mart's period column is the first DATE/TIMESTAMP column whose name starts with "mes",
// "month", "periodo" or "data" (else its first DATE/TIMESTAMP column). A mart with no date
// column is written whole as <dir>/<mart>/<mart>.parquet. Each partition is written to a
// temporary folder first and then moved into place, so a failed export never leaves a
// half-written partition and a rerun replaces the same files (no duplicates).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "db/database.h"

namespace baliza::ops {

struct ExportRequest {
  std::filesystem::path dir = "data/exports";
  std::string schema = "marts";
  std::optional<std::string> month;  // "2024-01": only that month's partitions
};

struct ExportedMart {
  std::string name;
  std::string period_column;  // empty when written whole
  size_t rows = 0;
  size_t files = 0;
  size_t bytes = 0;
};

std::vector<ExportedMart> export_marts(Connection& conn, const ExportRequest& request);

}  // namespace baliza::ops
