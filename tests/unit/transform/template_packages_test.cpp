// Built-in packages (dbt, dbt_utils, dbt_date) against a real DuckDB: each macro's rendered SQL
// gives the same rows as a query written directly with DuckDB's own features (PIVOT, UNPIVOT,
// UNION ALL BY NAME, QUALIFY, generate_series, date functions).
#include <gtest/gtest.h>

#include <algorithm>

#include "core/error.h"
#include "db/database.h"
#include "transform/packages/builtin_packages.h"
#include "transform/template.h"
#include "transform/template_database.h"
#include "transform/template_macro.h"

namespace baliza::transform {
namespace {

class Packages : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = Database::open(":memory:");
    conn_ = std::make_unique<Connection>(db_);
    conn_->execute(
        "create table orders as select * from (values "
        "(1, 'ana', 'paid', 10.5, timestamp '2024-01-01 10:00'),"
        "(2, 'ana', 'open', 3.0, timestamp '2024-01-02 11:00'),"
        "(3, 'bia', 'paid', 7.25, timestamp '2024-01-02 12:00'),"
        "(4, 'caio', 'void', null, timestamp '2024-01-03 09:30'),"
        "(4, 'caio', 'paid', 1.0, timestamp '2024-01-04 09:30')) "
        "as t(id, customer, status, amount, created_at)");
    conn_->execute(
        "create table refunds as select * from (values (9, 'ana', 2.5, 'late')) "
        "as t(id, customer, amount, reason)");
    auto library = std::make_shared<MacroLibrary>();
    add_package_macros(*library, "/nonexistent-project-root");
    library->check();
    library_ = library;
  }

  std::string render(const std::string& text) {
    Template t = Template::parse(text, "models/m.sql");
    t.link_macros(library_);
    RenderContext ctx;
    ctx.resolve_ref = [](const TemplateRef& r) -> std::optional<std::string> {
      return "\"main\".\"" + r.name + "\"";
    };
    bind_database(ctx, *conn_);
    return t.render(ctx);
  }

  // Rows as "a|b|c" text, sorted: results compared as sets of rows with their column order.
  std::vector<std::string> rows(const std::string& sql) {
    Result r = conn_->query_as_text(sql);
    std::vector<std::string> out;
    for (std::size_t row = 0; row < r.row_count(); ++row) {
      std::string line;
      for (std::size_t c = 0; c < r.column_count(); ++c) {
        if (c > 0) line += "|";
        line += r.is_null(c, row) ? "NULL" : r.get_string(c, row);
      }
      out.push_back(line);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  void expect_same(const std::string& templated, const std::string& direct) {
    std::string sql = render(templated);
    SCOPED_TRACE(sql);
    std::vector<std::string> expected = rows(direct);
    EXPECT_FALSE(expected.empty());
    EXPECT_EQ(rows(sql), expected);
  }

  std::shared_ptr<Database> db_;
  std::unique_ptr<Connection> conn_;
  std::shared_ptr<const MacroLibrary> library_;
};

TEST_F(Packages, GenerateSurrogateKey) {
  expect_same(
      "select id, {{ dbt_utils.generate_surrogate_key(['id', 'amount']) }} as k from "
      "{{ ref('orders') }}",
      "select id, md5(concat_ws('-', coalesce(id::varchar, '_dbt_utils_surrogate_key_null_'), "
      "coalesce(amount::varchar, '_dbt_utils_surrogate_key_null_'))) from orders");
}

TEST_F(Packages, StarWithExceptPrefixAndAlias) {
  expect_same(
      "select {{ dbt_utils.star(ref('orders'), except=['amount', 'CREATED_AT']) }} from "
      "{{ ref('orders') }}",
      "select id, customer, status from orders");
  std::string sql = render(
      "select {{ dbt_utils.star(from=ref('orders'), relation_alias='o', prefix='p_', "
      "except=['amount', 'created_at', 'status']) }} from {{ ref('orders') }} as o");
  EXPECT_EQ(sql,
            "select o.\"id\" as \"p_id\",\no.\"customer\" as \"p_customer\" from "
            "\"main\".\"orders\" as o");
}

TEST_F(Packages, PivotOverGetColumnValuesEqualsDuckDbPivot) {
  expect_same(
      "select customer, {{ dbt_utils.pivot('status', dbt_utils.get_column_values(ref('orders'), "
      "'status', order_by='status')) }} from {{ ref('orders') }} group by customer",
      "select customer, coalesce(open, 0), coalesce(paid, 0), coalesce(void, 0) from "
      "(pivot orders on status using count(*) group by customer)");
}

TEST_F(Packages, UnpivotEqualsDuckDbUnpivot) {
  expect_same(
      "{{ dbt_utils.unpivot(ref('refunds'), cast_to='varchar', exclude=['id'], "
      "field_name='field', value_name='val') }}",
      "select id, field, val from (unpivot (select id, customer, amount::varchar as amount, "
      "reason from refunds) on customer, amount, reason into name field value val)");
}

TEST_F(Packages, UnionRelationsEqualsUnionByName) {
  expect_same(
      "select id, customer, amount, status, reason from ({{ dbt_utils.union_relations("
      "[ref('orders'), ref('refunds')], exclude=['created_at']) }})",
      "select id, customer, amount, status, reason from (select id, customer, status, amount "
      "from orders union all by name select * from refunds)");
  std::string sql = render(
      "select distinct _dbt_source_relation from ({{ dbt_utils.union_relations([ref('orders'), "
      "ref('refunds')]) }})");
  EXPECT_EQ(rows(sql), (std::vector<std::string>{"\"main\".\"orders\"", "\"main\".\"refunds\""}));
}

TEST_F(Packages, DateSpineEqualsGenerateSeries) {
  expect_same(
      "{{ dbt_utils.date_spine('day', \"cast('2024-01-01' as date)\", \"cast('2024-01-05' as "
      "date)\") }}",
      "select * from generate_series(timestamp '2024-01-01', timestamp '2024-01-04', "
      "interval 1 day)");
}

TEST_F(Packages, DeduplicateEqualsQualify) {
  expect_same("{{ dbt_utils.deduplicate(ref('orders'), 'id', 'created_at desc') }}",
              "select * from orders qualify row_number() over (partition by id order by created_at "
              "desc) = 1");
}

TEST_F(Packages, CrossDatabaseMacros) {
  expect_same(
      "select {{ dbt.date_trunc('month', 'created_at') }}, {{ dbt.dateadd('day', 3, "
      "'created_at') }}, {{ dbt.datediff(\"timestamp '2024-01-01'\", 'created_at', 'day') }}, "
      "{{ dbt.safe_cast(\"'12'\", dbt.type_int()) }}, {{ dbt.concat(['customer', \"'-'\", "
      "'status']) }}, {{ dbt.hash('id') }}, cast(null as {{ dbt.type_string() }}) from "
      "{{ ref('orders') }}",
      "select date_trunc('month', created_at), created_at + interval 3 day, "
      "datediff('day', timestamp '2024-01-01', created_at), 12, customer || '-' || status, "
      "md5(id::varchar), null::varchar from orders");
  // Unqualified calls reach dbt's macros too, as in dbt.
  EXPECT_EQ(render("{{ type_string() }} {{ date_trunc('day', 'x') }}"),
            "varchar date_trunc('day', x)");
}

TEST_F(Packages, GenericTestsSelectTheFailingRows) {
  auto failing = [&](const std::string& call) {
    return rows("select count(*) from (" + render(call) + ")");
  };
  EXPECT_EQ(failing("{{ dbt_utils.test_expression_is_true(ref('orders'), 'amount > 2') }}"),
            rows("select count(*) from orders where not (amount > 2)"));
  EXPECT_EQ(failing("{{ dbt_utils.test_accepted_range(ref('orders'), 'amount', min_value=2, "
                    "max_value=10) }}"),
            rows("select count(*) from orders where not (amount >= 2 and amount <= 10)"));
  EXPECT_EQ(failing("{{ dbt_utils.test_unique_combination_of_columns(ref('orders'), ['id']) }}"),
            (std::vector<std::string>{"1"}));
  EXPECT_EQ(failing("{{ dbt_utils.test_unique_combination_of_columns(ref('orders'), ['id', "
                    "'status']) }}"),
            (std::vector<std::string>{"0"}));
  EXPECT_EQ(failing("{{ dbt_utils.test_not_null_proportion(ref('orders'), 'amount', "
                    "at_least=0.9) }}"),
            (std::vector<std::string>{"1"}));  // 4 of 5 are not null
  EXPECT_EQ(failing("{{ dbt_utils.test_at_least_one(ref('orders'), 'amount') }}"),
            (std::vector<std::string>{"0"}));
  EXPECT_EQ(failing("{{ dbt_utils.test_relationships_where(ref('refunds'), 'customer', "
                    "ref('orders'), 'customer') }}"),
            (std::vector<std::string>{"0"}));
  EXPECT_EQ(failing("{{ dbt_utils.test_recency(ref('orders'), 'created_at', 'day', 1) }}"),
            (std::vector<std::string>{"1"}));  // the newest row is from 2024
}

TEST_F(Packages, DbtDateMacros) {
  expect_same(
      "select {{ dbt_date.day_of_week('created_at') }}, {{ dbt_date.day_name('created_at', "
      "short=false) }}, {{ dbt_date.to_unixtimestamp('created_at') }}, "
      "{{ dbt_date.from_unixtimestamp('0') }} from {{ ref('orders') }}",
      "select isodow(created_at), dayname(created_at), epoch(created_at), "
      "to_timestamp(0) from orders");
}

TEST_F(Packages, UnknownPackageMacroSuggests) {
  try {
    Template t = Template::parse("{{ dbt_utils.generate_surogate_key(['a']) }}", "models/m.sql");
    t.link_macros(library_);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "unknown macro 'dbt_utils.generate_surogate_key' at models/m.sql:1:14; did you "
              "mean 'generate_surrogate_key'?");
  }
}

}  // namespace
}  // namespace baliza::transform
