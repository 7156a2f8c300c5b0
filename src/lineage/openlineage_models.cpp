#include "lineage/openlineage_models.h"

#include <filesystem>

#include "transform/relation.h"

namespace baliza::lineage {

using transform::Node;
using transform::NodeResult;
using transform::ResourceType;

namespace {

bool emits(const Node& n) {
  if (n.resource_type == ResourceType::kSeed || n.resource_type == ResourceType::kSnapshot)
    return true;
  return n.resource_type == ResourceType::kModel && n.config.materialized != "ephemeral";
}

const char* job_type(const Node& n) {
  if (n.resource_type == ResourceType::kSeed) return "SEED";
  if (n.resource_type == ResourceType::kSnapshot) return "SNAPSHOT";
  return "MODEL";
}

std::string dataset_name(const Node& n) {
  return transform::node_schema(n) + "." + transform::node_identifier(n);
}

std::string job_name(const transform::Project& project, const Node& n) {
  return project.name() + "." + n.name;
}

std::string source_url(const transform::Project& project, const Node& n) {
  if (project.root.rfind("embedded:", 0) == 0) return project.root + "/" + n.original_file_path;
  std::error_code ec;
  auto path =
      std::filesystem::absolute(std::filesystem::path(project.root) / n.original_file_path, ec);
  return "file://" + path.lexically_normal().string();
}

}  // namespace

ModelEvents::ModelEvents(EventClient& client, const transform::Project& project,
                         const transform::Dag& dag, const std::vector<std::size_t>& selected,
                         const std::string& db_path, RunRef parent,
                         std::function<std::unique_ptr<Connection>()> connect)
    : client_(client),
      project_(project),
      dag_(dag),
      namespace_(duckdb_namespace(db_path)),
      parent_(std::move(parent)),
      connect_(std::move(connect)) {
  std::set<std::string> chosen;
  for (std::size_t i : selected) chosen.insert(dag.id(i));
  for (std::size_t i : selected) {
    const Node& t = dag.node(i);
    if (t.resource_type != ResourceType::kTest) continue;
    std::vector<std::string> models;
    if (!t.attached_node.empty()) {
      models.push_back(t.attached_node);
    } else {
      for (std::size_t p : dag.parents(i)) models.push_back(dag.id(p));
    }
    for (const std::string& m : models) {
      if (chosen.count(m) == 0) continue;
      targets_[t.unique_id].push_back(m);
      ++pending_tests_[m];
    }
  }
}

ModelEvents::~ModelEvents() {
  close();
}

void ModelEvents::attach(transform::RunOptions& run) {
  run.on_node_start = [this](const Node& n) { on_start(n); };
  run.on_node_finish = [this](const Node& n, const NodeResult& r) { on_finish(n, r); };
}

nlohmann::json ModelEvents::run_facets() const {
  nlohmann::json f = {{"parent", parent_facet(parent_)}};
  if (!engine_version_.empty()) f["processing_engine"] = processing_engine_facet(engine_version_);
  return f;
}

nlohmann::json ModelEvents::job_facets(const Node& n, const std::string& sql) const {
  nlohmann::json f = {{"jobType", job_type_facet(job_type(n))},
                      {"sourceCodeLocation", source_location_facet(source_url(project_, n))}};
  if (!sql.empty()) f["sql"] = sql_facet(sql);
  return f;
}

nlohmann::json ModelEvents::inputs_of(std::size_t index) const {
  nlohmann::json inputs = nlohmann::json::array();
  std::set<std::string> seen;
  std::vector<std::size_t> stack(dag_.parents(index).rbegin(), dag_.parents(index).rend());
  while (!stack.empty()) {
    std::size_t p = stack.back();
    stack.pop_back();
    const Node& n = dag_.node(p);
    if (n.resource_type == ResourceType::kModel && n.config.materialized == "ephemeral") {
      stack.insert(stack.end(), dag_.parents(p).rbegin(), dag_.parents(p).rend());
      continue;
    }
    if (n.resource_type == ResourceType::kTest) continue;
    std::string name = dataset_name(n);
    if (seen.insert(name).second) inputs.push_back(dataset(namespace_, name));
  }
  return inputs;
}

nlohmann::json ModelEvents::output_of(const Node& n) const {
  return dataset(namespace_, dataset_name(n));
}

std::vector<SchemaField> ModelEvents::read_schema(const Node& n, Connection& conn) {
  std::vector<SchemaField> fields;
  try {
    // pragma_table_info looks the one table up; duckdb_columns() would list every column of
    // the database for each model (most of what events cost on a PNCP month).
    Result r = conn.query("SELECT name, type FROM pragma_table_info(" +
                          quote_literal(quote_identifier(transform::node_schema(n)) + "." +
                                        quote_identifier(transform::node_identifier(n))) +
                          ") ORDER BY cid");
    std::map<std::string, std::string> docs;
    for (const auto& c : n.columns) docs[c.name] = c.description;
    for (std::size_t i = 0; i < r.row_count(); ++i) {
      std::string name = r.get_string(0, i);
      fields.push_back({name, r.get_string(1, i), docs.count(name) ? docs[name] : ""});
    }
  } catch (const std::exception&) {
    // The schema is a courtesy: an event without it is still true.
  }
  return fields;
}

nlohmann::json ModelEvents::column_lineage_facet(const Node& n, const ModelShape* shape,
                                                 const std::string& error, Connection& conn) {
  // The column lineage is reused by the build (take_lineage): not charged to the events.
  const std::int64_t t0 = thread_cpu_ns();
  lineage_.add_model(n, shape, error, conn);
  if (client_.enabled()) client_.add_cpu_ns(-(thread_cpu_ns() - t0));
  const ModelColumns* m = lineage_.find(n.unique_id);
  if (!m || !m->lineage.known) return nullptr;
  auto input_field = [&](const ColumnInput& in) {
    nlohmann::json t = {{"type", in.type}, {"subtype", in.subtype}};
    if (!in.field_path.empty()) {
      std::string d = "JSON field " + in.field_path;
      for (std::size_t i = 0; i < in.endpoints.size(); ++i)
        d += (i ? ", " : " of endpoint ") + in.endpoints[i];
      t["description"] = d;
    }
    return nlohmann::json{
        {"namespace", namespace_},
        {"name", in.relation.schema.empty() ? "main." + in.relation.table : in.relation.label()},
        {"field", in.column},
        {"transformations", nlohmann::json::array({t})}};
  };
  nlohmann::json fields = nlohmann::json::object();
  for (const ColumnLineage& c : m->lineage.columns) {
    if (!c.known) continue;
    nlohmann::json inputs = nlohmann::json::array();
    for (const ColumnInput& in : c.inputs) inputs.push_back(input_field(in));
    fields[c.column] = {{"inputFields", std::move(inputs)}};
  }
  nlohmann::json dataset = nlohmann::json::array();
  for (const ColumnInput& in : m->lineage.dataset) dataset.push_back(input_field(in));
  nlohmann::json f = facet("ColumnLineageDatasetFacet");
  f["fields"] = std::move(fields);
  f["dataset"] = std::move(dataset);
  return f;
}

void ModelEvents::on_start(const Node& n) {
  if (!emits(n)) return;
  CpuCharge charge(client_);
  std::lock_guard<std::mutex> lock(mutex_);
  if (closed_) return;
  Open& o = open_[n.unique_id];
  o.run = {new_run_id(), {parent_.job.job_namespace, job_name(project_, n)}};
  auto index = dag_.index_of(n.unique_id);
  client_.emit(run_event("START", o.run, run_facets(), job_facets(n, ""),
                         index ? inputs_of(*index) : nlohmann::json::array(),
                         nlohmann::json::array({output_of(n)})));
}

void ModelEvents::on_finish(const Node& n, const NodeResult& r) {
  CpuCharge charge(client_);
  if (n.resource_type == ResourceType::kTest) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!closed_) record_test(n, r);
    return;
  }
  if (!emits(n)) return;
  // The catalog reads happen on this worker's own short-lived connection and outside the lock,
  // so workers never wait for each other's events.
  std::unique_ptr<Connection> conn;
  std::vector<SchemaField> fields;
  std::optional<ModelShape> shape;
  std::string error;
  if (r.status == "success") {
    try {
      conn = connect_();
      fields = read_schema(n, *conn);
      if (n.resource_type == ResourceType::kModel && !r.compiled_code.empty()) {
        // The parse is reused by the build (take_lineage): not charged to the events.
        const std::int64_t t0 = thread_cpu_ns();
        shape = analyze_sql(*conn, r.compiled_code);
        if (client_.enabled()) client_.add_cpu_ns(-(thread_cpu_ns() - t0));
      }
    } catch (const std::exception& e) {
      error = e.what();  // the events are still true without these facets
    }
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (closed_) return;
  auto it = open_.find(n.unique_id);
  if (it == open_.end()) return;  // skipped: never started
  Open& o = it->second;
  o.finished = true;
  if (engine_version_.empty() && conn) {
    try {
      engine_version_ = conn->scalar("SELECT version()").value_or("");
    } catch (const std::exception&) {
    }
  }
  auto index = dag_.index_of(n.unique_id);
  nlohmann::json inputs = index ? inputs_of(*index) : nlohmann::json::array();
  if (r.status != "success") {
    nlohmann::json facets = run_facets();
    facets["errorMessage"] = error_facet(r.message.empty() ? r.status : r.message);
    client_.emit(run_event(r.interrupted ? "ABORT" : "FAIL", o.run, std::move(facets),
                           job_facets(n, r.compiled_code), std::move(inputs),
                           nlohmann::json::array({output_of(n)})));
    open_.erase(it);
    return;
  }
  nlohmann::json output = output_of(n);
  output["facets"]["schema"] = schema_facet(fields);
  if (conn && n.resource_type == ResourceType::kModel && !r.compiled_code.empty()) {
    nlohmann::json lineage = column_lineage_facet(n, shape ? &*shape : nullptr, error, *conn);
    if (!lineage.is_null()) output["facets"]["columnLineage"] = std::move(lineage);
  }
  if (r.rows_affected >= 0) {
    output["outputFacets"] = {{"outputStatistics", output_statistics_facet(r.rows_affected)}};
  }
  o.complete = run_event("COMPLETE", o.run, run_facets(), job_facets(n, r.compiled_code),
                         std::move(inputs), nlohmann::json::array({std::move(output)}));
  if (pending_tests_[n.unique_id] == 0) release(n.unique_id);
}

void ModelEvents::record_test(const Node& t, const NodeResult& r) {
  auto it = targets_.find(t.unique_id);
  if (it == targets_.end()) return;
  for (const std::string& m : it->second) {
    if (r.status != "skipped") {
      Assertion a;
      a.assertion = t.is_generic_test ? t.test_metadata.test_name : t.name;
      a.column = t.is_generic_test ? t.test_metadata.column_name : "";
      a.success = r.status == "pass";
      a.severity = t.config.severity.empty() ? "error" : t.config.severity;
      a.name = t.name;
      assertions_[m].push_back(std::move(a));
    }
    if (--pending_tests_[m] == 0) {
      auto o = open_.find(m);
      if (o != open_.end() && o->second.finished) release(m);
    }
  }
}

// Emits the held COMPLETE of `model_id` with its assertions. Called with the lock held.
void ModelEvents::release(const std::string& model_id) {
  auto it = open_.find(model_id);
  if (it == open_.end() || it->second.complete.is_null()) return;
  nlohmann::json event = std::move(it->second.complete);
  auto a = assertions_.find(model_id);
  if (a != assertions_.end() && !a->second.empty()) {
    event["outputs"][0]["facets"]["dataQualityAssertions"] = data_quality_facet(a->second);
  }
  client_.emit(event);
  open_.erase(it);
}

void ModelEvents::close() {
  CpuCharge charge(client_);
  std::lock_guard<std::mutex> lock(mutex_);
  if (closed_) return;
  closed_ = true;
  std::vector<std::string> ids;
  for (const auto& [id, o] : open_) ids.push_back(id);
  for (const std::string& id : ids) {
    auto it = open_.find(id);
    if (it->second.finished) {
      release(id);  // its tests never ran
      continue;
    }
    auto index = dag_.index_of(id);
    nlohmann::json facets = run_facets();
    facets["errorMessage"] = error_facet("interrupted before the model finished");
    client_.emit(run_event(
        "ABORT", it->second.run, std::move(facets), nlohmann::json::object(),
        nlohmann::json::array(),
        index ? nlohmann::json::array({output_of(dag_.node(*index))}) : nlohmann::json::array()));
    open_.erase(it);
  }
}

ProjectLineage ModelEvents::take_lineage() {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::move(lineage_);
}

}  // namespace baliza::lineage
