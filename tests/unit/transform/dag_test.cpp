#include "transform/dag.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace baliza::transform {
namespace {

// A project from memory: baliza.yml plus the given files.
Project project(std::vector<ProjectFile> files) {
  files.push_back({"baliza.yml", "name: p\n"});
  return load_project_files(std::move(files), "test");
}

std::string build_error(const Project& p) {
  try {
    Dag::build(p);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kUsage);
    return e.what();
  }
  ADD_FAILURE() << "Dag::build succeeded";
  return "";
}

std::vector<std::string> names(const Dag& dag, const std::vector<std::pair<std::size_t, int>>& v) {
  std::vector<std::string> out;
  for (auto [i, depth] : v) out.push_back(dag.node(i).name + "@" + std::to_string(depth));
  return out;
}

const std::vector<ProjectFile> kChain = {
    {"models/a.sql", "select 1"},
    {"models/b.sql", "select * from {{ ref('a') }}"},
    {"models/c.sql", "select * from {{ ref('b') }}"},
    {"models/d.sql", "select * from {{ ref('c') }} join {{ ref('a') }} using (x)"},
    {"models/z_root.sql", "select 2"},
    {"models/e.sql", "select * from {{ ref('z_root') }}"},
};

TEST(Dag, TopologicalOrderIsDeterministicWithTiesByUniqueId) {
  Project p = project(kChain);
  Dag dag = Dag::build(p);
  EXPECT_EQ(dag.size(), 6u);
  EXPECT_EQ(dag.edge_count(), 5u);
  EXPECT_EQ(dag.topological_ids(),
            (std::vector<std::string>{"model.p.a", "model.p.b", "model.p.c", "model.p.d",
                                      "model.p.z_root", "model.p.e"}));
}

TEST(Dag, ParentAndChildMaps) {
  Project p = project(kChain);
  Dag dag = Dag::build(p);
  auto parents = dag.parent_map();
  EXPECT_EQ(parents["model.p.d"], (std::vector<std::string>{"model.p.a", "model.p.c"}));
  EXPECT_TRUE(parents["model.p.a"].empty());
  auto children = dag.child_map();
  EXPECT_EQ(children["model.p.a"], (std::vector<std::string>{"model.p.b", "model.p.d"}));
}

TEST(Dag, AncestorsAndDescendantsWithDepth) {
  Project p = project(kChain);
  Dag dag = Dag::build(p);
  std::size_t d = *dag.index_of("model.p.d");
  EXPECT_EQ(names(dag, dag.ancestors(d)), (std::vector<std::string>{"a@1", "b@2", "c@1"}));
  EXPECT_EQ(names(dag, dag.ancestors(d, 1)), (std::vector<std::string>{"a@1", "c@1"}));
  std::size_t a = *dag.index_of("model.p.a");
  EXPECT_EQ(names(dag, dag.descendants(a)), (std::vector<std::string>{"b@1", "c@2", "d@1"}));
  EXPECT_EQ(names(dag, dag.descendants(a, 1)), (std::vector<std::string>{"b@1", "d@1"}));
}

TEST(Dag, CycleIsNamedWholeWithFiles) {
  Project p = project({{"models/a.sql", "select * from {{ ref('c') }}"},
                       {"models/b.sql", "select * from {{ ref('a') }}"},
                       {"models/c.sql", "select * from {{ ref('b') }}"},
                       {"models/x.sql", "select * from {{ ref('a') }}"}});
  EXPECT_EQ(build_error(p),
            "dependency cycle: a -> b -> c -> a (a: models/a.sql, b: models/b.sql, c: "
            "models/c.sql); remove one of these refs to break it");
}

TEST(Dag, MissingRefsAreAllReportedWithPositionsAndSuggestions) {
  Project p = project({{"models/stg_orders.sql", "select 1"},
                       {"models/stg_customers.sql", "select 1"},
                       {"models/m.sql",
                        "select *\nfrom {{ ref('stg_order') }}\n"
                        "join {{ ref('totally_unrelated') }} using (id)"}});
  EXPECT_EQ(build_error(p),
            "2 unresolved dependencies:\n"
            "ref('stg_order') does not match any model or seed at models/m.sql:2:9; did you mean "
            "'stg_orders'?\n"
            "ref('totally_unrelated') does not match any model or seed at models/m.sql:3:9; check "
            "the name or add models/totally_unrelated.sql");
}

TEST(Dag, MissingSourceSuggestsDeclaredOnes) {
  Project p = project({{"models/s.yml", "sources:\n  - name: raw\n    tables: [{name: orders}]\n"},
                       {"models/m.sql", "select * from {{ source('raw', 'order') }}"}});
  EXPECT_EQ(build_error(p),
            "source('raw', 'order') is not defined at models/m.sql:1:18; did you mean "
            "'raw.orders'?");
}

TEST(Dag, SourcesSeedsAndTestsAreNodes) {
  Project p = project(
      {{"models/s.yml",
        "sources:\n  - name: raw\n    tables: [{name: orders}]\n"
        "models:\n  - name: m\n    columns: [{name: id, tests: [unique]}]\n"},
       {"models/m.sql", "select * from {{ source('raw', 'orders') }} join {{ ref('codes') }}"},
       {"seeds/codes.csv", "id\n1\n"}});
  Dag dag = Dag::build(p);
  std::vector<std::string> ids = dag.topological_ids();
  ASSERT_EQ(ids.size(), 4u);
  EXPECT_EQ(std::vector<std::string>(ids.begin(), ids.begin() + 3),
            (std::vector<std::string>{"seed.p.codes", "source.p.raw.orders", "model.p.m"}));
  EXPECT_EQ(ids[3].substr(0, 19), "test.p.unique_m_id.");  // + dbt's 10-character hash
  EXPECT_EQ(ids[3].size(), 29u);
}

TEST(Dag, DisabledNodesAreLeftOutAndRefsToThemFail) {
  Project p = project(
      {{"models/off.sql", "{{ config(enabled=false) }} select 1"}, {"models/on.sql", "select 1"}});
  EXPECT_EQ(Dag::build(p).size(), 1u);
  Project bad = project({{"models/off.sql", "{{ config(enabled=false) }} select 1"},
                         {"models/uses.sql", "select * from {{ ref('off') }}"}});
  EXPECT_EQ(build_error(bad),
            "model 'off' is disabled (enabled: false) at models/uses.sql:1:18; enable it or "
            "remove this dependency");
}

TEST(Dag, ExtraDependenciesJoinTheOrderAndCannotCloseACycle) {
  Project p = project({{"models/a.sql", "select 1"}, {"models/b.sql", "select 2"}});
  Dag dag = Dag::build(p);
  EXPECT_EQ(dag.topological_ids(), (std::vector<std::string>{"model.p.a", "model.p.b"}));
  dag.add_dependency("model.p.a", "model.p.b");  // a reads b's table directly
  EXPECT_EQ(dag.topological_ids(), (std::vector<std::string>{"model.p.b", "model.p.a"}));
  try {
    dag.add_dependency("model.p.b", "model.p.a");
    FAIL() << "cycle accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("dependency cycle: a -> b -> a"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(dag.edge_count(), 1u);
  EXPECT_THROW(dag.add_dependency("model.p.a", "model.p.nope"), Error);
}

}  // namespace
}  // namespace baliza::transform
