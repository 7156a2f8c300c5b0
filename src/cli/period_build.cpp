#include "cli/period_build.h"

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>

#include "cli/project_locator.h"
#include "core/clock.h"
#include "core/error.h"
#include "db/workflow_tables.h"
#include "ops/periods.h"

namespace baliza::cli {

void PeriodRunOptions::add_to(CLI::App* cmd) {
  auto* p = cmd->add_option("--periods", periods,
                            "Run once per period, in order: 2025..2029, 2025-01..2025-06, "
                            "2025-03-01..2025-03-31 (vars period, period_start, period_end, ...)");
  cmd->add_option("--step", step, "Period length: year, month or day (default: as --periods)")
      ->check(CLI::IsMember({"year", "month", "day"}))
      ->needs(p);
  cmd->add_flag("--restart", restart, "Run every period again instead of resuming")->needs(p);
  cmd->add_flag("--dry-run", dry_run, "List the periods (done / to run) and change nothing")
      ->needs(p);
}

namespace {

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", s);
  return buf;
}

std::string command_line(const std::string& command, const TransformOptions& o,
                         const PeriodRunOptions& p) {
  std::string line = "baliza " + command + " --periods " + p.periods;
  if (!p.step.empty()) line += " --step " + p.step;
  for (const auto& s : o.select) line += " -s '" + s + "'";
  for (const auto& s : o.exclude) line += " --exclude '" + s + "'";
  return line;
}

// Opens the database briefly (a build opens it again per period) with the period table.
std::set<std::string> done_periods(Context& ctx, const Settings& settings,
                                   const std::string& series) {
  auto database = open_database(settings, ctx.options().wait);
  Connection conn(database);
  ensure_workflow_tables(conn);
  return ops::completed_periods(conn, series);
}

void record(Context& ctx, const Settings& settings, const std::string& series,
            const std::string& run_id, const ops::Period& period, const std::string& status,
            const std::string& started, double seconds, const std::string& line) {
  auto database = open_database(settings, ctx.options().wait);
  Connection conn(database);
  ensure_workflow_tables(conn);
  ops::record_period(conn, series, run_id, period, status, started, utc_timestamp_now(), seconds,
                     line);
}

// The failing nodes of the period's build, from the run_results.json it wrote (so they are
// said even under -q, which hides the build's own log).
std::string failures_of(const LoadedProject& project) {
  std::ifstream in(project.target / "run_results.json");
  nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
  if (!in || doc.is_discarded() || !doc.contains("results")) return "";
  std::string out;
  int shown = 0;
  for (const auto& r : doc["results"]) {
    std::string status = r.value("status", "");
    if (status != "error" && status != "fail") continue;
    if (++shown > 3) {
      out += "  ... (more in " + (project.target / "run_results.json").string() + ")\n";
      break;
    }
    std::string message =
        r.contains("message") && r["message"].is_string() ? r["message"].get<std::string>() : "";
    if (auto nl = message.find('\n'); nl != std::string::npos) message = message.substr(0, nl);
    out += "  " + status + ": " + r.value("unique_id", "?") + ": " + message + "\n";
  }
  return out;
}

}  // namespace

int run_period_build(Context& ctx, const TransformOptions& o, const PeriodRunOptions& p,
                     const std::string& command,
                     const std::vector<transform::ResourceType>& types) {
  if (o.period.given()) {
    throw usage_error(
        "--periods sets the period of each run: leave out --mes, --dia, --range "
        "and --latest");
  }
  std::vector<ops::Period> periods = ops::parse_periods(p.periods, p.step);
  // The effective step (given, or the precision of the range): part of what a rerun resumes,
  // so 2025..2027 then 2025..2029 resumes at 2028.
  std::size_t width = periods.empty() ? 0 : periods.front().label.size();
  std::string step = !p.step.empty() ? p.step : width == 4 ? "year" : width == 7 ? "month" : "day";
  LoadedProject project = load_transform_project(ctx, o);
  Settings settings = project_db_settings(ctx, project);
  std::string root =
      project.dir.empty() ? "embedded:" + project.project.name() : project.dir.string();
  std::string series = ops::period_series(root, command, o.select, o.exclude, step);
  std::set<std::string> done;
  if (!p.restart && (settings.db_path == ":memory:" || std::filesystem::exists(settings.db_path))) {
    done = done_periods(ctx, settings, series);
  }
  std::size_t resume = p.restart ? 0 : ops::completed_prefix(periods, done);
  std::string line = command_line(command, o, p);
  if (p.dry_run) {
    std::string text;
    for (const ops::Period& period : periods) {
      bool is_done = static_cast<std::size_t>(period.index) < resume;
      text += period.label + "  " + plan::iso_date(period.range.first) + ".." +
              plan::iso_date(period.range.last) + "  " + (is_done ? "done" : "to run") + "\n";
    }
    text += std::to_string(periods.size()) + " period(s); " +
            (resume == periods.size() ? std::string("all done (--restart runs them again)")
                                      : "would run from " + periods[resume].label) +
            "\n";
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  }
  if (resume == periods.size()) {
    ctx.say("all " + std::to_string(periods.size()) + " periods of `" + line +
            "` are done; --restart runs them again");
    return 0;
  }
  if (resume > 0) {
    ctx.say("resuming at period " + periods[resume].label + ": " + std::to_string(resume) +
            " period(s) already done (--restart runs them all again)");
  }
  std::string run_id = random_id();
  std::string summary;
  for (std::size_t k = resume; k < periods.size(); ++k) {
    const ops::Period& period = periods[k];
    ctx.say("period " + period.label + " (" + std::to_string(k + 1) + " of " +
            std::to_string(periods.size()) + "): " + plan::iso_date(period.range.first) + ".." +
            plan::iso_date(period.range.last));
    TransformOptions each = o;
    nlohmann::json vars = nlohmann::json::object();
    if (!o.vars.empty()) vars = nlohmann::json::parse(o.vars, nullptr, false);
    if (!vars.is_object()) throw usage_error("--vars must be a JSON object; got " + o.vars);
    vars.update(ops::period_vars(period, periods.size()));  // the period's own vars win
    each.vars = vars.dump();
    std::string started = utc_timestamp_now();
    auto t0 = std::chrono::steady_clock::now();
    int code = 0;
    try {
      code = run_command(ctx, each, command, types);
    } catch (const Error& e) {
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (e.code() == ExitCode::kFailure) {
        record(ctx, settings, series, run_id, period, "error", started, s, line);
      }
      throw;
    }
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // 130: Ctrl-C or SIGTERM stopped the period's nodes; it is not done, a rerun resumes there.
    std::string status = code == 0 ? "ok" : code == 130 ? "interrupted" : "error";
    record(ctx, settings, series, run_id, period, status, started, s, line);
    summary += "  " + period.label + "  " + (code == 0 ? std::string("ok   ") : status) + "  " +
               seconds_text(s) + " s\n";
    if (code != 0) {
      std::string text = "periods:\n" + summary + (code == 130 ? "" : failures_of(project)) +
                         (code == 130 ? "interrupted" : "stopped") + " at period " + period.label +
                         "; " + (code == 130 ? "" : "after fixing it, ") +
                         "run the same command again to resume from " + period.label + "\n";
      std::fwrite(text.data(), 1, text.size(), stdout);
      return code;
    }
  }
  std::string text = "periods:\n" + summary + "done: " + std::to_string(periods.size() - resume) +
                     " period(s) run, " + std::to_string(resume) + " already done\n";
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

}  // namespace baliza::cli
