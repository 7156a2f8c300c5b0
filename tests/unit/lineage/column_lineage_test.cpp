// Column lineage against hand-written expectations: columns of the built-in PNCP project
// (identity, aggregation, join keys, the JSON field of a raw page) and of a small project that
// goes through a macro, an ephemeral model, `select *` / `* exclude`, CASE, a window, a union
// and an unnest of JSON. The project is bound as `baliza validate` binds it (an empty scratch
// database with every upstream relation), which is how `baliza lineage` computes it.
#include <gtest/gtest.h>

#include <fstream>

#include "lineage/project_lineage.h"
#include "support/temp_dir.h"
#include "transform/project.h"
#include "transform/sql_dependencies.h"
#include "transform/validate.h"

namespace baliza::lineage {
namespace {

using transform::Dag;
using transform::Project;

ProjectLineage lineage_of(const Project& project) {
  Dag dag = Dag::build(project);
  auto scratch = Database::open(":memory:", {.threads = "1"});
  Connection conn(scratch);
  transform::add_plain_sql_dependencies(project, dag, conn);
  ProjectLineage out;
  auto issues = transform::validate_project(
      project, dag, std::nullopt,
      [&](const transform::Node& n, const std::string& sql, int, Connection& c) {
        out.add_model(n, sql, c);
        return std::vector<transform::ValidationIssue>{};
      });
  for (const auto& i : issues) EXPECT_FALSE(i.error) << i.location << ": " << i.message;
  return out;
}

const ColumnLineage& column(const ProjectLineage& p, const std::string& model,
                            const std::string& name) {
  const ModelColumns* m = p.find(model);
  if (!m) throw std::runtime_error("no model " + model);
  for (const ColumnLineage& c : m->lineage.columns)
    if (c.column == name) return c;
  throw std::runtime_error("no column " + model + "." + name);
}

// "DIRECT IDENTITY staging.x.col" (plus " -> path" and " @endpoints" when set), sorted.
std::vector<std::string> labels(const std::vector<ColumnInput>& inputs) {
  std::vector<std::string> out;
  for (const ColumnInput& in : inputs) {
    std::string l = in.type + " " + in.subtype + " " + in.label();
    for (const auto& e : in.endpoints) l += " @" + e;
    out.push_back(l);
  }
  std::sort(out.begin(), out.end());
  return out;
}

using V = std::vector<std::string>;

class PncpLineage : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    project_ = new Project(
        transform::load_project_files(transform::embedded_project_files("pncp"), "embedded:pncp"));
    lineage_ = new ProjectLineage(lineage_of(*project_));
  }
  static void TearDownTestSuite() {
    delete lineage_;
    delete project_;
  }
  static Project* project_;
  static ProjectLineage* lineage_;
};
Project* PncpLineage::project_ = nullptr;
ProjectLineage* PncpLineage::lineage_ = nullptr;

TEST_F(PncpLineage, EveryColumnOfEveryModelIsKnown) {
  ASSERT_GT(lineage_->models().size(), 20u);
  for (const ModelColumns& m : lineage_->models()) {
    EXPECT_TRUE(m.lineage.known) << m.name << ": " << m.lineage.reason;
    EXPECT_FALSE(m.lineage.columns.empty()) << m.name;
    for (const ColumnLineage& c : m.lineage.columns)
      EXPECT_TRUE(c.known) << m.name << "." << c.column << ": " << c.reason;
  }
}

TEST_F(PncpLineage, StagingColumnsReachTheJsonFieldOfTheRawPage) {
  EXPECT_EQ(labels(column(*lineage_, "contratos", "valor_global").inputs),
            V{"DIRECT IDENTITY staging.contratos_registros.valor_global"});
  EXPECT_EQ(labels(column(*lineage_, "contratos_registros", "valor_global").inputs),
            V{"DIRECT TRANSFORMATION raw.payloads.compressed -> data[].valorGlobal @contratos "
              "@contratos_atualizacao"});
  EXPECT_EQ(labels(column(*lineage_, "contratos_registros", "orgao_cnpj").inputs),
            V{"DIRECT TRANSFORMATION raw.payloads.compressed -> data[].orgaoEntidade.cnpj "
              "@contratos @contratos_atualizacao"});
  // The page's own columns: identities of raw.api_requests (paginas_brutas selects r.*).
  EXPECT_EQ(labels(column(*lineage_, "contratos_registros", "payload_sha256").inputs),
            V{"DIRECT IDENTITY raw.api_requests.payload_sha256"});

  // Followed upstream from the staging table, the last step is the raw field.
  auto steps = upstream(*lineage_, *lineage_->find("staging.contratos"), "valor_global", -1);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].relation, "staging.contratos_registros");
  ASSERT_EQ(steps[0].next.size(), 1u);
  EXPECT_EQ(steps[0].next[0].relation, "raw.payloads");
  EXPECT_EQ(steps[0].next[0].input.field_path, "data[].valorGlobal");
  EXPECT_TRUE(steps[0].next[0].next.empty());
}

TEST_F(PncpLineage, MartAggregatesGroupKeysAndJoinKeys) {
  EXPECT_EQ(labels(column(*lineage_, "contratos_mensal", "valor_global").inputs),
            V{"DIRECT AGGREGATION staging.contratos.valor_global"});
  EXPECT_EQ(labels(column(*lineage_, "contratos_mensal", "modalidade_id").inputs),
            V{"DIRECT IDENTITY staging.contratacoes.modalidade_id"});
  EXPECT_EQ(labels(column(*lineage_, "contratos_mensal", "mes").inputs),
            V{"DIRECT TRANSFORMATION staging.contratos.data_publicacao_pncp"});
  EXPECT_TRUE(column(*lineage_, "contratos_mensal", "qtd_contratos").inputs.empty());  // count(*)
  V dataset = labels(lineage_->find("contratos_mensal")->lineage.dataset);
  for (const char* expected : {"INDIRECT JOIN staging.contratacoes.numero_controle_pncp",
                               "INDIRECT JOIN staging.contratos.numero_controle_pncp_compra",
                               "INDIRECT GROUP_BY staging.contratos.orgao_cnpj",
                               "INDIRECT GROUP_BY staging.contratacoes.modalidade_id"}) {
    EXPECT_NE(std::find(dataset.begin(), dataset.end(), expected), dataset.end()) << expected;
  }
  // Downstream of a staging column: the mart columns that aggregate it.
  auto down = downstream(*lineage_, *lineage_->find("staging.contratos"), "valor_global", 1);
  V reached;
  for (const auto& s : down) reached.push_back(s.relation + "." + s.column + " " + s.input.subtype);
  EXPECT_NE(
      std::find(reached.begin(), reached.end(), "marts.contratos_mensal.valor_global AGGREGATION"),
      reached.end());
}

void write(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

TEST(ColumnLineage, MacroEphemeralStarCaseWindowUnionAndUnnest) {
  testing::TempDir dir;
  write(dir / "baliza.yml", "name: shop\n");
  write(dir / "macros" / "money.sql",
        "{% macro cents(col) -%}\nround({{ col }} * 100)::bigint\n{%- endmacro %}\n");
  write(dir / "models" / "sources.yml", R"(version: 2
sources:
  - name: shop
    tables:
      - name: orders
        columns:
          - {name: id, data_type: integer}
          - {name: customer_id, data_type: integer}
          - {name: amount, data_type: 'decimal(18,2)'}
          - {name: status, data_type: varchar}
      - name: customers
        columns:
          - {name: id, data_type: integer}
          - {name: name, data_type: varchar}
      - name: pages
        columns:
          - {name: body, data_type: varchar}
)");
  write(dir / "models" / "open_orders.sql",
        "{{ config(materialized='ephemeral') }}\n"
        "select id, customer_id, amount, status from {{ source('shop', 'orders') }}\n"
        "where status <> 'cancelled'\n");
  write(dir / "models" / "enriched.sql",
        "select o.*, c.name as customer_name, {{ cents('o.amount') }} as amount_cents,\n"
        "  case when o.amount > 100 then 'big' else 'small' end as size\n"
        "from {{ ref('open_orders') }} o join {{ source('shop', 'customers') }} c on c.id = "
        "o.customer_id\n");
  write(dir / "models" / "totals.sql",
        "select customer_name, sum(amount_cents) as total,\n"
        "  row_number() over (order by sum(amount_cents) desc) as rank\n"
        "from {{ ref('enriched') }} group by customer_name order by total desc\n");
  write(dir / "models" / "slim.sql",
        "select * exclude (status, size) from {{ ref('enriched') }}\n");
  write(dir / "models" / "ids.sql",
        "select id from {{ ref('enriched') }} union all select id from {{ source('shop', "
        "'customers') }}\n");
  write(dir / "models" / "skus.sql",
        "with items as (select unnest(from_json(body, '{\"items\": [{\"sku\": \"VARCHAR\"}]}')"
        ".items) as it from {{ source('shop', 'pages') }})\n"
        "select it.sku as sku, upper(it.sku) as sku_upper from items\n");
  Project project = transform::load_project(dir.path());
  ProjectLineage p = lineage_of(project);

  // Through the ephemeral model and o.*: identities of the source's columns.
  const ModelColumns* enriched = p.find("enriched");
  ASSERT_NE(enriched, nullptr);
  V names;
  for (const auto& c : enriched->lineage.columns) names.push_back(c.column);
  EXPECT_EQ(names,
            (V{"id", "customer_id", "amount", "status", "customer_name", "amount_cents", "size"}));
  EXPECT_EQ(labels(column(p, "enriched", "id").inputs), V{"DIRECT IDENTITY shop.orders.id"});
  EXPECT_EQ(labels(column(p, "enriched", "customer_name").inputs),
            V{"DIRECT IDENTITY shop.customers.name"});
  // Through the macro: a transformation.
  EXPECT_EQ(labels(column(p, "enriched", "amount_cents").inputs),
            V{"DIRECT TRANSFORMATION shop.orders.amount"});
  // CASE: the condition's column is an INDIRECT CONDITIONAL input; the branches are constants.
  EXPECT_EQ(labels(column(p, "enriched", "size").inputs),
            V{"INDIRECT CONDITIONAL shop.orders.amount"});
  EXPECT_EQ(labels(enriched->lineage.dataset),
            (V{"INDIRECT FILTER shop.orders.status", "INDIRECT JOIN shop.customers.id",
               "INDIRECT JOIN shop.orders.customer_id"}));

  // Aggregation, a window over it, grouping and sorting.
  EXPECT_EQ(labels(column(p, "totals", "total").inputs),
            V{"DIRECT AGGREGATION main.enriched.amount_cents"});
  EXPECT_EQ(labels(column(p, "totals", "rank").inputs),
            V{"INDIRECT WINDOW main.enriched.amount_cents"});
  EXPECT_EQ(labels(p.find("totals")->lineage.dataset),
            (V{"INDIRECT GROUP_BY main.enriched.customer_name",
               "INDIRECT SORT main.enriched.amount_cents"}));

  // * exclude: the remaining columns, each followed.
  names.clear();
  for (const auto& c : p.find("slim")->lineage.columns) names.push_back(c.column);
  EXPECT_EQ(names, (V{"id", "customer_id", "amount", "customer_name", "amount_cents"}));
  EXPECT_EQ(labels(column(p, "slim", "amount_cents").inputs),
            V{"DIRECT IDENTITY main.enriched.amount_cents"});

  // Union: every branch.
  EXPECT_EQ(labels(column(p, "ids", "id").inputs),
            (V{"DIRECT IDENTITY main.enriched.id", "DIRECT IDENTITY shop.customers.id"}));

  // Unnest of a JSON document: the field inside the source column.
  EXPECT_EQ(labels(column(p, "skus", "sku").inputs),
            V{"DIRECT IDENTITY shop.pages.body -> items[].sku"});
  EXPECT_EQ(labels(column(p, "skus", "sku_upper").inputs),
            V{"DIRECT TRANSFORMATION shop.pages.body -> items[].sku"});

  // Upstream across models: slim.amount_cents -> enriched.amount_cents -> shop.orders.amount.
  auto steps = upstream(p, *p.find("slim"), "amount_cents", -1);
  ASSERT_EQ(steps.size(), 1u);
  ASSERT_EQ(steps[0].next.size(), 1u);
  EXPECT_EQ(steps[0].next[0].input.label(), "shop.orders.amount");
  EXPECT_EQ(steps[0].next[0].input.subtype, "TRANSFORMATION");
}

TEST(ColumnLineage, UnknownIsSaidWithTheReason) {
  testing::TempDir dir;
  write(dir / "baliza.yml", "name: t\n");
  write(dir / "models" / "nums.sql", "select range as n from range(3)\n");
  write(dir / "models" / "twice.sql", "select n * 2 as m from {{ ref('nums') }}\n");
  Project project = transform::load_project(dir.path());
  ProjectLineage p = lineage_of(project);
  const ColumnLineage& n = column(p, "nums", "n");
  EXPECT_FALSE(n.known);
  EXPECT_NE(n.reason.find("table function"), std::string::npos) << n.reason;
  // The next model is known (it reads nums.n), and following it upstream says where it stops.
  EXPECT_TRUE(column(p, "twice", "m").known);
  auto steps = upstream(p, *p.find("twice"), "m", -1);
  ASSERT_EQ(steps.size(), 1u);
  ASSERT_EQ(steps[0].next.size(), 1u);
  EXPECT_FALSE(steps[0].next[0].leaf_known);
}

}  // namespace
}  // namespace baliza::lineage
