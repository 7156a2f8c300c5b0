// OpenLineage events written by a baliza command with the file transport: reading them back,
// validating them against the official JSON Schemas (tests/e2e/openlineage_validate.py with
// Debian's python3-jsonschema; the spec from BALIZA_SHARED_DIR, else <repo>/../shared), and the
// checks every command's events must pass: the command's own run first and last, every other
// event a child of it, each child run START then exactly one of COMPLETE/FAIL/ABORT.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/process.h"

namespace baliza::testing {

inline std::filesystem::path openlineage_spec_dir() {
  const char* env = std::getenv("BALIZA_SHARED_DIR");
  return std::filesystem::path(env && *env ? env : BALIZA_SHARED_DIR) / "openlineage" / "spec";
}

inline std::vector<nlohmann::json> read_events(const std::filesystem::path& file) {
  std::vector<nlohmann::json> out;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  return out;
}

// The validator's verdict on a JSON-lines file (exit 0: every event and facet is valid).
inline ProcessResult validate_events(const std::filesystem::path& events) {
  return run_command("python3 '" + std::string(BALIZA_SOURCE_DIR) +
                         "/tests/e2e/openlineage_validate.py' '" + openlineage_spec_dir().string() +
                         "' '" + events.string() + "'",
                     events.parent_path());
}

// What a command's events say, checked for the shape every command shares.
struct CommandEventsSeen {
  std::string command_run;                              // runId of the command's own run
  std::string command_end;                              // its last event type
  std::map<std::string, std::vector<std::string>> job;  // child job name -> event types
  std::map<std::string, nlohmann::json> last;           // child job name -> its last event
};

inline CommandEventsSeen check_command_events(const std::vector<nlohmann::json>& events,
                                              const std::string& command_job) {
  CommandEventsSeen seen;
  EXPECT_GE(events.size(), 2u);
  if (events.size() < 2) return seen;
  const nlohmann::json& first = events.front();
  EXPECT_EQ(first["eventType"], "START");
  EXPECT_EQ(first["job"]["name"], command_job);
  seen.command_run = first["run"]["runId"];
  EXPECT_EQ(events.back()["run"]["runId"], seen.command_run);
  EXPECT_EQ(events.back()["job"]["name"], command_job);
  seen.command_end = events.back()["eventType"];
  std::map<std::string, std::string> job_of_run;
  for (std::size_t i = 1; i + 1 < events.size(); ++i) {
    const nlohmann::json& e = events[i];
    EXPECT_EQ(e["run"]["facets"]["parent"]["run"]["runId"], seen.command_run) << e.dump();
    EXPECT_EQ(e["run"]["facets"]["parent"]["job"]["name"], command_job) << e.dump();
    std::string name = e["job"]["name"];
    std::string run = e["run"]["runId"];
    // One run per job and command.
    auto [it, fresh] = job_of_run.emplace(name, run);
    EXPECT_EQ(it->second, run) << name << " has two runs";
    (void)fresh;
    seen.job[name].push_back(e["eventType"]);
    seen.last[name] = e;
  }
  for (const auto& [name, types] : seen.job) {
    EXPECT_EQ(types.size(), 2u) << name;
    if (types.size() != 2) continue;
    EXPECT_EQ(types[0], "START") << name;
    EXPECT_TRUE(types[1] == "COMPLETE" || types[1] == "FAIL" || types[1] == "ABORT") << name;
  }
  return seen;
}

}  // namespace baliza::testing
