// Commands that drive the whole pipeline: run, demo, export, dry-run.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "cli/context.h"
#include "core/error.h"
#include "ops/mart_export.h"

namespace baliza::cli {
namespace {

std::string megabytes(size_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f MB", bytes / 1e6);
  return buf;
}

void run_export(Context& ctx, const std::string& month, const std::string& format,
                const std::string& out) {
  if (format != "parquet") throw usage_error("--format " + format + ": only parquet is supported");
  ops::ExportRequest request;
  request.dir = out.empty() ? std::filesystem::path(ctx.settings().db_path).parent_path() / "exports"
                            : std::filesystem::path(out);
  if (!month.empty()) request.month = month;
  auto marts = ops::export_marts(ctx.db(), request);
  std::printf("%-28s %-20s %10s %6s %12s\n", "mart", "partitioned by", "rows", "files", "size");
  for (const auto& m : marts) {
    std::printf("%-28s %-20s %10zu %6zu %12s\n", m.name.c_str(),
                m.period_column.empty() ? "(whole table)" : m.period_column.c_str(), m.rows,
                m.files, megabytes(m.bytes).c_str());
  }
  std::printf("written under %s\n", request.dir.c_str());
}

}  // namespace

void add_pipeline_commands(CLI::App& app, Context& ctx, int& /*exit_code*/) {
  struct ExportOptions {
    std::string month, format = "parquet", out;
  };
  auto opts = std::make_shared<ExportOptions>();
  auto* exp = app.add_subcommand(
      "export", "Write the marts as Parquet: <dir>/<mart>/year=YYYY/month=MM/*.parquet");
  exp->add_option("--mes", opts->month, "Only this month, e.g. 2024-01 (default: everything)");
  exp->add_option("--format", opts->format, "Output format (parquet)");
  exp->add_option("--out", opts->out, "Folder (default: data/exports beside the database)");
  exp->callback([&ctx, opts] { run_export(ctx, opts->month, opts->format, opts->out); });
}

}  // namespace baliza::cli
