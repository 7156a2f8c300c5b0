// End-to-end: a small shop project written for these tests in the style of dbt's public
// jaffle_shop_duckdb example (its own data and SQL, none copied): three seeds, staging views
// that rename columns, marts built with a Jinja loop over payment methods, docs blocks used
// in descriptions, and the four built-in generic tests. `baliza dbt build` runs it unmodified
// and every mart equals the same SQL run directly by DuckDB on the CSV files.
#include "e2e/dbt_fixture.h"

namespace baliza {
namespace {

using testing::contains;

class DbtJaffleLike : public testing::DbtProject {
 protected:
  void SetUp() override {
    write("dbt_project.yml",
          "name: 'shop'\nconfig-version: 2\nversion: '0.1'\nprofile: 'shop'\n"
          "model-paths: [\"models\"]\nseed-paths: [\"seeds\"]\ntest-paths: [\"tests\"]\n"
          "analysis-paths: [\"analysis\"]\nmacro-paths: [\"macros\"]\ntarget-path: \"target\"\n"
          "clean-targets: [\"target\", \"dbt_packages\"]\n"
          "require-dbt-version: [\">=1.0.0\", \"<2.0.0\"]\n"
          "seeds:\n  +docs:\n    node_color: '#aa5500'\n"
          "models:\n  shop:\n    materialized: table\n    staging:\n      materialized: view\n");
    write("profiles.yml",
          "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
          "      path: 'shop.duckdb'\n      threads: 8\n");
    write("seeds/raw_people.csv", "id,first,last\n1,Ana,S.\n2,Bruno,T.\n3,Carla,U.\n4,Davi,V.\n");
    write("seeds/raw_purchases.csv",
          "id,person_id,bought_on,state\n10,1,2024-01-03,delivered\n11,1,2024-02-10,sent\n"
          "12,2,2024-02-11,delivered\n13,3,2024-03-01,refunded\n14,3,2024-03-05,open\n"
          "15,1,2024-03-09,refund_asked\n");
    write("seeds/raw_money.csv",
          "id,purchase_id,how,cents\n100,10,card,1250\n101,10,voucher,300\n102,11,pix,990\n"
          "103,12,card,4500\n104,13,boleto,2000\n105,14,pix,700\n106,15,card,1500\n"
          "107,15,voucher,100\n");
    write("models/staging/stg_people.sql",
          "with source as (\n  select * from {{ ref('raw_people') }}\n),\nrenamed as (\n"
          "  select id as person_id, first as first_name, last as last_name from source\n)\n"
          "select * from renamed\n");
    write("models/staging/stg_purchases.sql",
          "with source as (select * from {{ ref('raw_purchases') }})\n"
          "select id as purchase_id, person_id, bought_on, state from source\n");
    write("models/staging/stg_money.sql",
          "with source as (select * from {{ ref('raw_money') }})\n"
          "select id as money_id, purchase_id, how,\n"
          "  -- cents to units\n  cents / 100 as amount\nfrom source\n");
    write("models/staging/schema.yml",
          "version: 2\nmodels:\n  - name: stg_people\n    columns:\n      - name: person_id\n"
          "        tests: [unique, not_null]\n  - name: stg_purchases\n    columns:\n"
          "      - name: purchase_id\n        tests: [unique, not_null]\n      - name: state\n"
          "        tests:\n          - accepted_values:\n              values: ['open', 'sent', "
          "'delivered', 'refund_asked', 'refunded']\n  - name: stg_money\n    columns:\n"
          "      - name: money_id\n        tests: [unique, not_null]\n      - name: how\n"
          "        tests:\n          - accepted_values:\n              values: ['card', 'pix', "
          "'boleto', 'voucher']\n");
    write("models/purchases.sql",
          "{% set methods = ['card', 'pix', 'boleto', 'voucher'] %}\n"
          "with purchases as (select * from {{ ref('stg_purchases') }}),\n"
          "money as (select * from {{ ref('stg_money') }}),\n"
          "per_purchase as (\n  select purchase_id,\n"
          "    {% for m in methods -%}\n"
          "    sum(case when how = '{{ m }}' then amount else 0 end) as {{ m }}_amount,\n"
          "    {% endfor -%}\n    sum(amount) as total_amount\n  from money group by purchase_id\n"
          "),\nfinal as (\n  select purchases.purchase_id, purchases.person_id, "
          "purchases.bought_on, purchases.state,\n"
          "    {% for m in methods -%}\n    per_purchase.{{ m }}_amount,\n    {% endfor -%}\n"
          "    per_purchase.total_amount as amount\n  from purchases\n"
          "  left join per_purchase on purchases.purchase_id = per_purchase.purchase_id\n)\n"
          "select * from final\n");
    write("models/people.sql",
          "with people as (select * from {{ ref('stg_people') }}),\n"
          "purchases as (select * from {{ ref('stg_purchases') }}),\n"
          "money as (select * from {{ ref('stg_money') }}),\n"
          "per_person as (\n  select person_id, min(bought_on) as first_purchase,\n"
          "    max(bought_on) as latest_purchase, count(purchase_id) as purchases\n"
          "  from purchases group by person_id\n),\n"
          "spent as (\n  select purchases.person_id, sum(money.amount) as lifetime_value\n"
          "  from money left join purchases on money.purchase_id = purchases.purchase_id\n"
          "  group by purchases.person_id\n)\n"
          "select people.person_id, people.first_name, people.last_name,\n"
          "  per_person.first_purchase, per_person.latest_purchase, per_person.purchases,\n"
          "  spent.lifetime_value\nfrom people\n"
          "left join per_person on people.person_id = per_person.person_id\n"
          "left join spent on people.person_id = spent.person_id\n");
    write("models/docs.md",
          "{% docs purchase_state %}\nWhere a purchase is: open, sent, delivered, refund_asked "
          "or refunded.\n{% enddocs %}\n");
    write("models/schema.yml",
          "version: 2\nmodels:\n  - name: people\n    description: One row per person.\n"
          "    columns:\n      - name: person_id\n        tests: [unique, not_null]\n"
          "  - name: purchases\n    columns:\n      - name: purchase_id\n"
          "        tests: [unique, not_null]\n      - name: person_id\n"
          "        tests:\n          - not_null\n          - relationships:\n"
          "              to: ref('people')\n              field: person_id\n"
          "      - name: state\n        description: '{{ doc(\"purchase_state\") }}'\n"
          "      - name: amount\n        tests: [not_null]\n");
  }
};

TEST_F(DbtJaffleLike, BuildsUnmodifiedAndEqualsDirectDuckDb) {
  auto r = dbt("build");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "ERROR=0 SKIP=0")) << r.err;
  EXPECT_TRUE(contains(r.err, "PASS=")) << r.err;
  // Relations as the project configures them: staging views, marts tables, seeds tables.
  EXPECT_EQ(relations(),
            "table_schema,table_name,table_type\nmain,people,BASE TABLE\n"
            "main,purchases,BASE TABLE\nmain,raw_money,BASE TABLE\nmain,raw_people,BASE TABLE\n"
            "main,raw_purchases,BASE TABLE\nmain,stg_money,VIEW\nmain,stg_people,VIEW\n"
            "main,stg_purchases,VIEW\n");
  // The marts against the same logic written directly on the CSV files.
  const std::string money =
      "(select purchase_id, how, cents / 100 as amount from "
      "read_csv('seeds/raw_money.csv'))";
  EXPECT_EQ(csv("select * from main.purchases order by purchase_id"),
            csv("select p.id as purchase_id, p.person_id, p.bought_on, p.state, "
                "sum(case when how = 'card' then amount else 0 end) as card_amount, "
                "sum(case when how = 'pix' then amount else 0 end) as pix_amount, "
                "sum(case when how = 'boleto' then amount else 0 end) as boleto_amount, "
                "sum(case when how = 'voucher' then amount else 0 end) as voucher_amount, "
                "sum(amount) as amount from read_csv('seeds/raw_purchases.csv') p left join " +
                money + " m on m.purchase_id = p.id group by all order by purchase_id"));
  EXPECT_EQ(csv("select * from main.people order by person_id"),
            csv("select c.id as person_id, c.first as first_name, c.last as last_name, "
                "(select min(bought_on) from read_csv('seeds/raw_purchases.csv') where "
                "person_id = c.id) as first_purchase, (select max(bought_on) from "
                "read_csv('seeds/raw_purchases.csv') where person_id = c.id) as "
                "latest_purchase, (select nullif(count(*), 0) from "
                "read_csv('seeds/raw_purchases.csv') where person_id = c.id) as purchases, (select "
                "sum(m.amount) from " +
                money +
                " m join read_csv('seeds/raw_purchases.csv') p on p.id = m.purchase_id "
                "where p.person_id = c.id) as lifetime_value "
                "from read_csv('seeds/raw_people.csv') c order by person_id"));
  // A second build changes nothing.
  auto again = dbt("build");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(csv("select count(*) as n, round(sum(amount), 2) as s from main.purchases"),
            "n,s\n6,113.4\n");
}

}  // namespace
}  // namespace baliza
