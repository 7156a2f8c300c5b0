// libFuzzer target for every reader of a project's YAML files: baliza.yml (the project
// settings of transform/project_settings.h, Baliza's settings of core/config.h, the
// OpenLineage section of lineage/openlineage_config.h and its workflows: section), dbt_project.yml
// (transform/dbt_project_file.h), property files (schema.yml, transform/schema_yml.h),
// endpoints.yaml (plan/endpoint_config.h, alone and layered over the built-in PNCP file),
// workflows/*.yml (ops/workflow_spec.h) and profiles.yml (transform/dbt_profile.h, whose values may
// hold Jinja).
//
// Input: the first byte picks the file kind (byte % 6: '0' baliza.yml, '1' dbt_project.yml,
// '2' schema.yml, '3' endpoints.yaml, '4' a workflow, '5' profiles.yml; seeds in
// tests/fuzz/corpus/yaml_loaders start with that digit and a newline), the rest is the file.
// Readers that take a path get a file written in a scratch folder of this process.
//
// Usage errors (baliza::Error) are the expected answer to bad files. Crashes, sanitizer
// reports, hangs, out-of-memory and any other exception (a yaml-cpp or std:: exception that
// escapes would reach the user without file:line) are findings.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "core/config.h"
#include "core/error.h"
#include "lineage/openlineage_config.h"
#include "ops/workflow_spec.h"
#include "plan/endpoint_config.h"
#include "transform/dbt_profile.h"
#include "transform/dbt_project_file.h"
#include "transform/project_settings.h"
#include "transform/schema_yml.h"

namespace {

namespace fs = std::filesystem;

// Made on first use, removed at exit (kept alive until then: never destroyed).
const fs::path& scratch_dir() {
  static const fs::path* dir = [] {
    std::string templ = (fs::temp_directory_path() / "baliza-yaml-fuzz-XXXXXX").string();
    if (mkdtemp(templ.data()) == nullptr) std::abort();
    auto* made = new fs::path(templ);
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(scratch_dir(), ec);
    });
    return made;
  }();
  return *dir;
}

fs::path write_file(const std::string& name, std::string_view text) {
  fs::path path = scratch_dir() / name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  return path;
}

void baliza_yml(std::string_view text) {
  try {
    (void)baliza::transform::parse_project_settings(std::string(text), "baliza.yml");
  } catch (const baliza::Error&) {
  }
  fs::path path = write_file("baliza.yml", text);
  try {
    (void)baliza::resolve_settings(std::nullopt, path);
  } catch (const baliza::Error&) {
  }
  try {
    (void)baliza::lineage::load_openlineage_config(
        path, [](const char*) -> const char* { return nullptr; });
  } catch (const baliza::Error&) {
  }
  try {
    (void)baliza::ops::load_workflows(scratch_dir(), path);
  } catch (const baliza::Error&) {
  }
}

void endpoints_yaml(std::string_view text) {
  try {
    (void)baliza::plan::parse_endpoints(text, "endpoints.yaml");
  } catch (const baliza::Error&) {
  }
  try {  // as a project's file is read: over the built-in PNCP layer
    static const baliza::plan::ConfigSource builtin = baliza::plan::builtin_pncp_endpoints();
    (void)baliza::plan::parse_endpoints({builtin, {"endpoints.yaml", std::string(text)}});
  } catch (const baliza::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    switch (data[0] % 6) {
      case 0:
        baliza_yml(text);
        break;
      case 1:
        (void)baliza::transform::parse_dbt_project_settings(std::string(text), "dbt_project.yml");
        break;
      case 2:
        (void)baliza::transform::parse_schema_file(std::string(text), "models/schema.yml");
        break;
      case 3:
        endpoints_yaml(text);
        break;
      case 4:
        (void)baliza::ops::parse_workflow("fuzz", std::string(text), "workflows/fuzz.yml");
        break;
      default: {
        baliza::transform::ProfileRequest request;
        request.profile = "fuzz";
        try {
          (void)baliza::transform::parse_dbt_target(std::string(text), "profiles.yml", request);
        } catch (const baliza::Error&) {
        }
        request.target = "prod";
        (void)baliza::transform::parse_dbt_target(std::string(text), "profiles.yml", request);
        break;
      }
    }
  } catch (const baliza::Error& e) {
    // A usage error is the expected answer to a bad file (FUZZ_VERBOSE=1 shows it).
    if (std::getenv("FUZZ_VERBOSE") != nullptr) __builtin_fprintf(stderr, "%s\n", e.what());
  }
  return 0;
}
