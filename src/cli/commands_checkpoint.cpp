// Checkpoints and rollback: `baliza checkpoint [--name N] [--list] [--prune]` and
// `baliza rollback --to-checkpoint <id or name> [--dry-run]` (ops/checkpoint.h,
// ops/checkpoint_restore.h).
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>

#include "cli/context.h"
#include "cli/result_format.h"
#include "core/error.h"
#include "ops/checkpoint.h"
#include "ops/checkpoint_restore.h"

namespace baliza::cli {
namespace {

struct CheckpointOptions {
  std::string name;
  bool list = false;
  bool prune = false;
  std::string format = "table";
};

struct RollbackOptions {
  std::string target;
  bool dry_run = false;
};

std::filesystem::path dir_of(Context& ctx) {
  const Settings& s = ctx.settings();
  return ops::checkpoint_dir(s.db_path, ops::checkpoint_policy(s));
}

void print_list(Context& ctx, const std::string& format) {
  auto all = ops::list_checkpoints(dir_of(ctx));
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  TextTable t;
  bool people = format == "table";
  t.names = {"id", "name", "reason", "created_at", "age", "size", "relations", "rows"};
  t.types = {DUCKDB_TYPE_BIGINT,
             DUCKDB_TYPE_VARCHAR,
             DUCKDB_TYPE_VARCHAR,
             DUCKDB_TYPE_VARCHAR,
             people ? DUCKDB_TYPE_VARCHAR : DUCKDB_TYPE_BIGINT,
             people ? DUCKDB_TYPE_VARCHAR : DUCKDB_TYPE_BIGINT,
             DUCKDB_TYPE_BIGINT,
             DUCKDB_TYPE_BIGINT};
  if (!people) t.names[4] = "age_seconds", t.names[5] = "size_bytes";
  for (const auto& c : all) {
    int64_t age = now - c.created_unix;
    t.rows.push_back({std::to_string(c.id), c.name, c.reason, c.created_at + " UTC",
                      people ? ops::human_age(age) + " ago" : std::to_string(age),
                      people ? ops::human_bytes(c.size_bytes) : std::to_string(c.size_bytes),
                      std::to_string(c.relations), std::to_string(c.rows)});
  }
  if (people && all.empty()) {
    ctx.say("no checkpoints in " + dir_of(ctx).string() + " (take one with `baliza checkpoint`)");
    return;
  }
  std::fputs(format_result(t, parse_result_format(format)).c_str(), stdout);
}

int run_checkpoint(Context& ctx, const CheckpointOptions& o) {
  if (o.list) {
    print_list(ctx, o.format);
    return 0;
  }
  const Settings& s = ctx.settings();
  ops::CheckpointPolicy policy = ops::checkpoint_policy(s);
  Connection& db = ctx.db();  // proves this process is the only writer (else exit 3)
  if (o.prune) {
    auto removed = ops::prune_checkpoints(dir_of(ctx), policy);
    for (const auto& c : removed) {
      std::printf("pruned checkpoint %lld (%s, %s)\n", static_cast<long long>(c.id),
                  c.created_at.c_str(), ops::human_bytes(c.size_bytes).c_str());
    }
    ctx.say(std::to_string(removed.size()) + " checkpoint(s) pruned (keep " +
            std::to_string(policy.keep) + ", max_age_days " + std::to_string(policy.max_age_days) +
            ")");
    return 0;
  }
  ops::CheckpointInfo c = ops::create_checkpoint(db, policy, o.name, "manual");
  ops::prune_checkpoints(dir_of(ctx), policy, {c.id});
  std::printf("checkpoint %lld%s: %s (%s, %lld relations, %lld rows, %.2f s, %s)\n",
              static_cast<long long>(c.id), c.name.empty() ? "" : (" '" + c.name + "'").c_str(),
              c.file.c_str(), ops::human_bytes(c.size_bytes).c_str(),
              static_cast<long long>(c.relations), static_cast<long long>(c.rows), c.seconds,
              c.method.c_str());
  return 0;
}

int run_rollback(Context& ctx, const RollbackOptions& o) {
  const Settings& s = ctx.settings();
  ops::CheckpointPolicy policy = ops::checkpoint_policy(s);
  ops::CheckpointInfo target = ops::find_checkpoint(dir_of(ctx), o.target);
  Connection& db = ctx.db();  // proves no other process holds the file (else exit 3)
  ops::RestorePlan plan = ops::plan_restore(db, target);
  std::fputs(ops::describe_restore(plan).c_str(), stdout);
  if (o.dry_run) {
    ctx.say("dry run: nothing was changed");
    return 0;
  }
  // The state being replaced is a checkpoint too, so a rollback can itself be rolled back.
  std::optional<ops::CheckpointInfo> before;
  if (policy.automatic) {
    before =
        ops::create_checkpoint(db, policy, "", "before rollback to " + std::to_string(target.id));
  }
  auto started = std::chrono::steady_clock::now();
  ops::restore_checkpoint(target, s.db_path, [&ctx] { ctx.close_db(); });
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::vector<int64_t> spare{target.id};
  if (before) spare.push_back(before->id);
  ops::prune_checkpoints(dir_of(ctx), policy, spare);
  std::printf("restored checkpoint %lld into %s in %.2f s\n", static_cast<long long>(target.id),
              s.db_path.c_str(), seconds);
  if (before) {
    std::printf(
        "the state it replaced is checkpoint %lld (`baliza rollback --to-checkpoint %lld` "
        "undoes this rollback)\n",
        static_cast<long long>(before->id), static_cast<long long>(before->id));
  }
  return 0;
}

}  // namespace

void add_checkpoint_commands(CLI::App& app, Context& ctx, int& exit_code) {
  static CheckpointOptions co;
  auto* ck = app.add_subcommand(
      "checkpoint",
      "Take a consistent snapshot of the database (<db>.checkpoints/), or list/prune them");
  ck->add_option("--name", co.name, "A label to roll back to by name (letters, digits, . _ -)");
  ck->add_flag("--list", co.list, "List the checkpoints: id, name, reason, size, age");
  ck->add_flag("--prune", co.prune,
               "Remove the checkpoints baliza.yml `checkpoints: {keep, max_age_days}` no longer "
               "keeps");
  ck->add_option("-f,--format", co.format, "Output of --list: table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  ck->callback([&ctx, &exit_code] { exit_code = run_checkpoint(ctx, co); });

  static RollbackOptions ro;
  auto* rb =
      app.add_subcommand("rollback",
                         "Restore a checkpoint, after saying what changes (refused while another "
                         "process holds the database)");
  rb->add_option("--to-checkpoint", ro.target, "The checkpoint's id or name (`checkpoint --list`)")
      ->required();
  rb->add_flag("--dry-run", ro.dry_run, "Only say what would change");
  rb->callback([&ctx, &exit_code] { exit_code = run_rollback(ctx, ro); });
}

}  // namespace baliza::cli
