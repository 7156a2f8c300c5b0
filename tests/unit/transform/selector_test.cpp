#include "transform/selector.h"

#include <gtest/gtest.h>

#include <set>

#include "core/error.h"
#include "transform/state.h"

namespace baliza::transform {
namespace {

std::vector<ProjectFile> shop_files() {
  return {
      {"baliza.yml",
       "name: shop\nmodels:\n  shop:\n    staging: {+tags: [staging], +schema: staging}\n"
       "    marts: {+materialized: table}\n"},
      {"models/staging/sources.yml",
       "sources:\n  - name: raw\n    tables: [{name: a}, {name: b}]\n"
       "  - name: other\n    tables: [{name: c}]\n"},
      {"models/staging/stg_a.sql", "select * from {{ source('raw', 'a') }}"},
      {"models/staging/stg_b.sql", "select * from {{ source('raw', 'b') }}"},
      {"models/staging/stg_c.sql", "select * from {{ source('other', 'c') }}"},
      {"models/intermediate/int_ab.sql",
       "select * from {{ ref('stg_a') }} join {{ ref('stg_b') }} using (id)"},
      {"models/marts/mart_x.sql",
       "{{ config(tags=['daily'], unique_key=['id', 'day']) }}\nselect * from {{ ref('int_ab') }}"},
      {"models/marts/mart_y.sql",
       "{{ config(materialized='view') }}\nselect * from {{ ref('mart_x') }} join "
       "{{ ref('codes') }} using (code) where d > '{{ var('since', '2024') }}'"},
      {"models/marts/schema.yml",
       "models:\n  - name: mart_x\n    columns: [{name: id, tests: [not_null]}]\n"},
      {"seeds/codes.csv", "code\n1\n"},
      {"tests/y_positive.sql", "select * from {{ ref('mart_y') }} where x < 0"},
  };
}

class SelectorTest : public ::testing::Test {
 protected:
  SelectorTest() : project_(load_project_files(shop_files(), "test")), dag_(Dag::build(project_)) {}

  // Selected node names (unique_id minus "<type>.shop." and a generic test's ".<hash>"),
  // sorted, for readable assertions.
  std::set<std::string> pick(std::vector<std::string> select, std::vector<std::string> exclude = {},
                             const std::map<std::string, std::string>* state = nullptr) {
    SelectionRequest request{std::move(select), std::move(exclude), state};
    Selection s = select_nodes(project_, dag_, request);
    last_warnings_ = s.warnings;
    std::set<std::string> out;
    for (const auto& id : s.unique_ids) {
      std::string name = id.substr(id.find(".shop.") + 6);
      if (id.rfind("test.", 0) == 0 && name.find('.') != std::string::npos)
        name = name.substr(0, name.find('.'));
      out.insert(name);
    }
    return out;
  }

  using Names = std::set<std::string>;
  Project project_;
  Dag dag_;
  std::vector<std::string> last_warnings_;
};

TEST_F(SelectorTest, NothingSelectsEverythingInTopologicalOrder) {
  Selection s = select_nodes(project_, dag_, {});
  EXPECT_EQ(s.unique_ids.size(), dag_.size());
  EXPECT_EQ(s.unique_ids, dag_.topological_ids());
}

TEST_F(SelectorTest, ByNameAndWildcard) {
  EXPECT_EQ(pick({"int_ab"}), (Names{"int_ab"}));
  EXPECT_EQ(pick({"stg_*"}), (Names{"stg_a", "stg_b", "stg_c"}));
  EXPECT_EQ(pick({"mart_?"}), (Names{"mart_x", "mart_y"}));
}

TEST_F(SelectorTest, ByFqnFolder) {
  EXPECT_EQ(pick({"staging.*"}), (Names{"stg_a", "stg_b", "stg_c"}));
  EXPECT_EQ(pick({"marts"}), (Names{"mart_x", "mart_y", "not_null_mart_x_id"}));
  EXPECT_EQ(pick({"shop.intermediate.int_ab"}), (Names{"int_ab"}));
}

TEST_F(SelectorTest, GraphOperators) {
  EXPECT_EQ(pick({"+int_ab"}), (Names{"int_ab", "stg_a", "stg_b", "raw.a", "raw.b"}));
  EXPECT_EQ(pick({"1+int_ab"}), (Names{"int_ab", "stg_a", "stg_b"}));
  EXPECT_EQ(pick({"mart_x+"}), (Names{"mart_x", "mart_y", "not_null_mart_x_id", "y_positive"}));
  EXPECT_EQ(pick({"mart_x+1"}), (Names{"mart_x", "mart_y", "not_null_mart_x_id"}));
  EXPECT_EQ(pick({"2+mart_x+1"}),
            (Names{"stg_a", "stg_b", "int_ab", "mart_x", "mart_y", "not_null_mart_x_id"}));
  EXPECT_EQ(pick({"+stg_a+"}).size(), 7u);  // raw.a, stg_a, int_ab, mart_x, mart_y, 2 tests
}

TEST_F(SelectorTest, AtIncludesAncestorsOfDescendants) {
  // mart_y's parent `codes` comes in because it feeds a descendant of mart_x.
  EXPECT_EQ(pick({"@mart_x"}), (Names{"raw.a", "raw.b", "stg_a", "stg_b", "int_ab", "mart_x",
                                      "mart_y", "codes", "not_null_mart_x_id", "y_positive"}));
}

TEST_F(SelectorTest, TagPathFileAndPackage) {
  EXPECT_EQ(pick({"tag:staging"}), (Names{"stg_a", "stg_b", "stg_c"}));
  EXPECT_EQ(pick({"tag:daily"}), (Names{"mart_x"}));
  EXPECT_EQ(pick({"path:models/marts"}), (Names{"mart_x", "mart_y", "not_null_mart_x_id"}));
  EXPECT_EQ(pick({"path:models/marts/mart_y.sql"}), (Names{"mart_y"}));
  EXPECT_EQ(pick({"models/intermediate/"}), (Names{"int_ab"}));  // a bare path
  EXPECT_EQ(pick({"path:models/mar"}), Names{});                 // prefix of folder, not a folder
  EXPECT_EQ(pick({"file:int_ab.sql"}), (Names{"int_ab"}));
  EXPECT_EQ(pick({"file:int_ab"}), (Names{"int_ab"}));
  EXPECT_EQ(pick({"package:shop"}).size(), dag_.size());
}

TEST_F(SelectorTest, ConfigResourceTypeSourceAndTests) {
  EXPECT_EQ(pick({"config.materialized:table"}), (Names{"mart_x"}));
  EXPECT_EQ(pick({"config.schema:staging"}), (Names{"stg_a", "stg_b", "stg_c"}));
  EXPECT_EQ(pick({"config.unique_key:day"}), (Names{"mart_x"}));
  EXPECT_EQ(pick({"resource_type:seed"}), (Names{"codes"}));
  EXPECT_EQ(pick({"resource_type:test"}), (Names{"not_null_mart_x_id", "y_positive"}));
  EXPECT_EQ(pick({"source:raw"}), (Names{"raw.a", "raw.b"}));
  EXPECT_EQ(pick({"source:raw.b"}), (Names{"raw.b"}));
  EXPECT_EQ(pick({"source:other+"}), (Names{"other.c", "stg_c"}));
  EXPECT_EQ(pick({"test_type:singular"}), (Names{"y_positive"}));
  EXPECT_EQ(pick({"test_name:not_null"}), (Names{"not_null_mart_x_id"}));
}

TEST_F(SelectorTest, UnionIntersectionAndExclude) {
  EXPECT_EQ(pick({"stg_a int_ab"}), (Names{"stg_a", "int_ab"}));
  EXPECT_EQ(pick({"stg_a", "codes"}), (Names{"stg_a", "codes"}));
  EXPECT_EQ(pick({"+mart_y,resource_type:model"}),
            (Names{"stg_a", "stg_b", "int_ab", "mart_x", "mart_y"}));
  EXPECT_EQ(pick({"tag:staging,stg_b+"}), (Names{"stg_b"}));
  EXPECT_EQ(pick({"staging.*"}, {"stg_b"}), (Names{"stg_a", "stg_c"}));
  EXPECT_EQ(pick({}, {"resource_type:test resource_type:source"}),
            (Names{"stg_a", "stg_b", "stg_c", "int_ab", "mart_x", "mart_y", "codes"}));
}

TEST_F(SelectorTest, NoMatchIsAWarning) {
  EXPECT_EQ(pick({"stg_a nothing_like_this"}), (Names{"stg_a"}));
  ASSERT_EQ(last_warnings_.size(), 1u);
  EXPECT_EQ(last_warnings_[0], "selector 'nothing_like_this' matched no nodes");
}

TEST_F(SelectorTest, UnknownMethodListsValidOnes) {
  try {
    pick({"tga:daily"});
    FAIL() << "accepted an unknown method";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kUsage);
    EXPECT_EQ(std::string(e.what()),
              "unknown selector method 'tga' in 'tga:daily'; did you mean 'tag'? valid methods: "
              "fqn, path, file, tag, config.<key>, resource_type, source, state, package, "
              "test_name, test_type");
  }
  EXPECT_THROW(pick({"state:modified"}), Error);  // no previous state given
  EXPECT_THROW(pick({"@a+"}), Error);
}

TEST_F(SelectorTest, StateModifiedHasNoFalsePositivesOnAnUnchangedProject) {
  // The previous state comes from an independent load of the same files.
  Project again = load_project_files(shop_files(), "test");
  auto previous = state_checksums(again);
  EXPECT_EQ(pick({"state:modified"}, {}, &previous), Names{});
  EXPECT_EQ(pick({"state:new"}, {}, &previous), Names{});
}

TEST_F(SelectorTest, StateModifiedSeesSqlConfigVarAndNewNodes) {
  std::vector<ProjectFile> files = shop_files();
  files[3].content += " where true";                       // stg_b's SQL
  files[0].content += "    intermediate: {+schema: x}\n";  // int_ab's config, from baliza.yml
  files.push_back({"models/marts/brand_new.sql", "select 1"});
  Project old_project = load_project_files(files, "test");
  // Reverse roles: the "previous" state is the edited project, the current is shop_files().
  // So stg_b, int_ab differ; brand_new only exists in previous (deleted now: not selected).
  auto previous = state_checksums(old_project);
  previous.erase("model.shop.mart_x");  // as if mart_x did not exist before: it is new
  EXPECT_EQ(pick({"state:modified"}, {}, &previous), (Names{"stg_b", "int_ab", "mart_x"}));
  EXPECT_EQ(pick({"state:new"}, {}, &previous), (Names{"mart_x"}));
  EXPECT_EQ(pick({"state:modified+"}, {}, &previous).count("mart_y"), 1u);

  LoadOptions vars;
  vars.cli_vars = {{"since", "2025"}};  // only mart_y renders var('since')
  Project with_vars = load_project_files(shop_files(), "test", vars);
  auto previous_vars = state_checksums(with_vars);
  EXPECT_EQ(pick({"state:modified"}, {}, &previous_vars), (Names{"mart_y"}));
}

}  // namespace
}  // namespace baliza::transform
