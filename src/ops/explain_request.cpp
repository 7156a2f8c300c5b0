#include "ops/explain_request.h"

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "core/error.h"
#include "db/read_guard.h"
#include "lineage/explain.h"
#include "transform/relation.h"

namespace baliza::ops {

using nlohmann::json;
namespace fs = std::filesystem;

json ExplainRequest::to_json() const {
  return {{"op", op},         {"project", project}, {"model", model},
          {"where", where},   {"key", key},         {"page", page},
          {"column", column}, {"limit", limit},     {"show_json", show_json}};
}

ExplainRequest ExplainRequest::from_json(const json& j) {
  if (!j.is_object()) throw usage_error("an explain request must be a JSON object");
  ExplainRequest r;
  try {
    r.op = j.value("op", "");
    r.project = j.value("project", "");
    r.model = j.value("model", "");
    r.where = j.value("where", "");
    r.key = j.value("key", "");
    r.page = j.value("page", "");
    r.column = j.value("column", "");
    r.limit = j.value("limit", 5);
    r.show_json = j.value("show_json", false);
  } catch (const json::exception& e) {
    throw usage_error(std::string("malformed explain request: ") + e.what());
  }
  if (r.op != "trace" && r.op != "impact")
    throw usage_error("an explain request's op must be trace or impact, not '" + r.op + "'");
  if (r.limit < 0) throw usage_error("an explain request's limit must be >= 0");
  return r;
}

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A model or seed by ref name, else by its schema.table (as the engine finds it).
const transform::Node* find_node(const transform::Project& project, const std::string& name) {
  if (const transform::Node* n = project.find_ref(name)) return n;
  for (const transform::Node& n : project.nodes) {
    if (n.resource_type == transform::ResourceType::kTest) continue;
    if (lower(transform::relation_label(n)) == lower(name)) return &n;
  }
  return nullptr;
}

// The SQL naming `name` for the guard's check: a node's relation, else schema.table as given.
std::string relation_for_check(const transform::Project& project, const std::string& name) {
  if (const transform::Node* n = find_node(project, name)) return transform::relation_sql(*n);
  auto dot = name.find('.');
  if (dot == std::string::npos) return quote_identifier(name);
  return quote_identifier(name.substr(0, dot)) + "." + quote_identifier(name.substr(dot + 1));
}

// The caller's predicate, checked by the read guard over relation, in the parentheses checked.
std::string checked_predicate(Connection& conn, const std::string& relation_sql,
                              const std::string& where) {
  if (where.empty()) return "";
  std::string predicate = "(" + where + ")";
  check_read_only_statement(conn, "SELECT count(*) FROM " + relation_sql + " WHERE " + predicate);
  return predicate;
}

}  // namespace

ExplainAnswer run_explain(Connection& conn, const transform::Project& project,
                          const ExplainRequest& request, lineage::AnalysisCache* cache) {
  ExplainAnswer answer;
  lineage::ExplainResult r;
  if (request.op == "trace") {
    if (request.model.empty()) throw usage_error("trace needs a model");
    const transform::Node* n = find_node(project, request.model);
    if (!n || (n->resource_type != transform::ResourceType::kModel &&
               n->resource_type != transform::ResourceType::kSeed))
      throw usage_error("unknown model '" + request.model +
                        "' (baliza ls lists the project's models)");
    lineage::TraceOptions o;
    o.limit = request.limit;
    o.show_json = request.show_json;
    if (!request.key.empty() && !request.where.empty())
      throw usage_error("trace needs exactly one of --where or --key");
    o.where = !request.key.empty()
                  ? lineage::key_predicate(conn, project, n->name, request.key, cache)
                  : checked_predicate(conn, transform::relation_sql(*n), request.where);
    if (o.where.empty()) throw usage_error("trace needs exactly one of --where or --key");
    r = lineage::trace(conn, project, n->name, o, cache);
    answer.where = o.where;
  } else if (request.op == "impact") {
    lineage::ImpactStart start;
    start.page = request.page;
    start.relation = request.model;
    start.column = request.column;
    if (!start.relation.empty()) {
      if (!request.key.empty()) {
        if (!request.where.empty())
          throw usage_error("impact takes --where or a key value, not both");
        start.where = lineage::key_predicate(conn, project, start.relation, request.key, cache);
      } else {
        start.where =
            checked_predicate(conn, relation_for_check(project, start.relation), request.where);
      }
    } else if (!request.where.empty() || !request.key.empty()) {
      throw usage_error("impact --where needs --relation");
    }
    lineage::ImpactOptions o;
    o.limit = request.limit;
    r = lineage::impact(conn, project, start, o, cache);
    answer.where = start.where;
  } else {
    throw usage_error("an explain request's op must be trace or impact");
  }
  answer.result = r.to_json();
  answer.text = r.to_text();
  answer.exit_code = r.exit_code();
  answer.ran_by = "this process";
  return answer;
}

namespace {

// What a project's loader reads, as (path, size, mtime) lines: a change to any makes a reload.
std::string project_fingerprint(const fs::path& dir) {
  std::string out;
  std::error_code ec;
  auto add = [&](const fs::path& p) {
    auto size = fs::file_size(p, ec);
    if (ec) return;
    auto time = fs::last_write_time(p, ec);
    if (ec) return;
    out += p.generic_string() + '\t' + std::to_string(size) + '\t' +
           std::to_string(time.time_since_epoch().count()) + '\n';
  };
  std::optional<std::string> file = transform::project_file_in(dir);
  if (!file) return "";
  add(dir / *file);
  transform::ProjectSettings settings = transform::read_project_settings(dir);
  for (const std::string& root : settings.all_paths()) {
    fs::path base = dir / root;
    if (!fs::is_directory(base, ec)) continue;
    for (auto it = fs::recursive_directory_iterator(base, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) break;
      if (it->is_regular_file(ec)) add(it->path());
    }
  }
  return out;
}

class ProjectCache {
 public:
  explicit ProjectCache(const transform::Project* preloaded) : preloaded_(preloaded) {}

  std::shared_ptr<const transform::Project> get(const std::string& root) {
    if (preloaded_ && root == preloaded_->root)
      return std::shared_ptr<const transform::Project>(preloaded_, [](const auto*) {});
    std::lock_guard<std::mutex> lock(mutex_);
    if (root.rfind("embedded:", 0) == 0) {
      auto& entry = cache_[root];
      if (!entry.project) {
        std::string name = root.substr(9);
        auto files = transform::embedded_project_files(name);
        if (files.empty()) throw usage_error("no project " + root + " is built into this baliza");
        entry.project = std::make_shared<const transform::Project>(
            transform::load_project_files(std::move(files), root));
      }
      return entry.project;
    }
    fs::path dir(root);
    if (root.empty() || !dir.is_absolute())
      throw usage_error("an explain request names its project by an absolute folder, not '" + root +
                        "'");
    if (!transform::project_file_in(dir))
      throw usage_error("no baliza.yml or dbt_project.yml in " + root +
                        " (the project of the trace or impact request)");
    std::string fingerprint = project_fingerprint(dir);
    auto& entry = cache_[root];
    if (!entry.project || entry.fingerprint != fingerprint) {
      entry.project = std::make_shared<const transform::Project>(transform::load_project(dir));
      entry.fingerprint = fingerprint;
    }
    return entry.project;
  }

 private:
  struct Entry {
    std::string fingerprint;
    std::shared_ptr<const transform::Project> project;
  };
  const transform::Project* preloaded_;
  std::mutex mutex_;
  std::map<std::string, Entry> cache_;
};

json answer_json(const ExplainAnswer& a) {
  return {{"result", a.result}, {"text", a.text}, {"where", a.where}, {"exit_code", a.exit_code}};
}

}  // namespace

ReadProcedures explain_procedures(const transform::Project* preloaded) {
  auto cache = std::make_shared<ProjectCache>(preloaded);
  // Model analyses shared by every request these procedures answer (keyed by project root and
  // model, checked against the compiled SQL and the catalog: lineage/analysis_cache.h).
  auto analyses = std::make_shared<lineage::AnalysisCache>();
  ReadProcedures procedures;
  procedures[kExplainProcedure] = [cache, analyses](Connection& conn,
                                                    const std::string& arguments) {
    json args = json::parse(arguments, nullptr, false);
    if (args.is_discarded()) throw usage_error("an explain request must be JSON");
    ExplainRequest request = ExplainRequest::from_json(args);
    std::shared_ptr<const transform::Project> project = cache->get(request.project);
    return answer_json(run_explain(conn, *project, request, analyses.get())).dump();
  };
  return procedures;
}

ExplainAnswer explain(Reader& reader, const ExplainRequest& request) {
  std::string text = reader.call(kExplainProcedure, request.to_json().dump());
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    throw failure("the answer to a " + request.op + " request from " + reader.source() +
                  " is not JSON");
  ExplainAnswer a;
  a.result = j.value("result", json::object());
  a.text = j.value("text", "");
  a.where = j.value("where", "");
  a.exit_code = j.value("exit_code", 1);
  a.ran_by = reader.served_by_holder() ? reader.source() : "this process";
  return a;
}

}  // namespace baliza::ops
