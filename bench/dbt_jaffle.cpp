// A jaffle-like dbt project (3 seeds, 3 staging views, 2 marts with a Jinja loop, 13 generic
// tests; the same shape as tests/e2e/dbt_jaffle_like_test.cpp, with generated data) built
// end to end by `baliza dbt build` (whole process: parse, seeds, models, tests, artifacts),
// against the same statements run directly through DuckDB in one process: CREATE TABLE from
// read_csv for the seeds, the compiled SQL of every model (views and tables), and each
// compiled test query. Median of 3 after a warm-up run.
//
//   bench_dbt_jaffle [--people N]   (default 20000; purchases 10x, payments 13x)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "db/database.h"

namespace fs = std::filesystem;
using namespace baliza;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kRepeats = 3;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void write(const fs::path& p, const std::string& s) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary | std::ios::trunc) << s;
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_project(const fs::path& dir, long people) {
  write(dir / "dbt_project.yml",
        "name: shop\nprofile: shop\nconfig-version: 2\n"
        "models:\n  shop:\n    materialized: table\n    staging:\n      materialized: view\n");
  write(dir / "profiles.yml",
        "shop:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: shop.duckdb, "
        "threads: 2}\n");
  write(dir / "models/staging/stg_people.sql",
        "select id as person_id, first as first_name, last as last_name "
        "from {{ ref('raw_people') }}\n");
  write(dir / "models/staging/stg_purchases.sql",
        "select id as purchase_id, person_id, bought_on, state from {{ ref('raw_purchases') }}\n");
  write(dir / "models/staging/stg_money.sql",
        "select id as money_id, purchase_id, how, cents / 100 as amount "
        "from {{ ref('raw_money') }}\n");
  write(dir / "models/staging/schema.yml",
        "version: 2\nmodels:\n  - name: stg_people\n    columns:\n      - name: person_id\n"
        "        tests: [unique, not_null]\n  - name: stg_purchases\n    columns:\n"
        "      - name: purchase_id\n        tests: [unique, not_null]\n      - name: state\n"
        "        tests:\n          - accepted_values: {values: ['open', 'sent', 'delivered', "
        "'refund_asked', 'refunded']}\n  - name: stg_money\n    columns:\n"
        "      - name: money_id\n        tests: [unique, not_null]\n      - name: how\n"
        "        tests:\n          - accepted_values: {values: ['card', 'pix', 'boleto', "
        "'voucher']}\n");
  write(dir / "models/purchases.sql",
        "{% set methods = ['card', 'pix', 'boleto', 'voucher'] %}\n"
        "with per_purchase as (\n  select purchase_id,\n"
        "  {% for m in methods -%}\n"
        "  sum(case when how = '{{ m }}' then amount else 0 end) as {{ m }}_amount,\n"
        "  {% endfor -%}\n  sum(amount) as total_amount\n  from {{ ref('stg_money') }} "
        "group by purchase_id\n)\nselect p.*, {% for m in methods %}pp.{{ m }}_amount, "
        "{% endfor %}pp.total_amount as amount\nfrom {{ ref('stg_purchases') }} p "
        "left join per_purchase pp using (purchase_id)\n");
  write(dir / "models/people.sql",
        "with per_person as (select person_id, min(bought_on) as first_purchase, "
        "max(bought_on) as latest_purchase, count(*) as purchases from "
        "{{ ref('stg_purchases') }} group by 1),\n"
        "spent as (select p.person_id, sum(m.amount) as lifetime_value from "
        "{{ ref('stg_money') }} m join {{ ref('stg_purchases') }} p using (purchase_id) "
        "group by 1)\nselect c.*, per_person.first_purchase, per_person.latest_purchase, "
        "per_person.purchases, spent.lifetime_value from {{ ref('stg_people') }} c "
        "left join per_person using (person_id) left join spent using (person_id)\n");
  write(dir / "models/schema.yml",
        "version: 2\nmodels:\n  - name: people\n    columns:\n      - name: person_id\n"
        "        tests: [unique, not_null]\n  - name: purchases\n    columns:\n"
        "      - name: purchase_id\n        tests: [unique, not_null]\n"
        "      - name: person_id\n        tests:\n          - relationships: "
        "{to: ref('people'), field: person_id}\n");
  // Data, written by DuckDB.
  auto db = Database::open(":memory:", {.threads = "2"});
  Connection conn(db);
  std::string n = std::to_string(people);
  fs::create_directories(dir / "seeds");
  conn.execute("COPY (select i as id, 'first' || i as first, 'L.' as last from range(1, " + n +
               " + 1) t(i)) TO '" + (dir / "seeds/raw_people.csv").string() + "' (HEADER)");
  conn.execute("COPY (select i as id, 1 + i % " + n +
               " as person_id, date '2024-01-01' + (i % 365)::int as bought_on, "
               "['open', 'sent', 'delivered', 'refund_asked', 'refunded'][1 + i % 5] as state "
               "from range(1, 10 * " +
               n + " + 1) t(i)) TO '" + (dir / "seeds/raw_purchases.csv").string() + "' (HEADER)");
  conn.execute("COPY (select i as id, 1 + i % (10 * " + n +
               ") as purchase_id, ['card', 'pix', 'boleto', 'voucher'][1 + i % 4] as how, "
               "(i * 37) % 10000 as cents from range(1, 13 * " +
               n + " + 1) t(i)) TO '" + (dir / "seeds/raw_money.csv").string() + "' (HEADER)");
}

// The same statements, straight through DuckDB: seeds from read_csv, compiled models, tests.
void run_direct(const fs::path& dir, const std::vector<std::pair<std::string, std::string>>& models,
                const std::vector<std::string>& tests) {
  fs::remove(dir / "direct.duckdb");
  auto db = Database::open((dir / "direct.duckdb").string(), {.threads = "2"});
  Connection conn(db);
  for (const char* seed : {"raw_people", "raw_purchases", "raw_money"}) {
    conn.execute(std::string("CREATE OR REPLACE TABLE main.") + seed +
                 " AS SELECT * FROM read_csv('" + (dir / "seeds").string() + "/" + seed + ".csv')");
  }
  for (const auto& [ddl, sql] : models) conn.execute(ddl + sql);
  for (const std::string& t : tests) conn.scalar("select count(*) from (" + t + ")");
}

}  // namespace

int main(int argc, char** argv) {
  long people = 20000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--people") == 0) people = std::strtol(argv[i + 1], nullptr, 10);
  }
  fs::path dir = fs::temp_directory_path() / ("baliza-bench-jaffle-" + std::to_string(::getpid()));
  write_project(dir, people);
  std::string bin = BALIZA_BIN;
  std::string env = "cd '" + dir.string() + "' && env -u BALIZA_DB ";
  if (std::system((env + bin + " -q dbt compile >/dev/null 2>&1").c_str()) != 0) {
    std::fprintf(stderr, "baliza dbt compile failed in %s\n", dir.c_str());
    return 1;
  }
  // Compiled SQL, in dependency order: staging views, then the marts (people before
  // purchases: purchases' test reads people).
  fs::path compiled = dir / "target/compiled/shop/models";
  std::vector<std::pair<std::string, std::string>> models;
  for (const char* v : {"stg_people", "stg_purchases", "stg_money"}) {
    models.emplace_back(std::string("CREATE OR REPLACE VIEW main.") + v + " AS ",
                        read(compiled / "staging" / (std::string(v) + ".sql")));
  }
  for (const char* t : {"people", "purchases"}) {
    models.emplace_back(std::string("CREATE OR REPLACE TABLE main.") + t + " AS ",
                        read(compiled / (std::string(t) + ".sql")));
  }
  std::vector<std::string> tests;
  for (const auto& e : fs::recursive_directory_iterator(compiled)) {
    if (e.is_regular_file() && e.path().parent_path().extension() == ".yml")
      tests.push_back(read(e.path()));
  }
  auto time_it = [&](const std::function<void()>& f) {
    f();  // warm-up (file cache)
    std::vector<double> t;
    for (int r = 0; r < kRepeats; ++r) {
      auto t0 = Clock::now();
      f();
      t.push_back(since(t0));
    }
    return median(t);
  };
  double baliza = time_it([&] {
    fs::remove(dir / "shop.duckdb");
    if (std::system((env + bin + " -q dbt build >/dev/null 2>&1").c_str()) != 0)
      std::fprintf(stderr, "baliza dbt build failed in %s\n", dir.c_str());
  });
  double direct = time_it([&] { run_direct(dir, models, tests); });
  std::printf(
      "jaffle-like project, %ld people, %ld purchases, %ld payments; %zu models, %zu tests "
      "(median of %d):\n  baliza dbt build (whole process, fresh database): %.3fs\n"
      "  same statements directly in DuckDB (one process, fresh database): %.3fs\n"
      "  ratio: %.2fx\n",
      people, 10 * people, 13 * people, models.size(), tests.size(), kRepeats, baliza, direct,
      baliza / direct);
  fs::remove_all(dir);
  return 0;
}
