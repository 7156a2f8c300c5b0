// Plain-SQL dependencies through DuckDB's parser, and ephemeral CTE injection by the compiler.
#include <gtest/gtest.h>

#include "core/error.h"
#include "db/database.h"
#include "transform/compiler.h"
#include "transform/dag.h"
#include "transform/sql_dependencies.h"

namespace baliza::transform {
namespace {

Project make_project(std::vector<ProjectFile> files) {
  files.push_back({"baliza.yml",
                   "name: p\nmodels:\n  p:\n    staging: {+schema: staging}\n    marts: "
                   "{+schema: marts, +materialized: table}\n"});
  return load_project_files(std::move(files), "test");
}

TEST(SqlDependencies, FindsQualifiedTablesAndSkipsCtes) {
  auto db = Database::open(":memory:");
  Connection conn(db);
  auto parsed = parse_sql_batch(
      conn, {"with x as (select 1) select * from staging.a join x on true join (select * from "
             "marts.b) q on true where 1 in (select id from c)",
             "selec 1"});
  ASSERT_EQ(parsed.size(), 2u);
  ASSERT_FALSE(parsed[0].error);
  std::vector<std::string> names;
  for (const auto& t : parsed[0].tables) names.push_back(t.schema + "." + t.table);
  EXPECT_EQ(names, (std::vector<std::string>{"staging.a", "marts.b", ".c"}));
  ASSERT_TRUE(parsed[1].error);
  EXPECT_NE(parsed[1].error->find("syntax error"), std::string::npos);
}

TEST(SqlDependencies, AddsEdgesForPlainReferences) {
  Project p =
      make_project({{"models/staging/a.sql", "select 1 as id"},
                    {"models/marts/b.sql", "select * from staging.a join raw.other using (id)"},
                    {"models/marts/c.sql", "with a as (select 2) select * from a, marts.b"}});
  Dag dag = Dag::build(p);
  auto db = Database::open(":memory:");
  Connection conn(db);
  PlainSqlEdges edges = add_plain_sql_dependencies(p, dag, conn);
  EXPECT_EQ(edges.added, 2u);
  auto b = dag.index_of("model.p.b");
  auto c = dag.index_of("model.p.c");
  ASSERT_TRUE(b && c);
  EXPECT_EQ(dag.parents(*b).size(), 1u);
  EXPECT_EQ(dag.id(dag.parents(*b)[0]), "model.p.a");
  EXPECT_EQ(dag.id(dag.parents(*c)[0]), "model.p.b");
}

TEST(SqlDependencies, CycleThroughPlainSqlIsNamed) {
  Project p = make_project({{"models/marts/x.sql", "select * from {{ ref('y') }}"},
                            {"models/marts/y.sql", "select * from marts.x"}});
  Dag dag = Dag::build(p);
  auto db = Database::open(":memory:");
  Connection conn(db);
  try {
    add_plain_sql_dependencies(p, dag, conn);
    FAIL() << "expected a cycle";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("x -> y -> x"), std::string::npos) << e.what();
  }
}

TEST(Compiler, InjectsEphemeralCtesInOrder) {
  Project p = make_project(
      {{"models/staging/e1.sql", "{{ config(materialized='ephemeral') }}select 1 as id"},
       {"models/staging/e2.sql",
        "{{ config(materialized='ephemeral') }}select * from {{ ref('e1') }}"},
       {"models/marts/m.sql", "with own as (select 3)\nselect * from {{ ref('e2') }}, own;"}});
  Compiler compiler(p);
  CompiledSql out = compiler.compile(*p.find("model.p.m"), false);
  EXPECT_EQ(out.sql,
            "with __dbt__cte__e1 as (\nselect 1 as id\n),\n__dbt__cte__e2 as (\nselect * from "
            "__dbt__cte__e1\n),\n own as (select 3)\nselect * from __dbt__cte__e2, own");
  EXPECT_EQ(out.prefix_lines, 6);
  auto db = Database::open(":memory:");
  Connection conn(db);
  EXPECT_EQ(conn.scalar("select count(*) from (" + out.sql + ")"), "1");
}

}  // namespace
}  // namespace baliza::transform
