// Baliza's own settings: which database file, raw store tuning. They come from, in order of
// precedence: command-line flags > environment (BALIZA_DB) > baliza.yml > defaults.
// baliza.yml is found in the current directory or the nearest parent (it is also the project
// file of the transformation engine, whose keys are validated there).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace baliza {

struct Settings {
  std::string db_path = "data/baliza.duckdb";
  std::string db_source = "default";  // "--db", "BALIZA_DB", "<file>:<line>" or "default"
  std::optional<std::filesystem::path> config_file;  // baliza.yml in use, if any
  std::filesystem::path project_dir;  // folder of baliza.yml, else the current directory
  int zstd_level = 5;
  size_t max_payload_bytes = size_t{256} << 20;
  // DuckDB's own limits (baliza.yml `duckdb:`; BALIZA_MEMORY_LIMIT / BALIZA_THREADS win):
  // empty = DuckDB's defaults (80% of RAM, one thread per core).
  std::string memory_limit;  // e.g. "4GB"
  std::string threads;       // e.g. "2"
  // The extraction coordinator (PostgreSQL; coord/), baliza.yml `coordinator:` or
  // BALIZA_COORDINATOR_URL (wins); empty = extract into the local DuckDB file only.
  std::string coordinator_url;
  std::string coordinator_source;  // "BALIZA_COORDINATOR_URL" or "<file>:<line>"
  // Checkpoints (ops/checkpoint.h), baliza.yml `checkpoints:`.
  std::string checkpoint_dir;        // empty: <database file>.checkpoints next to it
  int checkpoint_keep = 5;           // prune all but the newest N (0: no count limit)
  int checkpoint_max_age_days = 14;  // prune older ones (0: no age limit)
  bool checkpoint_automatic = true;  // before reset, --full-refresh, a workflow's clear
};

// Finds baliza.yml from start upwards (core/upward_search.h: stops at
// BALIZA_CEILING_DIRECTORIES); nullopt when there is none.
std::optional<std::filesystem::path> find_config_file(const std::filesystem::path& start);

// Resolves the settings. A YAML syntax error or a bad value throws a usage error with
// file:line:column. A relative database path in baliza.yml is relative to its folder.
Settings resolve_settings(const std::optional<std::string>& db_flag,
                          const std::optional<std::filesystem::path>& config_file);

}  // namespace baliza
