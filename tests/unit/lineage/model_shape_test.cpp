// Model shapes derived from SQL: filter, dedup, group by, joins on keys, unions, unnest, CTE
// scoping, pass-through columns (real DuckDB parser, in memory).
#include "lineage/model_shape.h"

#include <gtest/gtest.h>

namespace baliza::lineage {
namespace {

class ModelShapeTest : public ::testing::Test {
 protected:
  std::shared_ptr<Database> db = Database::open(":memory:");
  Connection conn{db};
  ModelShape shape(const std::string& sql) { return analyze_sql(conn, sql); }
};

std::optional<std::vector<std::string>> columns_of(const RelationName& r) {
  if (r.table == "registros") return std::vector<std::string>{"k", "v", "ok", "request_id"};
  if (r.table == "pages") return std::vector<std::string>{"request_id", "body"};
  if (r.table == "codes") return std::vector<std::string>{"code", "name"};
  return std::nullopt;
}

TEST_F(ModelShapeTest, FilterAndRowNumberDedup) {
  ModelShape s = shape(
      "select * exclude (ok) from \"staging\".\"registros\" where ok and v > 0 "
      "qualify row_number() over (partition by k order by v desc) = 1");
  const Flow& f = *s.flow;
  ASSERT_EQ(f.kind, FlowKind::kSelect);
  EXPECT_EQ(f.filters.size(), 2u);
  EXPECT_EQ(f.dedup.kind, DedupKind::kRowNumber);
  ASSERT_EQ(f.dedup.keys.size(), 1u);
  EXPECT_EQ(f.dedup.keys[0]->column_names, std::vector<std::string>{"k"});
  EXPECT_TRUE(f.dedup.order_descending.at(0));
  ASSERT_EQ(f.source->kind, FlowKind::kRelation);
  EXPECT_EQ(f.source->relation.label(), "staging.registros");
  EXPECT_EQ(describe(f), "select(filter 2, dedup row_number by [k]) <- staging.registros");
  EXPECT_EQ(output_columns(f, columns_of), (std::vector<std::string>{"k", "v", "request_id"}));
  auto origin = passthrough_origin(f, "request_id", columns_of);
  ASSERT_TRUE(origin);
  EXPECT_EQ(origin->relation.label(), "staging.registros");
  EXPECT_FALSE(passthrough_origin(f, "ok", columns_of));  // excluded
}

TEST_F(ModelShapeTest, OtherQualifyIsAWindowFilterAndDistinct) {
  EXPECT_EQ(shape("select * from t qualify count(*) over (partition by k) > 1").flow->dedup.kind,
            DedupKind::kWindowFilter);
  EXPECT_EQ(
      shape("select * from t qualify 1 = row_number() over (partition by k)").flow->dedup.kind,
      DedupKind::kRowNumber);
  EXPECT_EQ(shape("select distinct a, b from t").flow->dedup.keys.size(), 2u);
  EXPECT_EQ(shape("select distinct on (a) a, b from t order by a, b desc").flow->dedup.kind,
            DedupKind::kDistinctOn);
}

TEST_F(ModelShapeTest, GroupByAllOverLeftJoinOnKeys) {
  ModelShape s = shape(
      "select date_trunc('month', c.d)::date as mes, c.org, m.name, count(*) as n, "
      "sum(c.v) as total from \"staging\".\"c\" c left join \"main\".\"codes\" m "
      "on m.code = c.code group by all");
  const Flow& f = *s.flow;
  EXPECT_TRUE(f.aggregate);
  ASSERT_EQ(f.group_keys.size(), 3u);  // mes, org, name: not the aggregates
  EXPECT_EQ(f.group_keys[0]->alias, "mes");
  const Flow& j = *f.source;
  ASSERT_EQ(j.kind, FlowKind::kJoin);
  EXPECT_EQ(j.join_type, "LEFT");
  ASSERT_EQ(j.keys.size(), 1u);
  // Left side first, though the SQL wrote the right side's column first.
  EXPECT_EQ(j.keys[0].left, (std::vector<std::string>{"c", "code"}));
  EXPECT_EQ(j.keys[0].right, (std::vector<std::string>{"m", "code"}));
  EXPECT_TRUE(j.residual.empty());
  EXPECT_EQ(j.left->binding, "c");
  auto inputs = input_relations(f);
  ASSERT_EQ(inputs.size(), 2u);
  EXPECT_EQ(inputs[0].label(), "staging.c");
  EXPECT_EQ(inputs[1].label(), "main.codes");
}

TEST_F(ModelShapeTest, CteScopingAndUnnestOfPages) {
  ModelShape s = shape(
      "with pages as (select request_id, body from raw.pages where endpoint = 'x'), "
      "registros as (select request_id, unnest(range(len(d)))::integer as pos, unnest(d) as r "
      "from (select p.request_id, from_json(p.body, '[\"VARCHAR\"]') as d from pages p)) "
      "select request_id, pos, r as value from registros");
  const Flow& top = *s.flow;
  const Flow* counted = strip_projections(top);
  ASSERT_EQ(counted->kind, FlowKind::kSelect);
  EXPECT_EQ(counted->cte_name, "registros");
  EXPECT_EQ(counted->unnests.size(), 2u);
  const Flow& inner = *counted->source;  // the subquery
  ASSERT_EQ(inner.kind, FlowKind::kSelect);
  EXPECT_EQ(inner.source->cte_name, "pages");
  EXPECT_EQ(inner.source->filters.size(), 1u);
  EXPECT_EQ(input_relations(top).at(0).label(), "raw.pages");
  auto origin = passthrough_origin(top, "request_id", columns_of);
  ASSERT_TRUE(origin);
  EXPECT_EQ(origin->relation.label(), "raw.pages");
  EXPECT_EQ(origin->column, "request_id");
  EXPECT_FALSE(passthrough_origin(top, "value", columns_of));  // from unnest: computed
}

TEST_F(ModelShapeTest, CteShadowingAndLaterCtesAreNotVisibleEarlier) {
  // Inside b, "a" is the CTE a; inside a, "b" is the relation b (b is declared later).
  ModelShape s = shape("with a as (select * from b), b as (select * from a) select * from b");
  const Flow& top = *s.flow;
  EXPECT_EQ(top.source->cte_name, "b");
  EXPECT_EQ(top.source->source->cte_name, "a");
  EXPECT_EQ(top.source->source->source->kind, FlowKind::kRelation);
  EXPECT_EQ(top.source->source->source->relation.label(), "b");
}

TEST_F(ModelShapeTest, UnionsSubqueryInputsAndOpaqueShapes) {
  ModelShape u = shape("select k from x union all select k from y where k in (select k from z)");
  ASSERT_EQ(u.flow->kind, FlowKind::kSetOperation);
  EXPECT_TRUE(u.flow->all);
  EXPECT_EQ(u.flow->operands.size(), 2u);
  auto inputs = input_relations(*u.flow);
  ASSERT_EQ(inputs.size(), 3u);
  EXPECT_EQ(inputs[2].label(), "z");

  ModelShape r = shape(
      "with recursive n as (select 1 as i union all select i + 1 from n where i < 3) "
      "select * from n");
  EXPECT_EQ(r.flow->source->kind, FlowKind::kOpaque);
  EXPECT_EQ(r.flow->source->reason, "recursive CTE");
}

}  // namespace
}  // namespace baliza::lineage
