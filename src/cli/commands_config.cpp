// `baliza config [--format table|csv|json]`: every setting of baliza.yml Baliza reads, its
// effective value, where it came from (file:line:column, env VAR, --set, --db, default, or
// "default (cleared by ...)" after an empty override), the variable that sets it and the older
// variables that still do.
// Secrets are not printed: a webhook shows only its origin, a coordinator or OpenLineage URL no
// password, an API key ***.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>

#include "cli/context.h"
#include "cli/result_format.h"
#include "core/setting_specs.h"
#include "ops/notify_message.h"

namespace baliza::cli {
namespace {

// postgresql://user:secret@host -> postgresql://user:***@host; password=secret -> password=***
std::string without_password(std::string url) {
  size_t scheme = url.find("://");
  size_t at = url.find('@');
  if (scheme != std::string::npos && at != std::string::npos) {
    size_t colon = url.find(':', scheme + 3);
    if (colon != std::string::npos && colon < at)
      url = url.substr(0, colon + 1) + "***" + url.substr(at);
  }
  size_t pw = url.find("password=");
  if (pw != std::string::npos) {
    size_t end = url.find(' ', pw);
    url = url.substr(0, pw + 9) + "***" + (end == std::string::npos ? "" : url.substr(end));
  }
  return url;
}

std::string shown(const SettingValue& v) {
  const SettingSpec* spec = find_setting(v.key);
  if (spec && spec->secret && !v.value.empty()) return "***";
  if (v.key == "coordinator" || v.key == "openlineage.transport.url") {
    return without_password(v.value);
  }
  if (v.key == "notifications.webhook") {
    std::string out;
    for (const auto& url : v.items) out += (out.empty() ? "" : ", ") + ops::redact_url(url);
    return out;
  }
  return v.value;
}

int run_config(Context& ctx, const std::string& format) {
  const Settings& s = ctx.settings();
  if (format == "json") {
    nlohmann::json settings = nlohmann::json::array();
    for (const SettingValue& v : s.values) {
      const SettingSpec* spec = find_setting(v.key);
      nlohmann::json item = {
          {"key", v.key},
          {"value", shown(v)},
          {"source", v.source},
          {"env", spec ? setting_env_name(*spec) : ""},
          {"older_env", spec ? setting_older_env_names(*spec) : std::vector<std::string>()}};
      if (v.key == "notifications.webhook") {
        nlohmann::json urls = nlohmann::json::array();
        for (const auto& url : v.items) urls.push_back(ops::redact_url(url));
        item["value"] = urls;
      }
      settings.push_back(item);
    }
    nlohmann::json out = {{"config_file", s.config_file ? s.config_file->string() : ""},
                          {"settings", settings}};
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  TextTable t;
  t.names = {"key", "value", "source", "env", "older env"};
  t.types.assign(5, DUCKDB_TYPE_VARCHAR);
  for (const SettingValue& v : s.values) {
    const SettingSpec* spec = find_setting(v.key);
    std::string older;
    if (spec) {
      for (const std::string& name : setting_older_env_names(*spec)) {
        older += (older.empty() ? "" : ", ") + name;
      }
    }
    t.rows.push_back({v.key, shown(v), v.source, spec ? setting_env_name(*spec) : "", older});
  }
  ctx.say(s.config_file ? "baliza.yml: " + s.config_file->string()
                        : std::string("no baliza.yml: defaults, environment and flags"));
  std::fputs(format_result(t, parse_result_format(format)).c_str(), stdout);
  return 0;
}

}  // namespace

void add_config_commands(CLI::App& app, Context& ctx, int& exit_code) {
  static std::string format = "table";
  auto* cmd = app.add_subcommand(
      "config",
      "Print the effective settings, where each came from (baliza.yml line, env, --set, "
      "default) and the variables that set it; `--set key=` (empty) clears a setting");
  cmd->add_option("-f,--format", format, "table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  cmd->callback([&ctx, &exit_code] { exit_code = run_config(ctx, format); });
}

}  // namespace baliza::cli
