// The per-file half of project loading: classify each file (model, seed, singular test,
// property yml, macro file), read it if it is on disk, hash it and parse it. Files are independent,
// so this runs on a few worker threads; assembling nodes stays serial (project.cpp). Internal to
// the loader.
#pragma once

#include <exception>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "transform/project.h"
#include "transform/schema_yml.h"
#include "transform/template_macro.h"

namespace baliza::transform {

enum class FileKind {
  kIgnored,
  kModel,
  kPythonModel,  // models/**/*.py (transform/python_model.h)
  kSeed,
  kSingularTest,
  kProperties,
  kMacros,
  kSnapshot
};

struct PreparedFile {
  ProjectFile file;                 // path relative to the project root; content once read
  std::filesystem::path disk_path;  // set when the content is still to be read from disk
  FileKind kind = FileKind::kIgnored;
  std::size_t relative_offset = 0;  // start of the path under its models/seeds/tests folder
  std::string checksum;             // sha256 of the content
  std::shared_ptr<Template> tmpl;   // models and singular tests (linked to macros later)
  // Snapshot files: each {% snapshot name %} block's name and body (Template::blocks()).
  std::vector<std::pair<std::string, std::shared_ptr<Template>>> snapshots;
  std::shared_ptr<const MacroFile> macro_file;  // files under the macro paths
  SchemaFile properties;                        // property files
  std::exception_ptr error;                     // what preparing this file threw
};

// Which kind of file `path` is under the project's model/seed/test/macro paths.
FileKind classify_file(const std::string& path, const ProjectSettings& settings,
                       std::size_t& relative_offset);

// Reads, hashes and parses every file. When several files fail with usage errors (bad
// templates, bad YAML), throws one usage error listing all of them in the vector's order (so
// errors do not depend on thread timing); another kind of error is rethrown as it is.
void prepare_files(std::vector<PreparedFile>& files);

// Throws one usage_error listing every message ("N errors in the project:" and one line each);
// nothing when `errors` is empty.
void throw_collected_errors(const std::vector<std::string>& errors);

// The whole content of a file; throws environment_error when it cannot be read.
std::string read_whole_file(const std::filesystem::path& path);

}  // namespace baliza::transform
