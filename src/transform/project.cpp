#include "transform/project.h"

#include <algorithm>
#include <numeric>

#include "core/embedded_files.h"
#include "core/error.h"
#include "core/sha256.h"
#include "core/upward_search.h"
#include "transform/dbt_project_file.h"
#include "transform/microbatch.h"
#include "transform/packages/builtin_packages.h"
#include "transform/project_config_render.h"
#include "transform/project_files.h"
#include "transform/schema_yml.h"
#include "transform/source_freshness.h"
#include "transform/test_nodes.h"
#include "transform/text_util.h"

namespace baliza::transform {
namespace {

constexpr const char* kProjectFile = "baliza.yml";

// [project, folders..., stem] for a path relative to its model/seed/test folder.
std::vector<std::string> make_fqn(const std::string& project, std::string_view relative,
                                  std::string_view stem) {
  std::vector<std::string> fqn{project};
  std::size_t start = 0;
  for (std::size_t slash; (slash = relative.find('/', start)) != std::string_view::npos;
       start = slash + 1) {
    fqn.emplace_back(relative.substr(start, slash - start));
  }
  fqn.emplace_back(stem);
  return fqn;
}

std::string_view stem_of(std::string_view relative) {
  std::size_t slash = relative.rfind('/');
  std::string_view file = slash == std::string_view::npos ? relative : relative.substr(slash + 1);
  return file.substr(0, file.rfind('.'));
}

// Builds nodes from classified files. One instance per load.
class ProjectBuilder {
 public:
  ProjectBuilder(Project& project, const nlohmann::json* target = nullptr)
      : p_(project), target_(target) {}

  void add_file(PreparedFile& f) {
    std::string_view rel = std::string_view(f.file.path).substr(f.relative_offset);
    switch (f.kind) {
      case FileKind::kModel:
        add_model(f, rel);
        break;
      case FileKind::kPythonModel:
        add_model(f, rel);
        p_.nodes.back().language = "python";
        break;
      case FileKind::kSeed:
        add_seed(f, rel);
        break;
      case FileKind::kSingularTest:
        add_singular_test(f, rel);
        break;
      case FileKind::kSnapshot:
        for (auto& [name, tmpl] : f.snapshots) add_snapshot(f, rel, name, tmpl);
        break;
      case FileKind::kProperties:
        property_files_.push_back(&f);
        break;
      case FileKind::kMacros:  // gathered by link_macros() before nodes are built
      case FileKind::kIgnored:
        break;
    }
  }

  void finish() {
    for (PreparedFile* file : property_files_) apply_schema_file(file->properties);
    for (Node& n : p_.nodes) apply_configs(n);
    for (auto& [test, attached_index] : pending_tests_) add_generic_test(test, attached_index);
    sort_nodes();
    p_.reindex();
    link_tests();
  }

 private:
  // Sorts through a permutation: nodes are large, so each is moved once.
  void sort_nodes() {
    std::vector<std::size_t> order(p_.nodes.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return p_.nodes[a].unique_id < p_.nodes[b].unique_id;
    });
    std::vector<Node> sorted;
    sorted.reserve(order.size());
    for (std::size_t i : order) sorted.push_back(std::move(p_.nodes[i]));
    p_.nodes = std::move(sorted);
  }

  Node& new_node(ResourceType type, const PreparedFile& file, std::string_view rel,
                 std::string_view stem) {
    Node& n = p_.nodes.emplace_back();
    n.resource_type = type;
    n.name = std::string(stem);
    n.unique_id = std::string(to_string(type)) + "." + p_.name() + "." + n.name;
    n.package_name = p_.name();
    n.original_file_path = file.file.path;
    n.path = std::string(rel);
    n.fqn = make_fqn(p_.name(), rel, stem);
    n.checksum = file.checksum;
    n.config = default_config(type);
    return n;
  }

  void claim_name(const Node& n) {
    auto [it, inserted] = ref_names_.emplace(n.name, p_.nodes.size() - 1);
    if (!inserted) {
      const Node& other = p_.nodes[it->second];
      throw usage_error("duplicate " + std::string(to_string(n.resource_type)) + " name '" +
                        n.name + "': " + other.original_file_path + " and " + n.original_file_path +
                        "; rename one of them (names must be unique "
                        "across models and seeds, because ref() uses them)");
    }
  }

  static void attach_template(Node& n, PreparedFile& file) {
    n.refs = file.tmpl->refs();
    n.sources = file.tmpl->sources();
    n.raw_code = std::move(file.file.content);
    n.tmpl = std::move(file.tmpl);
  }

  void add_model(PreparedFile& file, std::string_view rel) {
    Node& n = new_node(ResourceType::kModel, file, rel, stem_of(rel));
    claim_name(n);
    attach_template(n, file);
  }

  void add_seed(PreparedFile& file, std::string_view rel) {
    Node& n = new_node(ResourceType::kSeed, file, rel, stem_of(rel));
    claim_name(n);
    n.raw_code = std::move(file.file.content);
  }

  void add_snapshot(const PreparedFile& file, std::string_view rel, const std::string& name,
                    std::shared_ptr<Template>& tmpl) {
    std::string folder_rel(rel);
    std::size_t slash = folder_rel.rfind('/');
    folder_rel = slash == std::string::npos ? name : folder_rel.substr(0, slash + 1) + name;
    Node& n = new_node(ResourceType::kSnapshot, file, folder_rel + ".sql", name);
    n.path = std::string(rel);
    claim_name(n);
    n.refs = tmpl->refs();
    n.sources = tmpl->sources();
    n.raw_code = tmpl->source();
    n.tmpl = std::move(tmpl);
  }

  void add_singular_test(PreparedFile& file, std::string_view rel) {
    Node& n = new_node(ResourceType::kTest, file, rel, stem_of(rel));
    auto [it, inserted] = test_names_.emplace(n.name, n.original_file_path);
    if (!inserted) {
      throw usage_error("duplicate test name '" + n.name + "': " + it->second + " and " +
                        n.original_file_path + "; rename one of them");
    }
    attach_template(n, file);
  }

  void apply_schema_file(SchemaFile& schema) {
    for (NodePatch& patch : schema.models) apply_patch(std::move(patch), ResourceType::kModel);
    for (NodePatch& patch : schema.seeds) apply_patch(std::move(patch), ResourceType::kSeed);
    for (NodePatch& patch : schema.snapshots)
      apply_patch(std::move(patch), ResourceType::kSnapshot);
    for (SourceDef& source : schema.sources) add_source(source);
  }

  void apply_patch(NodePatch patch, ResourceType type) {
    auto it = ref_names_.find(patch.name);
    if (it == ref_names_.end() || p_.nodes[it->second].resource_type != type) {
      p_.warnings.push_back(format_pos(patch.file, patch.pos) + ": " +
                            std::string(to_string(type)) + " '" + patch.name +
                            "' is described here but has no " +
                            (type == ResourceType::kSeed ? ".csv" : ".sql") + " file");
      return;
    }
    Node& n = p_.nodes[it->second];
    if (!n.patch_path.empty()) {
      throw usage_error(std::string(to_string(type)) + " '" + patch.name +
                        "' is described twice: " + format_pos(n.patch_path, n.patch_pos) + " and " +
                        format_pos(patch.file, patch.pos) + "; keep one entry");
    }
    n.patch_path = patch.file;
    n.patch_pos = patch.pos;
    n.description = std::move(patch.description);
    n.columns = std::move(patch.columns);
    n.meta = std::move(patch.meta);
    yml_config_[it->second] = std::move(patch.config);
    for (TestSpec& t : patch.tests) pending_tests_.emplace_back(std::move(t), it->second);
  }

  // The last value of `key` in a config patch, or nullptr when it has none.
  static const nlohmann::json* config_value(const ConfigPatch& patch, std::string_view key) {
    const nlohmann::json* found = nullptr;
    for (const auto& [k, v] : patch) {
      if (k == key) found = &v;
    }
    return found;
  }

  // freshness and loaded_at_field / loaded_at_query as dbt merges them (source_freshness.h).
  void merge_source_policy(Node& n, const SourceDef& source, const SourceTableDef& table) {
    auto at = [](const nlohmann::json& extra, const char* key) -> const nlohmann::json* {
      auto it = extra.find(key);
      return it == extra.end() ? nullptr : &*it;
    };
    n.source_extra["freshness"] = merge_freshness(
        {config_value(p_.settings.sources.config, "freshness"), at(source.extra, "freshness"),
         config_value(source.config, "freshness"), at(table.extra, "freshness"),
         config_value(table.patch.config, "freshness")});
    for (const char* key : {"loaded_at_field", "loaded_at_query"}) {
      const nlohmann::json* value = config_value(table.patch.config, key);
      if (value == nullptr) value = at(table.extra, key);
      if (value == nullptr) value = config_value(source.config, key);
      if (value == nullptr) value = at(source.extra, key);
      if (value != nullptr)
        n.source_extra[key] = *value;
      else
        n.source_extra.erase(key);
    }
    if (!source.description.empty()) n.source_extra["source_description"] = source.description;
  }

  void add_source(SourceDef& source) {
    for (SourceTableDef& table : source.tables) {
      Node& n = p_.nodes.emplace_back();
      NodePatch& patch = table.patch;
      n.resource_type = ResourceType::kSource;
      n.name = patch.name;
      n.source_name = source.name;
      n.unique_id = "source." + p_.name() + "." + source.name + "." + patch.name;
      n.package_name = p_.name();
      n.original_file_path = source.file;
      n.path = source.file;
      n.patch_path = source.file;
      n.patch_pos = patch.pos;
      n.fqn = {p_.name(), source.name, patch.name};
      n.schema = source.schema;
      n.identifier = table.identifier.empty() ? patch.name : table.identifier;
      n.description = std::move(patch.description);
      n.columns = std::move(patch.columns);
      n.meta = std::move(patch.meta);
      n.source_extra = source.extra;
      n.source_extra.update(table.extra);
      merge_source_policy(n, source, table);
      // dbt-duckdb: meta.external_location (the table's, else the source's) reads files.
      for (const nlohmann::json* meta : {&n.meta, &source.meta}) {
        if (meta->is_object() && meta->contains("external_location") &&
            (*meta)["external_location"].is_string()) {
          n.source_extra["external_location"] = (*meta)["external_location"];
          break;
        }
      }
      n.config = default_config(ResourceType::kSource);
      n.config.schema = source.schema;
      n.config.database = source.database;
      n.checksum = sha256_hex(n.unique_id + "|" + n.schema + "|" + n.identifier);
      std::size_t index = p_.nodes.size() - 1;
      auto [it, inserted] = source_tables_.emplace(n.unique_id, index);
      if (!inserted) {
        throw usage_error(
            "source table '" + source.name + "." + patch.name + "' is defined twice: " +
            format_pos(p_.nodes[it->second].patch_path, p_.nodes[it->second].patch_pos) + " and " +
            format_pos(source.file, patch.pos) + "; keep one");
      }
      ConfigPatch config = source.config;
      config.insert(config.end(), patch.config.begin(), patch.config.end());
      yml_config_[index] = std::move(config);
      for (TestSpec& t : patch.tests) pending_tests_.emplace_back(std::move(t), index);
    }
  }

  void apply_configs(Node& n) {
    std::size_t index = static_cast<std::size_t>(&n - p_.nodes.data());
    const ProjectSettings& s = p_.settings;
    if (n.resource_type == ResourceType::kModel)
      apply_config(n.config, folder_config_for(s.models, n.fqn));
    if (n.resource_type == ResourceType::kSeed)
      apply_config(n.config, folder_config_for(s.seeds, n.fqn));
    if (n.resource_type == ResourceType::kTest)
      apply_config(n.config, folder_config_for(s.tests, n.fqn));
    if (n.resource_type == ResourceType::kSnapshot)
      apply_config(n.config, folder_config_for(s.snapshots, n.fqn));
    if (auto it = yml_config_.find(index); it != yml_config_.end()) {
      render_config_patch(it->second, n.resource_type, p_.vars, target_,
                          n.patch_path.empty() ? n.original_file_path : n.patch_path);
      apply_config(n.config, it->second);
    }
    if (n.tmpl && n.tmpl->has_config()) apply_template_config(n);
    for (const std::string& dep : n.config.depends_on) add_config_dependency(n, dep);
    if (is_microbatch(n)) microbatch_spec(n);  // its config is checked before anything runs
    // A unit batch_size outside a microbatch model: dbt ignores it (said once per node); in a
    // baliza.yml project batch_size is the batched build's number, so it is an error.
    const nlohmann::json& extra = n.config.extra;
    if (!is_microbatch(n) && extra.is_object() && extra.contains("batch_size") &&
        extra.at("batch_size").is_string()) {
      std::string problem = "batch_size '" + extra.at("batch_size").get<std::string>() + "' in " +
                            std::string(to_string(n.resource_type)) + " " + n.name + " (" +
                            n.original_file_path +
                            ") is a microbatch unit: add incremental_strategy='microbatch' with "
                            "event_time and begin";
      if (p_.settings.file == kDbtProjectFile) {
        p_.warnings.push_back(problem + "; ignored here, as dbt does");
      } else {
        throw usage_error("batch_size must be a positive number for Baliza's batched build; " +
                          problem + ", or write batch_size=10000");
      }
    }
  }

  void apply_template_config(Node& n) {
    ConfigPatch patch;
    for (ConfigArg& arg : n.tmpl->config(p_.vars)) {
      if (auto problem = normalize_config_entry(n.resource_type, arg.key, arg.value)) {
        throw usage_error(*problem + " at " + format_pos(n.original_file_path, arg.pos));
      }
      patch.push_back({arg.key, std::move(arg.value)});
    }
    apply_config(n.config, patch);
  }

  // depends_on entries are "ref('x')", "source('s', 't')" or a bare name.
  void add_config_dependency(Node& n, const std::string& dep) {
    if (dep.find('(') == std::string::npos) {
      n.refs.push_back({"", dep, SourcePos{}});
      return;
    }
    Template t = Template::parse("{{ " + dep + " }}",
                                 n.patch_path.empty() ? n.original_file_path : n.patch_path);
    n.refs.insert(n.refs.end(), t.refs().begin(), t.refs().end());
    n.sources.insert(n.sources.end(), t.sources().begin(), t.sources().end());
  }

  // A test name must be built in or a {% test %} macro (test_<name>) of the project.
  void check_test_name(const TestSpec& test) {
    const std::vector<std::string>& builtin = generic_test_names();
    if (std::find(builtin.begin(), builtin.end(), test.test_name) != builtin.end()) return;
    if (p_.macros->find_test(test.test_name, nullptr) != nullptr) return;
    std::vector<std::string> names = builtin;
    for (const auto& [name, macro] : p_.macros->all())
      if (name.rfind("test_", 0) == 0) names.push_back(name.substr(5));
    std::string hint = did_you_mean(test.test_name, names);
    throw usage_error("unknown test '" + test.test_name + "' at " +
                      format_pos(test.file, test.pos) + (hint.empty() ? "" : hint) +
                      "; tests: " + join(names, ", ") +
                      "; define others with {% test name(model, column_name) %} in macros/ or "
                      "tests/generic/, or write the check as SQL in tests/");
  }

  void add_generic_test(const TestSpec& test, std::size_t attached_index) {
    check_test_name(test);
    Node node = make_generic_test_node(test, p_.nodes[attached_index], p_.name());
    if (!test_names_.emplace(node.name, test.file).second) {
      // Same test declared twice (or a name clash): keep both, distinguished by position.
      std::string hash = sha256_hex(format_pos(test.file, test.pos));
      node.name.append(1, '_').append(hash, 0, 10);
      node.unique_id = "test." + p_.name() + "." + node.name;
      node.fqn.back() = node.name;
      test_names_.emplace(node.name, test.file);
    }
    apply_config(node.config, folder_config_for(p_.settings.tests, node.fqn));
    ConfigPatch config = test.config;
    render_config_patch(config, ResourceType::kTest, p_.vars, target_,
                        format_pos(test.file, test.pos) + " (test " + test.test_name + ")");
    apply_config(node.config, config);
    p_.nodes.push_back(std::move(node));
  }

  // Fills Node::tests and ColumnSpec::tests of the tested nodes.
  void link_tests() {
    for (const Node& t : p_.nodes) {
      if (!t.is_generic_test) continue;
      auto it =
          std::lower_bound(p_.nodes.begin(), p_.nodes.end(), t.attached_node,
                           [](const Node& n, const std::string& id) { return n.unique_id < id; });
      Node& target = *it;
      target.tests.push_back(t.unique_id);
      for (ColumnSpec& c : target.columns) {
        if (c.name == t.test_metadata.column_name) c.tests.push_back(t.unique_id);
      }
    }
  }

  Project& p_;
  std::vector<PreparedFile*> property_files_;
  std::unordered_map<std::string, std::size_t> ref_names_;
  std::unordered_map<std::string, std::string> test_names_;
  std::unordered_map<std::string, std::size_t> source_tables_;
  std::unordered_map<std::size_t, ConfigPatch> yml_config_;
  const nlohmann::json* target_ = nullptr;  // the profile's target, for Jinja in yml configs
  std::vector<std::pair<TestSpec, std::size_t>> pending_tests_;
};

// Gathers the macro files into the project's library and links every template to it, so
// nodes see the refs and sources their macros use.
void link_macros(Project& p, std::vector<PreparedFile>& files) {
  auto library = std::make_shared<MacroLibrary>();
  for (PreparedFile& f : files) {
    if (f.kind == FileKind::kMacros) library->add(std::move(f.macro_file));
  }
  // dbt_packages/ as installed by `dbt deps`, packages.yml's local packages, then the built-in
  // dbt_utils, dbt_date, dbt_expectations and dbt. A listed package found nowhere is an error.
  std::vector<PackageEntry> listed;
  if (p.settings.dbt) listed = read_package_list(p.root);
  add_package_macros(*library, p.root, p.settings.packages_install_path, listed, &p.warnings);
  library->root_name = p.settings.name;
  library->check();
  // Every template's link error is reported, not only the first.
  std::vector<std::string> errors;
  for (PreparedFile& f : files) {
    try {
      if (f.tmpl) f.tmpl->link_macros(library, &p.vars);
      for (auto& [name, tmpl] : f.snapshots) tmpl->link_macros(library, &p.vars);
    } catch (const Error& e) {
      errors.emplace_back(e.what());
    }
  }
  throw_collected_errors(errors);
  p.macros = std::move(library);
}

Project build_project(ProjectSettings settings, std::vector<PreparedFile>& files,
                      const std::string& root, const LoadOptions& options) {
  Project p;
  p.settings = std::move(settings);
  p.root = root;
  p.vars = p.settings.vars;
  p.warnings = p.settings.warnings;
  if (options.cli_vars.is_object()) p.vars.update(options.cli_vars);
  if (p.settings.dbt) {
    render_config_templates(p.settings, p.vars,
                            options.target.is_object() ? &options.target : nullptr);
  }
  // Classify, drop what the project does not use, then do the per-file work in parallel.
  for (PreparedFile& f : files) f.kind = classify_file(f.file.path, p.settings, f.relative_offset);
  std::erase_if(files, [](const PreparedFile& f) { return f.kind == FileKind::kIgnored; });
  std::sort(files.begin(), files.end(),
            [](const PreparedFile& a, const PreparedFile& b) { return a.file.path < b.file.path; });
  prepare_files(files);
  link_macros(p, files);
  p.nodes.reserve(files.size() + files.size() / 4);
  ProjectBuilder builder(p, options.target.is_object() ? &options.target : nullptr);
  for (PreparedFile& f : files) builder.add_file(f);
  builder.finish();
  return p;
}

}  // namespace

const Node* Project::find(std::string_view unique_id) const {
  auto it = by_id_.find(std::string(unique_id));
  return it == by_id_.end() ? nullptr : &nodes[it->second];
}

const Node* Project::find_ref(std::string_view name) const {
  auto it = by_ref_name_.find(std::string(name));
  return it == by_ref_name_.end() ? nullptr : &nodes[it->second];
}

const Node* Project::find_source(std::string_view source_name, std::string_view table) const {
  return find("source." + name() + "." + std::string(source_name) + "." + std::string(table));
}

void Project::reindex() {
  by_id_.clear();
  by_ref_name_.clear();
  by_id_.reserve(nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    by_id_.emplace(nodes[i].unique_id, i);
    if (nodes[i].resource_type == ResourceType::kModel ||
        nodes[i].resource_type == ResourceType::kSeed ||
        nodes[i].resource_type == ResourceType::kSnapshot) {
      by_ref_name_.emplace(nodes[i].name, i);
    }
  }
}

std::optional<std::string> project_file_in(const std::filesystem::path& dir) {
  std::error_code ec;
  bool baliza = std::filesystem::exists(dir / kProjectFile, ec);
  bool dbt = std::filesystem::exists(dir / kDbtProjectFile, ec);
  if (baliza && (!dbt || std::filesystem::is_directory(dir / "models", ec))) return kProjectFile;
  if (dbt) return kDbtProjectFile;
  return std::nullopt;
}

std::filesystem::path find_project_dir(const std::filesystem::path& start) {
  for (const std::filesystem::path& d : upward_dirs(start)) {
    if (project_file_in(d)) return d;
  }
  std::error_code ec;
  throw usage_error("no baliza.yml or dbt_project.yml found in " +
                    std::filesystem::absolute(start, ec).string() +
                    " or any parent folder; run inside a project or pass --project-dir");
}

ProjectSettings read_project_settings(const std::filesystem::path& dir) {
  std::optional<std::string> file = project_file_in(dir);
  if (!file) {
    throw usage_error("no baliza.yml or dbt_project.yml in " + dir.string() +
                      "; create one with 'name: my_project' or point --project-dir at a project");
  }
  std::string text = read_whole_file(dir / *file);
  return *file == kDbtProjectFile ? parse_dbt_project_settings(text, *file)
                                  : parse_project_settings(text, *file);
}

Project load_project(const std::filesystem::path& dir, const LoadOptions& options) {
  ProjectSettings settings = read_project_settings(dir);
  std::error_code ec;
  std::vector<PreparedFile> files;
  for (const auto& root : settings.all_paths()) {
    std::filesystem::path base = dir / root;
    if (!std::filesystem::is_directory(base, ec)) continue;
    for (auto it = std::filesystem::recursive_directory_iterator(base, ec);
         it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) break;
      if (!it->is_regular_file(ec)) continue;
      PreparedFile& f = files.emplace_back();
      f.file.path = it->path().lexically_relative(dir).generic_string();
      f.disk_path = it->path();  // read later, on the worker threads
    }
  }
  return build_project(std::move(settings), files, dir.string(), options);
}

Project load_project_files(std::vector<ProjectFile> files, const std::string& root,
                           const LoadOptions& options) {
  auto it = std::find_if(files.begin(), files.end(),
                         [](const ProjectFile& f) { return f.path == kProjectFile; });
  bool dbt = false;
  if (it == files.end()) {
    it = std::find_if(files.begin(), files.end(),
                      [](const ProjectFile& f) { return f.path == kDbtProjectFile; });
    dbt = true;
  }
  if (it == files.end()) {
    throw usage_error("project " + root +
                      " has no baliza.yml or dbt_project.yml; add one with 'name: my_project'");
  }
  ProjectSettings settings = dbt ? parse_dbt_project_settings(it->content, kDbtProjectFile)
                                 : parse_project_settings(it->content, kProjectFile);
  std::vector<PreparedFile> prepared(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) prepared[i].file = std::move(files[i]);
  return build_project(std::move(settings), prepared, root, options);
}

std::vector<ProjectFile> embedded_project_files(std::string_view name) {
  std::vector<ProjectFile> out;
  std::string prefix = std::string(name) + "/";
  for (const EmbeddedFile& f : embedded_files()) {
    if (f.path.compare(0, prefix.size(), prefix) == 0) {
      out.push_back({f.path.substr(prefix.size()), std::string(f.content)});
    }
  }
  return out;
}

}  // namespace baliza::transform
