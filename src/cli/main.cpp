// baliza: the command-line entry point. It only parses global flags and dispatches to the
// command groups (one file each); errors become the documented exit codes:
// 0 ok, 1 a unit of work failed, 2 usage or config error, 3 environment (lock, disk, perms).
#include <CLI/CLI.hpp>

#include <cstdio>

#include "cli/context.h"
#include "cli/run_notifier.h"
#include "cli/usage_hints.h"
#include "core/error.h"
#include "core/log.h"

int main(int argc, char** argv) {
  using baliza::cli::Context;
  CLI::App app{"Baliza: plan, extract, transform and explain public-data pipelines on DuckDB",
               "baliza"};
  app.set_version_flag("--version", "baliza " BALIZA_VERSION);
  app.require_subcommand(1);
  app.fallthrough();

  baliza::cli::GlobalOptions options;
  app.add_option("--db", options.db, "DuckDB file (default data/baliza.duckdb; env BALIZA_DB)");
  app.add_option("--log-format", options.log_format, "Log format: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--log-level", options.log_level, "Log level: debug, info, warn, error, off")
      ->check(CLI::IsMember({"debug", "info", "warn", "error", "off"}));
  app.add_flag("-q,--quiet", options.quiet, "Print only results and errors");
  app.add_option("--set", options.sets,
                 "Override a baliza.yml setting: --set section.key=value (repeatable; wins over "
                 "BALIZA_<SECTION>__<KEY> and the file; `baliza config` lists them)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_flag("--wait{-1}", options.wait,
               "When another process holds the database: wait for it (--wait=SECONDS: at most "
               "that long) instead of failing at once");

  app.parse_complete_callback([&options] {
    auto level =
        options.quiet ? baliza::LogLevel::kWarn : baliza::parse_log_level(options.log_level);
    baliza::log_configure(baliza::parse_log_format(options.log_format), level);
    baliza::set_command_line_overrides(options.sets);
  });

  Context ctx(options);
  int exit_code = 0;
  baliza::cli::add_admin_commands(app, ctx, exit_code);
  baliza::cli::add_query_commands(app, ctx, exit_code);
  baliza::cli::add_extract_commands(app, ctx, exit_code);
  baliza::cli::add_transform_commands(app, ctx, exit_code);
  baliza::cli::add_pipeline_commands(app, ctx, exit_code);
  baliza::cli::add_coord_commands(app, ctx, exit_code);
  baliza::cli::add_explain_commands(app, ctx, exit_code);
  baliza::cli::add_ui_commands(app, ctx, exit_code);
  baliza::cli::add_dbt_commands(app, ctx, exit_code);
  baliza::cli::add_workflow_commands(app, ctx, exit_code);
  baliza::cli::add_checkpoint_commands(app, ctx, exit_code);
  baliza::cli::add_config_commands(app, ctx, exit_code);
  baliza::cli::RunNotifier notifier(ctx, argc, argv);

  if (auto unknown = baliza::cli::unknown_command(app, argc, argv)) {
    std::fprintf(stderr, "error: %s\n", unknown->c_str());
    return static_cast<int>(baliza::ExitCode::kUsage);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() != 0) {
      if (auto flag = baliza::cli::unknown_flag(app, argc, argv)) {
        std::fprintf(stderr, "error: %s\n", flag->c_str());
        return static_cast<int>(baliza::ExitCode::kUsage);
      }
    }
    int code = app.exit(e);
    return code == 0 ? 0 : static_cast<int>(baliza::ExitCode::kUsage);
  } catch (const baliza::Error& e) {
    baliza::log_error(e.what());
    return notifier.finish(app, static_cast<int>(e.code()));
  } catch (const std::exception& e) {
    baliza::log_error(std::string("unexpected error: ") + e.what());
    return notifier.finish(app, static_cast<int>(baliza::ExitCode::kFailure));
  }
  return notifier.finish(app, exit_code);
}
