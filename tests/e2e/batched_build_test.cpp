// End-to-end: batched builds (transform/batched_build.h) through the built binary. A model
// with batch_size reads its batch_input a slice at a time: each slice's weight stays about
// batch_size; the result equals the whole build; an incremental run with batch_where runs only
// the new keys (none: nothing); a NULL key and a failing slice are clear errors that leave the
// previous table untouched.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/baliza_cli.h"

namespace baliza {
namespace {

class BatchedBuild : public testing::BalizaCli {
 protected:
  void SetUp() override {
    write("baliza.yml", "name: lotes\ndatabase: data/l.duckdb\nvars:\n  n: 100\n  falhar: 0\n");
    // The input: keys 1..n, each weighing 1..5 (300 in all for n = 100).
    write("models/paginas.sql",
          "{{ config(materialized='table') }}\n"
          "select i as id, (i % 5) + 1 as peso, case when i = 0 then 'x' end as vazio\n"
          "from range(1, {{ var('n') }} + 1) t(i)\n");
    // What each slice saw of the input (every ref to it is sliced): its rows and weight.
    write("models/lidas.sql",
          "{{ config(materialized='incremental', unique_key='id', batch_input='paginas',\n"
          "          batch_key='id', batch_weight='peso', batch_size=20,\n"
          "          batch_where=\"{% if is_incremental() %}id not in (select id from {{ this "
          "}}){% else %}true{% endif %}\") }}\n"
          "select p.id, p.peso,\n"
          "  (select count(*) from {{ ref('paginas') }}) as linhas_do_lote,\n"
          "  (select sum(peso) from {{ ref('paginas') }}) as peso_do_lote,\n"
          "  (select min(id) from {{ ref('paginas') }}) as lote,\n"
          "  case when {{ var('falhar') }} = p.id then error('lote com falha') end as falha\n"
          "from {{ ref('paginas') }} p\n"
          "{% if is_incremental() %}where p.id not in (select id from {{ this }}){% endif %}\n");
  }
  void write(const std::string& path, const std::string& content) {
    std::filesystem::path p = dir / path;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << content;
  }
  // A progress line of `model` that ends in `what`.
  static bool says(const std::string& log, const std::string& model, const std::string& what) {
    std::size_t at = log.find("OK ", log.find(model + " ..."));
    at = log.find(model, at);
    return at != std::string::npos && log.find(what, at) < log.find('\n', at);
  }
  std::string q(const std::string& sql) { return scalar("data/l.duckdb", sql); }
};

TEST_F(BatchedBuild, SlicesTheInputByWeightAndEqualsTheWholeBuild) {
  auto r = baliza("transform");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(says(r.err, "main.lidas", "[100 rows")) << r.err;
  // Every key once; about 300 / 20 slices, none heavier than batch_size + one key (5).
  EXPECT_EQ(q("select count(*) || ' ' || count(distinct id) || ' ' || sum(peso) from lidas"),
            "100 100 300");
  // Each slice saw exactly its own rows, weighing about batch_size: within one key (5) of 20.
  EXPECT_EQ(q("select bool_and(n = linhas and p = peso and (p > 15 or ultimo) and p < 25) "
              "from (select lote, count(*) n, sum(peso) p, any_value(linhas_do_lote) linhas, "
              "any_value(peso_do_lote) peso, max(id) = 100 ultimo from lidas group by lote)"),
            "true");
  EXPECT_GE(std::stoi(q("select count(distinct lote) from lidas")), 12);
  // Nothing of the engine's is left behind.
  EXPECT_EQ(q("select count(*) from duckdb_tables() where table_name like '%baliza%'"), "0");

  // 30 new keys: only they are read, in slices of their own.
  r = baliza("transform --vars '{\"n\": 130}'");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(says(r.err, "main.lidas", "[30 rows")) << r.err;
  EXPECT_EQ(q("select count(*) || ' ' || count(distinct id) from lidas"), "130 130");
  EXPECT_EQ(q("select max(peso_do_lote) < 25 from lidas where id > 100"), "true");
  // Nothing new: no slice at all.
  r = baliza("transform -s lidas --vars '{\"n\": 130}'");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(says(r.err, "main.lidas", "[0 rows")) << r.err;

  // From scratch, the same rows.
  r = baliza("transform --full-refresh --vars '{\"n\": 130}'");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(q("select count(*) || ' ' || sum(id) || ' ' || sum(peso) from lidas"), "130 8515 390");
}

TEST_F(BatchedBuild, AFailingSliceLeavesThePreviousTableUntouched) {
  ASSERT_EQ(baliza("transform").exit_code, 0);
  // Key 77 fails in a late slice of a full rebuild: exit 1, DuckDB's message, the old table.
  auto r = baliza("transform --full-refresh -s lidas --vars '{\"falhar\": 77}'");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("lote com falha"), std::string::npos) << r.out << r.err;
  EXPECT_EQ(q("select count(*) || ' ' || count(falha) from lidas"), "100 0");
  EXPECT_EQ(q("select count(*) from duckdb_tables() where table_name like '%baliza%'"), "0");
}

TEST_F(BatchedBuild, ConfigErrorsSayWhatAndWhere) {
  write("models/nulas.sql",
        "{{ config(materialized='table', batch_input='paginas', batch_key='vazio', "
        "batch_size=10) }}\nselect id from {{ ref('paginas') }}\n");
  write("models/sem_chave.sql",
        "{{ config(materialized='table', batch_input='paginas', batch_size=10) }}\n"
        "select id from {{ ref('paginas') }}\n");
  write("models/outra_entrada.sql",
        "{{ config(materialized='table', batch_input='lidas', batch_key='id', batch_size=10) "
        "}}\nselect id from {{ ref('paginas') }}\n");
  auto r = baliza("transform");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  std::string all = r.out + r.err;
  EXPECT_NE(all.find("batch_key 'vazio' is NULL in some rows of batch_input 'paginas'"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("batch_size in model sem_chave (models/sem_chave.sql) needs batch_input"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("batch_input 'lidas' in model outra_entrada (models/outra_entrada.sql) "
                     "must be a model the SQL reads with ref('lidas')"),
            std::string::npos)
      << all;
  auto bad = baliza("ls");
  write("models/ruim.sql", "{{ config(materialized='table', batch_size='day') }}\nselect 1\n");
  bad = baliza("ls");
  EXPECT_EQ(bad.exit_code, 2) << bad.out << bad.err;
  EXPECT_NE((bad.out + bad.err).find("batch_size must be a positive number"), std::string::npos)
      << bad.out << bad.err;
}

}  // namespace
}  // namespace baliza
