// `baliza ui`: the web UI over the database (src/ui), reading through the holder's socket or the
// file opened read-only, so it works during extractions and transforms.
#include <spawn.h>
#include <sys/wait.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "cli/context.h"
#include "cli/interrupts.h"
#include "cli/project_locator.h"
#include "core/embedded_files.h"
#include "core/error.h"
#include "db/payload_functions.h"
#include "ops/explain_request.h"
#include "transform/dag.h"
#include "transform/project.h"
#include "ui/ui_api.h"
#include "ui/ui_server.h"

extern char** environ;

namespace baliza::cli {
namespace {

struct UiFlags {
  ui::ServeOptions serve;
  bool open = false;
  std::string project_dir;
};

// The project whose DAG the Models view shows; nullopt (with a warning) when it cannot load.
std::optional<transform::Project> load_ui_project(Context& ctx, const std::string& project_dir) {
  try {
    // By its absolute folder: another process (the holder) may load it for a trace.
    if (auto dir = locate_project(project_dir))
      return transform::load_project(std::filesystem::absolute(*dir).lexically_normal());
    auto files = transform::embedded_project_files("pncp");
    if (files.empty()) return std::nullopt;
    return transform::load_project_files(std::move(files), "embedded:pncp", {});
  } catch (const Error& e) {
    ctx.say(std::string("warning: the Models view has no DAG: ") + e.what());
    return std::nullopt;
  }
}

void open_browser(Context& ctx, const std::string& url) {
  std::string program = "xdg-open";
  char* argv[] = {program.data(), const_cast<char*>(url.c_str()), nullptr};
  pid_t pid = 0;
  if (posix_spawnp(&pid, program.c_str(), nullptr, nullptr, argv, environ) != 0) {
    ctx.say("could not start xdg-open; open " + url + " yourself");
  }
}

int run_ui(Context& ctx, const UiFlags& flags) {
  const Settings& s = ctx.settings();
  std::optional<transform::Project> project = load_ui_project(ctx, flags.project_dir);
  std::optional<transform::Dag> dag;
  if (project) {
    try {
      dag = transform::Dag::build(*project);
    } catch (const Error& e) {
      ctx.say(std::string("warning: the Models view has no DAG: ") + e.what());
    }
  }
  ReaderOptions reader_options;
  reader_options.threads = s.threads;
  reader_options.memory_limit = s.memory_limit;
  reader_options.wait_seconds = ctx.options().wait;
  size_t max_payload = s.max_payload_bytes;
  reader_options.setup = [max_payload](Connection& conn) {
    register_payload_functions(conn, max_payload);
  };
  // Trace and impact on the file opened here use the project already loaded.
  reader_options.procedures = ops::explain_procedures(project ? &*project : nullptr);
  ui::UiReader reader(s.db_path, reader_options);
  reader.query("SELECT 1");  // fail now, not in the browser, when the database cannot be read
  ui::UiApi api(reader, {project ? &*project : nullptr, dag ? &*dag : nullptr, s.coordinator_url});
  ui::UiServer server(api, flags.serve);
  std::string url = server.url();
  std::printf("baliza ui: %s (database %s; Ctrl-C to stop)\n", url.c_str(), s.db_path.c_str());
  std::fflush(stdout);
  if (flags.open) open_browser(ctx, url);
  InterruptGuard guard;
  std::thread watcher([&server] {
    while (interrupt_count().load() == 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    server.stop();
  });
  server.run();
  if (interrupt_count().load() == 0) {
    // The server stopped by itself (it cannot): wake the watcher through the same path.
    server.stop();
  }
  watcher.detach();
  return 0;
}

}  // namespace

void add_ui_commands(CLI::App& app, Context& ctx, int& exit_code) {
  auto flags = std::make_shared<UiFlags>();
  CLI::App* cmd = app.add_subcommand(
      "ui", "Serve the web UI (runs, coverage, models, lineage, quality, query) on 127.0.0.1");
  cmd->add_option("--port", flags->serve.port, "TCP port (0: any free port)")
      ->check(CLI::Range(0, 65535));
  cmd->add_flag("--open", flags->open, "Open the page in the default browser");
  cmd->add_option("--host", flags->serve.host,
                  "Address to listen on (default 127.0.0.1; another one needs --token)");
  cmd->add_option("--token", flags->serve.token,
                  "Access token every request must carry (?token=... once, or a Bearer header)");
  cmd->add_option("--project-dir", flags->project_dir,
                  "Project whose DAG the Models view shows (default: as `transform`)");
  cmd->callback([&ctx, &exit_code, flags] { exit_code = run_ui(ctx, *flags); });
}

}  // namespace baliza::cli
