#include "transform/synthetic_project.h"

#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"

namespace baliza::transform {
namespace {

// Small deterministic generator (no <random> distributions: their output varies by library).
class Lcg {
 public:
  explicit Lcg(std::uint32_t seed) : state_(seed * 2654435761u + 1) {}
  std::size_t below(std::size_t n) {
    state_ = state_ * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<std::size_t>((state_ >> 33) % n);
  }

 private:
  std::uint64_t state_;
};

void write_file(const std::filesystem::path& path, const std::string& content) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr || std::fwrite(content.data(), 1, content.size(), f) != content.size()) {
    if (f != nullptr) std::fclose(f);
    throw environment_error("cannot write " + path.string() + "; check disk space and permissions");
  }
  std::fclose(f);
}

std::string numbered(const char* prefix, std::size_t i) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%s_%05zu", prefix, i);
  return buffer;
}

struct Layer {
  const char* folder;
  const char* prefix;
  std::size_t count;
  std::string yml;
};

std::string staging_sql(const std::string& table) {
  return "select\n  id,\n  cast(amount as double) as amount,\n  updated_at\nfrom {{ source('raw', "
         "'" +
         table + "') }}\nwhere updated_at >= '{{ var(\"start_date\", \"2024-01-01\") }}'\n";
}

// `materialized`: written as a config() call unless empty (the folder default applies then).
std::string join_sql(const std::vector<std::string>& parents, const std::string& materialized) {
  bool incremental = materialized == "incremental";
  std::string sql;
  if (incremental) sql += "{{ config(materialized='incremental', unique_key='id') }}\n";
  if (materialized == "view" || materialized == "ephemeral")
    sql += "{{ config(materialized='" + materialized + "') }}\n";
  sql += "select\n  t0.id,\n  t0.updated_at,\n  t0.amount";
  for (std::size_t i = 1; i < parents.size(); ++i) {
    sql += " + coalesce(t";
    sql += std::to_string(i);
    sql += ".amount, 0)";
  }
  sql += " as amount\nfrom {{ ref('" + parents[0] + "') }} t0\n";
  for (std::size_t i = 1; i < parents.size(); ++i) {
    sql += "left join {{ ref('" + parents[i] + "') }} t";
    sql += std::to_string(i);
    sql += " using (id)\n";
  }
  if (incremental) {
    sql +=
        "{% if is_incremental() %}\nwhere t0.updated_at > (select max(updated_at) from "
        "{{ this }})\n{% endif %}\n";
  }
  return sql;
}

}  // namespace

SyntheticProjectStats write_synthetic_project(const std::filesystem::path& dir,
                                              const SyntheticProjectOptions& options) {
  SyntheticProjectStats stats;
  Lcg rng(options.seed);
  std::size_t staging = std::max<std::size_t>(1, options.models / 4);
  std::size_t marts = options.models > 2 ? options.models / 4 : 0;
  std::size_t intermediate = options.models - staging - marts;
  std::vector<Layer> layers = {{"staging", "stg", staging, ""},
                               {"intermediate", "int", intermediate, ""},
                               {"marts", "mart", marts, ""}};
  for (const Layer& layer : layers)
    std::filesystem::create_directories(dir / "models" / layer.folder);

  write_file(dir / "baliza.yml",
             "name: synthetic\nvars:\n  start_date: '2024-01-01'\nmodels:\n  synthetic:\n"
             "    staging: {+materialized: view, +schema: staging, +tags: [staging]}\n"
             "    intermediate: {+materialized: table, +schema: intermediate}\n"
             "    marts: {+materialized: table, +schema: marts, +tags: [marts]}\n");
  std::string sources = "version: 2\nsources:\n  - name: raw\n    tables:\n";
  for (std::size_t s = 0; s < options.sources; ++s)
    sources += "      - name: " + numbered("table", s) +
               "\n        columns:\n          - {name: id, data_type: BIGINT}\n"
               "          - {name: amount, data_type: 'DECIMAL(18,2)'}\n"
               "          - {name: updated_at, data_type: TIMESTAMP}\n";
  write_file(dir / "models" / "staging" / "sources.yml", sources);
  stats.sources = options.sources;

  std::vector<std::string> earlier;        // staging + intermediate names, in creation order
  std::vector<std::string> intermediates;  // what marts read
  std::size_t n = 0;
  for (Layer& layer : layers) {
    layer.yml = "version: 2\nmodels:\n";
    for (std::size_t i = 0; i < layer.count; ++i, ++n) {
      std::string name = numbered(layer.prefix, n);
      std::string sql;
      std::string materialized;  // empty: the folder's (table in intermediate and marts)
      if (layer.prefix == std::string("stg")) {
        sql = staging_sql(numbered("table", rng.below(std::max<std::size_t>(1, options.sources))));
        stats.edges += options.sources > 0 ? 1 : 0;
        ++stats.views;
      } else {
        const auto& pool = layer.prefix == std::string("int") ? earlier : intermediates;
        std::size_t want = layer.prefix == std::string("int") ? 1 + rng.below(3) : 2 + rng.below(3);
        std::set<std::string> picked;
        // Prefer recent models, as real projects do, with an occasional reach far back.
        for (std::size_t k = 0; k < want && !pool.empty(); ++k) {
          std::size_t window = std::min<std::size_t>(pool.size(), 50);
          std::size_t index =
              rng.below(4) == 0 ? rng.below(pool.size()) : pool.size() - 1 - rng.below(window);
          picked.insert(pool[index]);
        }
        if (picked.empty()) picked.insert(earlier.empty() ? std::string() : earlier.back());
        std::vector<std::string> parents(picked.begin(), picked.end());
        if (layer.prefix == std::string("mart")) {
          materialized = n % 3 == 0 ? "incremental" : "";
          ++(n % 3 == 0 ? stats.incremental : stats.tables);
        } else if (options.ephemeral_every > 0 && i % options.ephemeral_every == 0) {
          materialized = "ephemeral";
          ++stats.ephemeral;
        } else if (options.view_every > 0 && i % options.view_every == 0) {
          materialized = "view";
          ++stats.views;
        } else {
          ++stats.tables;
        }
        sql = join_sql(parents, materialized);
        stats.edges += parents.size();
      }
      write_file(dir / "models" / layer.folder / (name + ".sql"), sql);
      layer.yml += "  - name: " + name + "\n    description: synthetic model " + name + "\n";
      // Ephemeral models have no relation to test, so they get none (as in dbt).
      if (options.tested_every > 0 && n % options.tested_every == 0 &&
          materialized != "ephemeral") {
        layer.yml += "    columns:\n      - name: id\n        data_tests: [not_null, unique]\n";
        stats.tests += 2;
        stats.edges += 2;
      }
      if (layer.prefix != std::string("mart")) earlier.push_back(name);
      if (layer.prefix == std::string("int")) intermediates.push_back(name);
    }
    write_file(dir / "models" / layer.folder / "schema.yml", layer.yml);
  }
  stats.models = n;
  stats.staging = staging;
  stats.intermediate = intermediate;
  stats.marts = marts;
  return stats;
}

}  // namespace baliza::transform
