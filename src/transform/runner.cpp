#include "transform/runner.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "core/clock.h"
#include "core/error.h"
#include "transform/batched_build.h"
#include "transform/compiler.h"
#include "transform/contract.h"
#include "transform/data_tests.h"
#include "transform/external.h"
#include "transform/hooks.h"
#include "transform/materialize.h"
#include "transform/microbatch.h"
#include "transform/relation.h"
#include "transform/seed_loader.h"
#include "transform/snapshot.h"
#include "transform/sql_error.h"
#include "transform/test_run.h"

namespace baliza::transform {
namespace {

constexpr std::size_t kLineWidth = 80;

bool executable(const Node& n) {
  if (n.resource_type == ResourceType::kSource) return false;
  return !(n.resource_type == ResourceType::kModel && n.config.materialized == "ephemeral");
}

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2fs", s);
  return buf;
}

std::string describe(const Node& n) {
  if (n.resource_type == ResourceType::kSeed) return "seed file " + relation_label(n);
  if (n.resource_type == ResourceType::kTest) return "test " + n.name;
  if (n.resource_type == ResourceType::kSnapshot) return "snapshot " + relation_label(n);
  return "sql " + n.config.materialized + " model " + relation_label(n);
}

struct Outcome {
  NodeResult result;
  std::string right;    // [..] of the progress line
  std::string verb;     // "OK created", "ERROR creating", "PASS", "FAIL 3", ...
  std::string details;  // printed after the run for errors, failures and warnings
  bool blocks = false;  // descendants must be skipped
};

class Run {
 public:
  Run(const Project& project, const Dag& dag, const std::vector<std::size_t>& selected,
      const RunOptions& options)
      : project_(project), dag_(dag), options_(options), compiler_(project) {
    for (std::size_t i : selected)
      if (executable(dag.node(i))) nodes_.push_back(i);
    for (std::size_t k = 0; k < nodes_.size(); ++k) local_[nodes_[k]] = k;
    link_waits();
  }

  RunSummary execute() {
    summary_.run_id = random_id();
    summary_.started_at = utc_timestamp_now();
    auto t0 = std::chrono::steady_clock::now();
    for (std::size_t k = 0; k < nodes_.size(); ++k)
      if (pending_[k] == 0) ready_.insert(k);
    // One catalog snapshot per run: building a model then needs no catalog query. Its
    // connection becomes the first worker's.
    bool any_model = std::any_of(nodes_.begin(), nodes_.end(), [&](std::size_t i) {
      return dag_.node(i).resource_type == ResourceType::kModel ||
             dag_.node(i).resource_type == ResourceType::kSnapshot;
    });
    if (any_model) {
      spare_connection_ = options_.connect();
      catalog_ = RelationCatalog::read(*spare_connection_);
    }
    int threads = std::max(1, std::min<int>(options_.threads, static_cast<int>(nodes_.size())));
    if (run_project_hooks(project_.settings.on_run_start, "on-run-start")) {
      std::thread watcher;
      if (options_.interrupts) watcher = std::thread([this] { watch_interrupts(); });
      std::vector<std::thread> workers;
      for (int t = 0; t < threads; ++t) workers.emplace_back([this, t] { work(t + 1); });
      for (auto& w : workers) w.join();
      if (watcher.joinable()) {
        {
          std::lock_guard<std::mutex> lock(running_mutex_);
          workers_done_ = true;
        }
        running_cv_.notify_all();
        watcher.join();
      }
      if (!summary_.interrupted) run_project_hooks(project_.settings.on_run_end, "on-run-end");
    } else {
      for (std::size_t k = 0; k < nodes_.size(); ++k) {
        if (state_[k] == 0) {
          blocked_.insert(k);
          blocked_by_[k] = "on-run-start";
          std::unique_lock<std::mutex> lock(mutex_);
          state_[k] = 1;
          finish_skipped(k, dag_.node(nodes_[k]));
        }
      }
    }
    summary_.completed_at = utc_timestamp_now();
    summary_.elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    print_footer();
    return std::move(summary_);
  }

 private:
  // on-run-start / on-run-end, on a connection of their own; each hook is reported like a node
  // (dbt's operation.<project>.<project>-on-run-start-<i>). False when one failed.
  bool run_project_hooks(const std::vector<std::string>& hooks, const std::string& label) {
    if (hooks.empty()) return true;
    std::unique_ptr<Connection> conn = options_.connect();
    for (std::size_t i = 0; i < hooks.size(); ++i) {
      Outcome o;
      o.result.unique_id = "operation." + project_.name() + "." + project_.name() + "-" + label +
                           "-" + std::to_string(i);
      o.result.started_at = utc_timestamp_now();
      auto t0 = std::chrono::steady_clock::now();
      std::string line = label + "[" + std::to_string(i) + "]";
      try {
        run_hooks(*conn, compiler_, {hooks[i]}, nullptr, label, project_.settings.file);
        o.result.status = "success";
        o.result.message = "OK";
      } catch (const std::exception& e) {
        o.result.status = "error";
        o.result.message = e.what();
        std::string text = e.what();
        // run_hooks names the hook "<label>[0]"; this is hook i of the file.
        if (auto at = text.find("[0]"); at != std::string::npos)
          text.replace(at, 3, "[" + std::to_string(i) + "]");
        o.details = "Runtime Error in hook " + line + "\n  " + indent(text);
      }
      o.result.completed_at = utc_timestamp_now();
      o.result.execution_time =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      bool ok = o.result.status == "success";
      emit(progress_line("hook " + line + " of " + project_.settings.file,
                         ok ? "[OK in " + seconds(o.result.execution_time) + "]" : "[ERROR]"));
      std::lock_guard<std::mutex> lock(mutex_);
      if (ok) {
        ++summary_.pass;
      } else {
        ++summary_.error;
        details_.push_back(o.details);
      }
      summary_.results.push_back(std::move(o.result));
      if (!ok) return false;
    }
    return true;
  }

  // Nearest selected ancestors, looking through unselected nodes (and ephemerals).
  void link_waits() {
    waits_.assign(nodes_.size(), {});
    dependents_.assign(nodes_.size(), {});
    for (std::size_t k = 0; k < nodes_.size(); ++k) {
      std::vector<std::size_t> stack(dag_.parents(nodes_[k]).begin(),
                                     dag_.parents(nodes_[k]).end());
      std::unordered_set<std::size_t> seen;
      while (!stack.empty()) {
        std::size_t p = stack.back();
        stack.pop_back();
        if (!seen.insert(p).second) continue;
        if (auto it = local_.find(p); it != local_.end()) {
          waits_[k].insert(it->second);
        } else {
          stack.insert(stack.end(), dag_.parents(p).begin(), dag_.parents(p).end());
        }
      }
    }
    if (options_.build_mode) link_test_gates();
    pending_.assign(nodes_.size(), 0);
    state_.assign(nodes_.size(), 0);
    for (std::size_t k = 0; k < nodes_.size(); ++k) {
      pending_[k] = static_cast<int>(waits_[k].size());
      for (std::size_t w : waits_[k]) dependents_[w].push_back(k);
    }
  }

  // dbt build: children of a tested node wait for its tests (unless that would be a cycle).
  void link_test_gates() {
    for (std::size_t k = 0; k < nodes_.size(); ++k) {
      const Node& t = dag_.node(nodes_[k]);
      if (t.resource_type != ResourceType::kTest || t.attached_node.empty()) continue;
      auto attached = dag_.index_of(t.attached_node);
      if (!attached) continue;
      std::unordered_set<std::size_t> ancestors;
      for (auto [a, d] : dag_.ancestors(nodes_[k])) ancestors.insert(a);
      for (std::size_t c : dag_.children(*attached)) {
        auto it = local_.find(c);
        if (it == local_.end() || dag_.node(c).resource_type == ResourceType::kTest) continue;
        if (ancestors.count(c) > 0) continue;
        waits_[it->second].insert(k);
      }
    }
  }

  void work(int thread_id) {
    std::unique_ptr<Connection> conn;
    std::unique_lock<std::mutex> lock(mutex_);
    if (spare_connection_) conn = std::move(spare_connection_);
    while (true) {
      cv_.wait(lock, [&] { return !ready_.empty() || finished_ == nodes_.size(); });
      if (ready_.empty()) return;
      std::size_t k = *ready_.begin();
      ready_.erase(ready_.begin());
      if (state_[k] != 0) continue;
      state_[k] = 1;
      const Node& n = dag_.node(nodes_[k]);
      if (stop_ || blocked_.count(k) > 0) {
        finish_skipped(k, n);
        continue;
      }
      int number = ++started_;
      emit(progress_line(counter(number) + " START " + describe(n), "[RUN]"));
      lock.unlock();
      if (options_.on_node_start) options_.on_node_start(n);
      Outcome o = run_one(conn, n, thread_id);
      if (options_.on_node_finish) options_.on_node_finish(n, o.result);
      lock.lock();
      emit(progress_line(counter(number) + " " + o.verb + " " + describe(n), o.right));
      record(k, std::move(o));
    }
  }

  // Ctrl-C: stops new nodes from starting and interrupts the statements running, again at each
  // poll (a materialization may run several statements) until the workers are done.
  void watch_interrupts() {
    std::unique_lock<std::mutex> lock(running_mutex_);
    while (!workers_done_) {
      running_cv_.wait_for(lock, std::chrono::milliseconds(50));
      if (options_.interrupts->load() < 1) continue;
      if (!interrupted_.exchange(true)) {
        std::lock_guard<std::mutex> run_lock(mutex_);
        stop_ = true;
        summary_.interrupted = true;
        for (std::size_t j = 0; j < nodes_.size(); ++j)
          if (state_[j] == 0) ready_.insert(j);
        cv_.notify_all();
      }
      for (Connection* c : running_) c->interrupt();
    }
  }

  // Registers the connection of a node that runs, so that Ctrl-C can interrupt it.
  class Running {
   public:
    Running(Run& run, Connection& conn) : run_(run), conn_(&conn) {
      std::lock_guard<std::mutex> lock(run_.running_mutex_);
      run_.running_.insert(conn_);
    }
    ~Running() {
      std::lock_guard<std::mutex> lock(run_.running_mutex_);
      run_.running_.erase(conn_);
    }
    Running(const Running&) = delete;
    Running& operator=(const Running&) = delete;

   private:
    Run& run_;
    Connection* conn_;
  };

  std::string counter(int number) const {
    return std::to_string(number) + " of " + std::to_string(nodes_.size());
  }

  void emit(const std::string& line) {
    if (options_.print) options_.print(line);
  }

  void finish_skipped(std::size_t k, const Node& n) {
    int number = ++started_;
    emit(progress_line(counter(number) + " SKIP " + describe(n), "[SKIP]"));
    Outcome o;
    o.result.unique_id = n.unique_id;
    o.result.status = "skipped";
    o.result.message = interrupted_ ? "skipped: interrupted (Ctrl-C)"
                       : stop_      ? "skipped: --fail-fast after an earlier failure"
                                    : "skipped: an upstream node failed (" + blocked_by_[k] + ")";
    o.blocks = true;
    if (options_.on_node_finish) options_.on_node_finish(n, o.result);
    record(k, std::move(o));
  }

  // Called with the lock held.
  void record(std::size_t k, Outcome o) {
    const std::string& status = o.result.status;
    if (status == "success" || status == "pass") ++summary_.pass;
    if (status == "warn") ++summary_.warn;
    if (status == "error" || status == "fail" || status == "partial success") ++summary_.error;
    if (status == "skipped") ++summary_.skip;
    if (!o.details.empty()) details_.push_back(o.details);
    if (o.blocks) {
      if (status != "skipped" && options_.fail_fast) stop_ = true;
      block_descendants(k);
    }
    summary_.results.push_back(std::move(o.result));
    ++finished_;
    for (std::size_t d : dependents_[k])
      if (--pending_[d] == 0 && state_[d] == 0) ready_.insert(d);
    if (stop_) {
      for (std::size_t j = 0; j < nodes_.size(); ++j)
        if (state_[j] == 0) ready_.insert(j);
    }
    cv_.notify_all();
  }

  void block_descendants(std::size_t k) {
    std::vector<std::size_t> stack = dependents_[k];
    const std::string& cause = dag_.id(nodes_[k]);
    while (!stack.empty()) {
      std::size_t d = stack.back();
      stack.pop_back();
      if (!blocked_.insert(d).second) continue;
      blocked_by_[d] = blocked_by_.count(k) ? blocked_by_[k] : cause;
      stack.insert(stack.end(), dependents_[d].begin(), dependents_[d].end());
    }
  }

  Outcome run_one(std::unique_ptr<Connection>& connection, const Node& n, int thread_id) {
    Outcome o;
    o.result.unique_id = n.unique_id;
    o.result.thread_id = thread_id;
    o.result.started_at = utc_timestamp_now();
    auto t0 = std::chrono::steady_clock::now();
    int prefix_lines = 0;
    try {
      if (!connection) connection = options_.connect();
      Connection& conn = *connection;
      Running running(*this, conn);
      if (interrupted_) throw Error(ExitCode::kUsage, "interrupted (Ctrl-C)");
      if (n.resource_type == ResourceType::kSeed) {
        run_seed(conn, n, o);
      } else if (n.resource_type == ResourceType::kTest) {
        run_test_node(conn, n, o);
      } else {
        run_model(conn, n, o, prefix_lines);
      }
    } catch (const std::exception& e) {
      std::string message = duckdb_message(e);
      if (interrupted_) {
        o.result.interrupted = true;
        message = "interrupted (Ctrl-C): " + message;
      }
      o.result.status = "error";
      o.result.message = message;
      o.verb = n.resource_type == ResourceType::kTest   ? "ERROR"
               : n.resource_type == ResourceType::kSeed ? "ERROR loading"
                                                        : "ERROR creating";
      o.blocks = true;
      std::string kind(to_string(n.resource_type));
      o.details = "Runtime Error in " + kind + " " + n.name + " (" +
                  error_location(n, message, prefix_lines) + ")\n  " + indent(message);
    }
    o.result.completed_at = utc_timestamp_now();
    o.result.execution_time =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    finish_right(o);
    return o;
  }

  static std::string indent(const std::string& text) {
    std::string out;
    for (char c : text) {
      out += c;
      if (c == '\n') out += "  ";
    }
    return out;
  }

  void finish_right(Outcome& o) {
    const NodeResult& r = o.result;
    std::string t = " in " + seconds(r.execution_time) + "]";
    if (r.status == "error") {
      o.right = "[ERROR" + t;
    } else if (r.status == "partial success") {
      o.right = "[PARTIAL SUCCESS" + t;
    } else if (r.failures && r.status != "pass") {
      o.right =
          "[" + std::string(r.status == "warn" ? "WARN " : "FAIL ") + format_count(*r.failures) + t;
    } else if (r.status == "pass") {
      o.right = "[PASS" + t;
    } else if (r.rows_affected >= 0) {
      o.right = "[" + format_count(r.rows_affected) + " rows" + t;
    } else {
      o.right = "[OK" + t;
    }
  }

  void run_seed(Connection& conn, const Node& n, Outcome& o) {
    MaterializeResult m;
    run_hooks(conn, compiler_, node_hooks(n, false), &n, "pre_hook", n.unique_id);
    with_conflict_retry([&] { m = load_seed(conn, project_, n); });
    run_hooks(conn, compiler_, node_hooks(n, true), &n, "post_hook", n.unique_id);
    o.result.status = "success";
    o.result.rows_affected = m.rows;
    o.result.message = "INSERT " + std::to_string(m.rows);
    o.verb = "OK loaded";
  }

  void run_model(Connection& conn, const Node& n, Outcome& o, int& prefix_lines) {
    const std::string schema = node_schema(n);
    const std::string name = node_identifier(n);
    const std::string& kind = n.config.materialized;
    if (is_microbatch(n)) {
      run_microbatch(conn, n, o, schema, name);
      return;
    }
    bool incremental = kind == "incremental" && !options_.full_refresh &&
                       catalog_->kind(schema, name) == RelationKind::kTable;
    CompiledSql compiled = compiler_.compile(n, incremental, nullptr, &conn);
    prefix_lines = compiled.prefix_lines;
    o.result.compiled_code = compiled.sql;
    // A model whose columns drift from its contract fails before anything is replaced.
    if (contract_enforced(n)) enforce_contract(conn, n, compiled.sql);
    MaterializeResult m;
    run_hooks(conn, compiler_, node_hooks(n, false), &n, "pre_hook", n.unique_id);
    if (n.config.batch_size > 0) {
      m = run_batched(conn, n, schema, name, incremental);
    } else if (kind == "view") {
      m = build_view(conn, schema, name, compiled.sql, catalog_.get());
    } else if (kind == "table") {
      m = build_table(conn, schema, name, compiled.sql, catalog_.get());
    } else if (kind == "external") {
      m = build_external(conn, n, schema, name, compiled.sql, catalog_.get());
    } else if (kind == "snapshot") {
      m = build_snapshot(conn, schema, name, compiled.sql, snapshot_spec(n), catalog_.get());
    } else if (kind == "incremental") {
      IncrementalSpec spec{n.config.incremental_strategy, n.config.unique_key,
                           options_.full_refresh};
      m = build_incremental(conn, schema, name, compiled.sql, spec, catalog_.get());
    } else {
      throw usage_error("unknown materialization '" + kind + "'");
    }
    run_hooks(conn, compiler_, node_hooks(n, true), &n, "post_hook", n.unique_id);
    o.result.status = "success";
    o.result.rows_affected = m.rows;
    o.result.rebuilt = m.action == "created";
    o.result.message = (m.rows >= 0 ? "OK " + std::to_string(m.rows) : std::string("OK"));
    o.verb = "OK " + m.action;
  }

  // A microbatch model (transform/microbatch.h): its batches, each reported on a line of its
  // own; some failing -> "partial success" (an error for the exit code, descendants skipped),
  // all failing -> error. `baliza dbt retry` runs the failed ones again (RunOptions).
  void run_microbatch(Connection& conn, const Node& n, Outcome& o, const std::string& schema,
                      const std::string& name) {
    MicrobatchSpec spec = microbatch_spec(n);
    bool exists = catalog_->kind(schema, name) == RelationKind::kTable;
    std::vector<BatchWindow> windows;
    auto retry = options_.retry_batches.find(n.unique_id);
    if (retry != options_.retry_batches.end() && exists && !options_.full_refresh) {
      for (const auto& [start, end] : retry->second) {
        auto a = parse_utc_time(start);
        auto b = parse_utc_time(end);
        if (a && b && *a < *b) windows.push_back({*a, *b});
      }
    }
    if (windows.empty()) {
      WindowRequest request;
      request.incremental = exists && !options_.full_refresh;
      if (!options_.event_time_start.empty())
        request.event_time_start = parse_utc_time(options_.event_time_start);
      if (!options_.event_time_end.empty())
        request.event_time_end = parse_utc_time(options_.event_time_end);
      request.now = utc_now();
      windows = microbatch_windows(n, spec, request);
    }
    run_hooks(conn, compiler_, node_hooks(n, false), &n, "pre_hook", n.unique_id);
    std::string label = relation_label(n);
    std::size_t total = windows.size();
    BatchRenderer render = [&](const BatchWindow& w, bool incremental) {
      if (interrupted_) throw Error(ExitCode::kUsage, "interrupted (Ctrl-C)");
      BatchSlice slice;
      slice.window = &w;
      return compiler_.compile(n, incremental, &slice, &conn).sql;
    };
    BatchObserver observe = [&](std::size_t i, const BatchOutcome* done) {
      std::string left = "Batch " + std::to_string(i + 1) + " of " + std::to_string(total);
      std::string batch =
          "batch " + batch_label(windows[i].start, spec.batch_size) + " of " + label;
      std::lock_guard<std::mutex> lock(mutex_);
      if (done == nullptr) {
        emit(progress_line(left + " START " + batch, "[RUN]"));
      } else {
        emit(progress_line(left + (done->ok ? " OK created " : " ERROR creating ") + batch,
                           done->ok ? "[" + format_count(done->rows) + " rows]" : "[ERROR]"));
      }
    };
    std::vector<BatchOutcome> batches =
        build_microbatch(conn, schema, name, spec, windows, exists && !options_.full_refresh,
                         render, observe, catalog_.get());
    nlohmann::json ok = nlohmann::json::array();
    nlohmann::json failed = nlohmann::json::array();
    std::int64_t rows = 0;
    std::string errors;
    for (const BatchOutcome& b : batches) {
      nlohmann::json pair = {iso_utc_time(b.window.start), iso_utc_time(b.window.end)};
      if (b.ok) {
        rows += b.rows;
        ok.push_back(std::move(pair));
        o.result.compiled_code = b.sql;
      } else {
        failed.push_back(std::move(pair));
        errors += "\n  batch [" + format_utc_time(b.window.start) + ", " +
                  format_utc_time(b.window.end) + "): " + indent(b.error);
      }
    }
    o.result.batch_results = {{"successful", ok}, {"failed", failed}};
    o.result.rows_affected = rows;
    if (failed.empty()) {
      run_hooks(conn, compiler_, node_hooks(n, true), &n, "post_hook", n.unique_id);
      o.result.status = "success";
      o.result.message = "OK " + std::to_string(rows) + " rows in " + std::to_string(total) +
                         " batch" + (total == 1 ? "" : "es");
      o.verb = "OK created";
      return;
    }
    bool partial = !ok.empty();
    o.result.status = partial ? "partial success" : "error";
    o.result.message =
        std::to_string(failed.size()) + " of " + std::to_string(total) + " batches failed";
    o.verb = partial ? "PARTIAL SUCCESS" : "ERROR creating";
    o.blocks = true;
    o.details = std::string(partial ? "Partial success" : "Runtime Error") + " in model " + n.name +
                " (" + n.original_file_path + "): " + o.result.message + errors +
                "\n  `baliza dbt retry` builds the failed batches again";
  }

  // A model with batch_size (transform/batched_build.h): checks the config, renders the model
  // with its input sliced, and builds it slice by slice.
  MaterializeResult run_batched(Connection& conn, const Node& n, const std::string& schema,
                                const std::string& name, bool incremental) {
    const NodeConfig& c = n.config;
    std::string where = "model " + n.name + " (" + n.original_file_path + ")";
    if (c.materialized != "table" && c.materialized != "incremental") {
      throw usage_error("batch_size in " + where + " needs materialized='table' or " +
                        "'incremental' (got '" + c.materialized + "')");
    }
    if (c.batch_input.empty() || c.batch_key.empty()) {
      throw usage_error("batch_size in " + where +
                        " needs batch_input (the ref'd model read a slice at a time) and "
                        "batch_key (its column that slices it)");
    }
    bool refs_input = std::any_of(n.refs.begin(), n.refs.end(),
                                  [&](const TemplateRef& r) { return r.name == c.batch_input; });
    const Node* input = project_.find_ref(c.batch_input);
    if (!refs_input || input == nullptr || input->resource_type != ResourceType::kModel) {
      throw usage_error("batch_input '" + c.batch_input + "' in " + where +
                        " must be a model the SQL reads with ref('" + c.batch_input + "')");
    }
    SliceRenderer render = [&](const std::string& filter) {
      BatchSlice slice{c.batch_input, filter};
      return compiler_.compile(n, incremental, &slice).sql;
    };
    BatchedSpec batch;
    batch.input_sql = input->config.materialized == "ephemeral"
                          ? compiler_.compile(*input, false).sql
                          : "SELECT * FROM " + relation_sql(*input);
    batch.input_name = c.batch_input;
    batch.key = c.batch_key;
    batch.weight = c.batch_weight;
    if (!c.batch_where.empty()) {
      batch.where = "(" +
                    compiler_.render_text(c.batch_where, n.original_file_path + " (batch_where)",
                                          &n, incremental) +
                    "\n)";
    }
    batch.size = c.batch_size;
    IncrementalSpec spec{c.incremental_strategy, c.unique_key, false};
    return build_batched(conn, schema, name, render, batch, incremental, spec, catalog_.get());
  }

  void run_test_node(Connection& conn, const Node& n, Outcome& o) {
    TestQuery q = test_query(project_, compiler_, n, &conn);
    o.result.compiled_code = q.sql;
    TestSettings settings = test_settings(n, q.macro_config, options_.store_failures);
    TestOutcome t;
    with_conflict_retry([&] { t = run_test(conn, n, q.sql, settings, options_.warn_error); });
    o.result.failures = t.failures;
    o.result.status = t.status;
    o.result.message = t.message;
    if (t.status == "pass") {
      o.verb = "PASS";
      return;
    }
    bool warn = t.status == "warn";
    o.verb = (warn ? "WARN " : "FAIL ") + format_count(t.value);
    o.blocks = !warn;
    std::string where =
        n.is_generic_test ? format_pos(n.patch_path, n.patch_pos) : n.original_file_path;
    o.details = std::string(warn ? "Warning" : "Failure") + " in test " + n.name + " (" + where +
                ")\n  " + o.result.message;
    if (!t.sample.empty()) o.details += "\n  sample:\n    " + indent(indent(t.sample));
    if (!t.stored_relation.empty()) o.details += "\n  failing rows stored in " + t.stored_relation;
  }

  void print_footer() {
    emit("");
    emit("Finished running " + std::to_string(nodes_.size()) + " node" +
         (nodes_.size() == 1 ? "" : "s") + " in " + seconds(summary_.elapsed) + ".");
    if (!details_.empty()) {
      emit("");
      emit(summary_.error > 0 ? "Completed with " + std::to_string(summary_.error) + " error" +
                                    (summary_.error == 1 ? "" : "s") + ":"
                              : "Completed with warnings:");
      for (const std::string& d : details_) {
        emit("");
        emit(d);
      }
    }
    emit("");
    emit("Done. PASS=" + std::to_string(summary_.pass) + " WARN=" + std::to_string(summary_.warn) +
         " ERROR=" + std::to_string(summary_.error) + " SKIP=" + std::to_string(summary_.skip) +
         " TOTAL=" + std::to_string(summary_.total()));
  }

  const Project& project_;
  const Dag& dag_;
  RunOptions options_;
  Compiler compiler_;
  std::vector<std::size_t> nodes_;  // Dag indexes to execute, topological order
  std::unordered_map<std::size_t, std::size_t> local_;
  std::vector<std::set<std::size_t>> waits_;
  std::vector<std::vector<std::size_t>> dependents_;
  std::vector<int> pending_;
  std::unique_ptr<RelationCatalog> catalog_;  // read once per run when models run
  std::unique_ptr<Connection> spare_connection_;

  std::mutex mutex_;
  std::condition_variable cv_;
  std::set<std::size_t> ready_;  // local indexes: topological order first
  std::unordered_set<std::size_t> blocked_;
  std::unordered_map<std::size_t, std::string> blocked_by_;
  std::size_t finished_ = 0;
  int started_ = 0;
  bool stop_ = false;
  std::vector<char> state_;  // 1 once started or skipped
  // Ctrl-C (watch_interrupts): the connections running a node, under running_mutex_.
  std::atomic<bool> interrupted_{false};
  std::mutex running_mutex_;
  std::condition_variable running_cv_;
  std::set<Connection*> running_;
  bool workers_done_ = false;
  std::vector<std::string> details_;
  RunSummary summary_;
};

}  // namespace

std::string format_count(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string progress_line(const std::string& left, const std::string& right) {
  std::string line = left + " ";
  std::size_t room = kLineWidth > right.size() + 1 ? kLineWidth - right.size() - 1 : 0;
  if (line.size() < room)
    line.append(room - line.size(), '.');
  else
    line += "...";
  return line + " " + right;
}

RunSummary run_nodes(const Project& project, const Dag& dag,
                     const std::vector<std::size_t>& selected, const RunOptions& options) {
  Run run(project, dag, selected, options);
  return run.execute();
}

}  // namespace baliza::transform
