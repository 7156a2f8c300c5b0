// The SQL tree: DuckDB's parse of a statement walked into structs (real DuckDB, in memory).
#include "lineage/sql_tree.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace baliza::lineage {
namespace {

class SqlTreeTest : public ::testing::Test {
 protected:
  std::shared_ptr<Database> db = Database::open(":memory:");
  Connection conn{db};
};

std::vector<std::string> ref_names(const Expr& e) {
  std::vector<std::string> out;
  for (const Expr* r : column_refs(e)) {
    std::string name;
    for (const auto& part : r->column_names) name += (name.empty() ? "" : ".") + part;
    out.push_back(name);
  }
  return out;
}

TEST_F(SqlTreeTest, SelectClausesAndJoin) {
  SqlTree t = parse_sql(conn,
                        "select a, sum(b) as s from t join u on t.id = u.id and t.x = 1 "
                        "left join v using (k) where a > 1 and c group by a having count(*) > 1 "
                        "qualify row_number() over (partition by a order by b desc) = 1");
  const Query& q = *t.root;
  ASSERT_EQ(q.kind, QueryKind::kSelect);
  ASSERT_EQ(q.select_list.size(), 2u);
  EXPECT_EQ(q.select_list[1]->alias, "s");
  EXPECT_TRUE(q.select_list[1]->is_aggregate());
  EXPECT_TRUE(q.aggregates);
  ASSERT_EQ(q.group_by.size(), 1u);
  EXPECT_FALSE(q.group_by_all);
  ASSERT_NE(q.where, nullptr);
  EXPECT_EQ(conjuncts(*q.where).size(), 2u);
  ASSERT_NE(q.having, nullptr);
  ASSERT_NE(q.qualify, nullptr);
  EXPECT_EQ(q.qualify->children[0]->kind, ExprKind::kWindow);
  EXPECT_EQ(q.qualify->children[0]->type, "WINDOW_ROW_NUMBER");
  ASSERT_EQ(q.qualify->children[0]->orders.size(), 1u);
  EXPECT_TRUE(q.qualify->children[0]->orders_descending[0]);

  const TableRef& outer = *q.from;
  ASSERT_EQ(outer.kind, TableKind::kJoin);
  EXPECT_EQ(outer.join_type, "LEFT");
  EXPECT_EQ(outer.using_columns, std::vector<std::string>{"k"});
  EXPECT_EQ(outer.right->table, "v");
  const TableRef& inner = *outer.left;
  EXPECT_EQ(inner.join_type, "INNER");
  EXPECT_EQ(ref_names(*inner.condition), (std::vector<std::string>{"t.id", "u.id", "t.x"}));
}

TEST_F(SqlTreeTest, CtesSetOperationsDistinctAndStars) {
  SqlTree t = parse_sql(conn,
                        "with c as (select distinct a from s.t), d as (select * from c) "
                        "select * exclude (x) replace (a + 1 as a) from d "
                        "union all select a from e union all select b from f");
  const Query& q = *t.root;
  ASSERT_EQ(q.kind, QueryKind::kSetOperation);
  EXPECT_EQ(q.setop_type, "UNION");
  EXPECT_TRUE(q.setop_all);
  EXPECT_EQ(q.operands.size(), 3u);  // flattened
  ASSERT_EQ(q.ctes.size(), 2u);
  EXPECT_EQ(q.ctes[0].name, "c");
  EXPECT_TRUE(q.ctes[0].query->distinct);
  EXPECT_EQ(q.ctes[0].query->from->schema, "s");
  const Expr& star = *q.operands[0]->select_list[0];
  EXPECT_EQ(star.kind, ExprKind::kStar);
  EXPECT_EQ(star.star_exclude, std::vector<std::string>{"x"});
  EXPECT_EQ(star.star_replace_names, std::vector<std::string>{"a"});
  EXPECT_NE(q.find_cte("D"), nullptr);  // identifiers compare case-insensitively
}

TEST_F(SqlTreeTest, LambdaParametersAreNotColumns) {
  SqlTree t = parse_sql(conn,
                        "select list_transform(l, lambda x: x.v + y) as m, "
                        "case when a then b else c end, try_cast(d as int), e between f and 2, "
                        "count(distinct h) filter (where i) from t");
  const auto& items = t.root->select_list;
  EXPECT_EQ(ref_names(*items[0]), (std::vector<std::string>{"l", "y"}));
  EXPECT_EQ(ref_names(*items[1]), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(items[2]->try_cast);
  EXPECT_EQ(items[2]->cast_type, "INTEGER");
  EXPECT_EQ(ref_names(*items[3]), (std::vector<std::string>{"e", "f"}));
  EXPECT_TRUE(items[4]->distinct);
  EXPECT_EQ(ref_names(*items[4]), (std::vector<std::string>{"h", "i"}));
}

TEST_F(SqlTreeTest, SubqueriesUnnestAndTableFunctions) {
  SqlTree t = parse_sql(conn,
                        "select unnest(xs) as x from (select [1, 2] as xs) s, range(3) r(n) "
                        "where n in (select k from keys)");
  const Query& q = *t.root;
  EXPECT_EQ(q.select_list[0]->function_name, "unnest");
  ASSERT_EQ(q.from->kind, TableKind::kJoin);
  EXPECT_EQ(q.from->ref_type, "CROSS");
  EXPECT_EQ(q.from->left->kind, TableKind::kSubquery);
  EXPECT_EQ(q.from->left->alias, "s");
  EXPECT_EQ(q.from->right->kind, TableKind::kTableFunction);
  EXPECT_EQ(q.from->right->column_aliases, std::vector<std::string>{"n"});
  ASSERT_EQ(q.where->kind, ExprKind::kSubquery);
  EXPECT_EQ(q.where->subquery_type, "ANY");
  EXPECT_EQ(q.where->subquery->from->table, "keys");
}

TEST_F(SqlTreeTest, RoundTripsThroughDuckDb) {
  SqlTree t = parse_sql(conn, "select a + 1 as b from t where a > 2");
  EXPECT_EQ(expression_sql(conn, *t.root->where->json), "(a > 2)");
  nlohmann::json edited = *t.root->json;
  edited["where_clause"] = nullptr;
  EXPECT_EQ(query_sql(conn, edited), "SELECT (a + 1) AS b FROM t");
}

TEST_F(SqlTreeTest, ErrorsSayWhatFailed) {
  try {
    parse_sql(conn, "select from where");
    FAIL() << "expected a parse error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kUsage);
    EXPECT_NE(std::string(e.what()).find("does not parse"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_sql(conn, "select 1; select 2"), Error);
}

TEST_F(SqlTreeTest, ManyStatementsParseInOrderWithTheirOwnErrors) {
  // More than one chunk of the batch (256), with failures among them: each entry is its own
  // statement's tree or parse_sql's message for it.
  std::vector<std::string> sqls;
  for (int i = 0; i < 300; ++i)
    sqls.push_back("select " + std::to_string(i) + " as c" + std::to_string(i));
  sqls[7] = "select from where";
  sqls[270] = "select 1; select 2";
  sqls[12] = "select 'it''s' as q";
  std::vector<ParsedTree> parsed = parse_sqls(conn, sqls);
  ASSERT_EQ(parsed.size(), sqls.size());
  for (std::size_t i = 0; i < sqls.size(); ++i) {
    if (i == 7 || i == 270) {
      EXPECT_FALSE(parsed[i].tree) << i;
      try {
        parse_sql(conn, sqls[i]);
        FAIL() << "expected an error for " << sqls[i];
      } catch (const Error& e) {
        EXPECT_EQ(parsed[i].error, e.what()) << i;
      }
      continue;
    }
    ASSERT_TRUE(parsed[i].tree) << i << ": " << parsed[i].error;
    EXPECT_EQ(parsed[i].tree->sql, sqls[i]);
    ASSERT_EQ(parsed[i].tree->root->select_list.size(), 1u);
    EXPECT_EQ(parsed[i].tree->root->select_list[0]->alias, i == 12 ? "q" : "c" + std::to_string(i));
  }
  EXPECT_TRUE(parse_sqls(conn, {}).empty());
}

}  // namespace
}  // namespace baliza::lineage
