// End-to-end on the demo's data (the built-in simulator, one month): `baliza trace` of a mart row
// down to the raw JSON records, `baliza impact` of one raw page checked against removing the page
// and rebuilding, `baliza reconcile` passing, then failing on a value changed by hand.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>

#include "support/baliza_cli.h"

namespace baliza {
namespace {

using nlohmann::json;

class Explain : public testing::BalizaCli {
 protected:
  std::string scalar(const std::string& sql) { return BalizaCli::scalar("data/demo.duckdb", sql); }
  json run_json(const std::string& args, int expected_exit) {
    auto r = baliza("--db data/demo.duckdb " + args + " --format json");
    if (expected_exit >= 0) {
      EXPECT_EQ(r.exit_code, expected_exit) << args << "\n" << r.out << r.err;
    }
    json j = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out;
    return j;
  }
  static const json* level(const json& result, const std::string& relation) {
    for (const json& l : result["levels"])
      if (l["relation"] == relation) return &l;
    return nullptr;
  }
};

TEST_F(Explain, TraceImpactAndReconcileOnTheDemo) {
  auto demo = baliza("demo --mes 2024-02 --scale 0.2 -q");
  ASSERT_EQ(demo.exit_code, 0) << demo.out << demo.err;

  // trace: the mart row with the most contratacoes, every contributing row listed.
  const std::string where =
      "(mes, orgao_cnpj, modalidade_id, uf_sigla) = (select (mes, orgao_cnpj, modalidade_id, "
      "uf_sigla) from marts.contratacoes_mensal order by qtd_contratacoes desc, orgao_cnpj, "
      "modalidade_id, uf_sigla limit 1)";
  const std::string mart_row =
      "select qtd_contratacoes || '|' || coalesce(valor_total_estimado, 0) from "
      "marts.contratacoes_mensal where " +
      where;
  std::string expected = scalar(mart_row);
  json t =
      run_json("trace contratacoes_mensal --where \"" + where + "\" --limit 100000 --show-json", 0);
  ASSERT_TRUE(t["complete"].get<bool>()) << t.dump(2);
  ASSERT_EQ(t["levels"][0]["rows"], 1);
  EXPECT_NE(t["levels"][0]["notes"][0].get<std::string>().find("counts and sums match"),
            std::string::npos);
  const json* staging = level(t, "staging.contratacoes");
  ASSERT_NE(staging, nullptr);
  double sum = 0;
  std::set<std::string> keys;
  for (const json& row : (*staging)["sample"]) {
    if (!row["valor_total_estimado"].is_null()) sum += row["valor_total_estimado"].get<double>();
    keys.insert(row["numero_controle_pncp"].get<std::string>());
  }
  std::string qtd = expected.substr(0, expected.find('|'));
  EXPECT_EQ(std::to_string((*staging)["rows"].get<int>()), qtd);
  EXPECT_EQ(std::to_string(keys.size()), qtd);
  EXPECT_NEAR(sum, std::stod(expected.substr(expected.find('|') + 1)), 0.01);
  // Versions: every key kept once, the older versions listed as superseded.
  const json* registros = level(t, "staging.contratacoes_registros");
  ASSERT_NE(registros, nullptr);
  EXPECT_EQ(std::to_string((*registros)["kept"].get<int>()), qtd);
  // Raw pages: each listed page is stored and its JSON holds the record at that position.
  const json* pages = level(t, "raw.api_requests");
  ASSERT_NE(pages, nullptr);
  ASSERT_FALSE((*pages)["sample"].empty());
  for (const json& rec : (*pages)["sample"]) {
    EXPECT_EQ(scalar("select count(*) from raw.payloads where payload_sha256 = '" +
                     rec["payload_sha256"].get<std::string>() + "'"),
              "1");
    ASSERT_TRUE(rec["record"].is_object()) << rec.dump();
    EXPECT_TRUE(keys.count(rec["record"]["numeroControlePNCP"].get<std::string>()))
        << rec["record"]["numeroControlePNCP"];
    EXPECT_EQ(scalar("select json_extract(baliza_payload(compressed), '$.data[" +
                     std::to_string(rec["position"].get<int>()) +
                     "].numeroControlePNCP') ->> '$' from raw.payloads where payload_sha256 = '" +
                     rec["payload_sha256"].get<std::string>() + "'"),
              rec["record"]["numeroControlePNCP"].get<std::string>());
  }

  // trace through a UNION ALL CTE: the orgao seen in the most staging models, back to every
  // staging row of each model that names it, and on to the raw pages.
  const std::string orgao = scalar(
      "select orgao_cnpj from marts.dim_orgaos order by len(origens) desc, orgao_cnpj limit 1");
  json d = run_json("trace dim_orgaos --where \"orgao_cnpj = '" + orgao + "'\" --limit 0", 0);
  ASSERT_TRUE(d["complete"].get<bool>()) << d.dump(2);
  EXPECT_NE(d["levels"][0]["notes"][0].get<std::string>().find("counts and sums match"),
            std::string::npos);
  const std::string origens = scalar(
      "select array_to_string(origens, ',') from marts.dim_orgaos "
      "where orgao_cnpj = '" +
      orgao + "'");
  int traced_models = 0;
  for (const char* m :
       {"contratacoes", "contratos", "atas", "pca_itens", "instrumentos_cobranca"}) {
    std::string n = scalar(std::string("select count(*) from staging.") + m +
                           " where orgao_cnpj = '" + orgao + "'");
    const json* l = level(d, std::string("staging.") + m);
    if (n == "0") {
      EXPECT_EQ(l, nullptr) << m;
      continue;
    }
    ASSERT_NE(l, nullptr) << m << "\n" << d.dump(2);
    EXPECT_EQ(std::to_string((*l)["rows"].get<int>()), n) << m;
    EXPECT_NE(origens.find(m), std::string::npos) << m << " not in " << origens;
    ++traced_models;
  }
  EXPECT_GE(traced_models, 2);
  int page_levels = 0;
  for (const json& l : d["levels"])
    if (l["relation"] == "raw.api_requests" && l["rows"].get<int>() > 0) ++page_levels;
  EXPECT_EQ(page_levels, traced_models);

  // A record nested in a record (a PCA plan's items): its JSON read back at data[i].itens[j].
  const std::string item = scalar("select min(item_key) from staging.pca_itens");
  json p = run_json("trace pca_itens --where \"item_key = '" + item + "'\" --show-json", 0);
  const json* item_pages = level(p, "raw.api_requests");
  ASSERT_NE(item_pages, nullptr) << p.dump(2);
  ASSERT_FALSE((*item_pages)["sample"].empty()) << p.dump(2);
  const json& rec = (*item_pages)["sample"][0];
  EXPECT_NE(rec["json_path"].get<std::string>().find("].\"itens\"["), std::string::npos) << rec;
  // (compared without commas and quotes, which the CSV output would quote)
  std::string from_json = rec["record"]["descricaoItem"].get<std::string>();
  std::erase_if(from_json, [](char c) { return c == ',' || c == '"'; });
  EXPECT_EQ(from_json, scalar("select replace(replace(descricao_item, ',', ''), chr(34), '') from "
                              "staging.pca_itens where item_key = '" +
                              item + "'"));

  // impact: a page whose records appear in no other page (removing it must change exactly the
  // mart rows impact lists).
  std::string page = scalar(
      "select min(r.payload_sha256) from raw.api_requests r join staging.contratacoes_registros g "
      "using (request_id) where g.is_valid and not exists (select 1 from "
      "staging.contratacoes_registros h where h.numero_controle_pncp = g.numero_controle_pncp and "
      "h.request_id <> r.request_id)");
  ASSERT_FALSE(page.empty());
  json im = run_json("impact --page " + page.substr(0, 16) + " --limit 100000", 0);
  const json* mart = level(im, "marts.contratacoes_mensal");
  ASSERT_NE(mart, nullptr) << im.dump(2);
  std::set<std::string> listed;
  for (const json& row : (*mart)["sample"])
    listed.insert(row["mes"].get<std::string>() + "|" + row["orgao_cnpj"].dump() + "|" +
                  row["modalidade_id"].dump() + "|" + row["uf_sigla"].dump());
  EXPECT_EQ(listed.size(), static_cast<std::size_t>((*mart)["rows"].get<int>()));
  EXPECT_FALSE(listed.empty());
  // Every downstream model followed: the coverage mart (aggregates joined to aggregates) through
  // the rows captured at its build (lineage_capture), the dims through their UNION ALL CTEs, the
  // purchases removed upstream (a union of CTEs over an aggregate join) through rowid lists.
  EXPECT_TRUE(im["complete"].get<bool>()) << im.dump(2);
  for (const json& l : im["levels"]) EXPECT_GE(l["rows"].get<int>(), 0) << im.dump(2);
  const json* coverage = level(im, "marts.cobertura_extracao");
  ASSERT_NE(coverage, nullptr) << im.dump(2);
  EXPECT_EQ((*coverage)["via"], "rows captured at build time (lineage.row_capture)");
  std::set<std::string> coverage_listed;
  for (const json& row : (*coverage)["sample"])
    coverage_listed.insert(row["endpoint"].get<std::string>() + "|" +
                           row["dia"].get<std::string>());
  // Column level: only what derives from the field valorTotalEstimado of the page's records.
  json col = run_json("impact --page " + page.substr(0, 16) + " --column valorTotalEstimado", 0);
  const json* col_mart = level(col, "marts.contratacoes_mensal");
  ASSERT_NE(col_mart, nullptr) << col.dump(2);
  EXPECT_NE((*col_mart)["columns"].dump().find("valor_total_estimado"), std::string::npos)
      << col.dump(2);
  EXPECT_EQ(level(col, "marts.cobertura_extracao"), nullptr) << col.dump(2);
  // contratos_mensal reads no value of it, but joins contratacoes, whose rows a negative value
  // would quarantine: its rows are shaped by the change, named as such.
  if (const json* contratos = level(col, "marts.contratos_mensal")) {
    EXPECT_NE((*contratos)["rows_shaped"].get<std::string>().find("JOIN"), std::string::npos);
  }
  // A field no mart reads (and no validation checks): staging only.
  json obj = run_json("impact --page " + page.substr(0, 16) + " --column objetoCompra", 0);
  ASSERT_NE(level(obj, "staging.contratacoes"), nullptr) << obj.dump(2);
  EXPECT_NE((*level(obj, "staging.contratacoes"))["columns"].dump().find("objeto_compra"),
            std::string::npos);
  for (const json& l : obj["levels"])
    EXPECT_NE(l["relation"].get<std::string>().rfind("marts.", 0), 0u) << obj.dump(2);

  std::filesystem::copy_file(dir / "data" / "demo.duckdb", dir / "data" / "removed.duckdb");
  auto del = baliza(
      "--db data/removed.duckdb query \"delete from raw.api_requests where "
      "payload_sha256 = '" +
      page + "'\"");
  ASSERT_EQ(del.exit_code, 0) << del.err;
  auto rebuild = baliza("--db data/removed.duckdb transform --full-refresh -q");
  ASSERT_EQ(rebuild.exit_code, 0) << rebuild.out << rebuild.err;
  auto changed = baliza(
      "--db data/removed.duckdb query -f json \"attach 'data/demo.duckdb' as o (read_only); "
      "select distinct mes::varchar as mes, orgao_cnpj, modalidade_id, uf_sigla from ("
      "(select * from o.marts.contratacoes_mensal except all select * from "
      "marts.contratacoes_mensal) "
      "union all (select * from marts.contratacoes_mensal except all select * from "
      "o.marts.contratacoes_mensal))\"");
  ASSERT_EQ(changed.exit_code, 0) << changed.err;
  std::set<std::string> really;
  for (const json& row : json::parse(changed.out))
    really.insert(row["mes"].get<std::string>() + "|" + row["orgao_cnpj"].dump() + "|" +
                  row["modalidade_id"].dump() + "|" + row["uf_sigla"].dump());
  EXPECT_EQ(listed, really);
  auto coverage_changed = baliza(
      "--db data/removed.duckdb query -f json \"attach 'data/demo.duckdb' as o (read_only); "
      "select distinct endpoint, dia::varchar as dia from ("
      "(select * from o.marts.cobertura_extracao except all select * from "
      "marts.cobertura_extracao) "
      "union all (select * from marts.cobertura_extracao except all select * from "
      "o.marts.cobertura_extracao))\"");
  ASSERT_EQ(coverage_changed.exit_code, 0) << coverage_changed.err;
  std::set<std::string> coverage_really;
  for (const json& row : json::parse(coverage_changed.out))
    coverage_really.insert(row["endpoint"].get<std::string>() + "|" +
                           row["dia"].get<std::string>());
  EXPECT_EQ(coverage_listed, coverage_really);

  // An items page: followed through the items of the newest version of each purchase (a join
  // with an aggregate CTE), the results of those items (WHERE .. IN (SELECT .. itens_compra)) and
  // the purchases removed upstream, complete; every price row that changes when the page is
  // removed is listed (a purchase's other items are listed too: the newest version is a group).
  std::string items_page = scalar(
      "select payload_sha256 from raw.api_requests where endpoint = 'itens_compra' and "
      "payload_sha256 is not null order by payload_size desc, payload_sha256 limit 1");
  ASSERT_FALSE(items_page.empty());
  json it = run_json("impact --page " + items_page.substr(0, 16) + " --limit 100000", 0);
  EXPECT_TRUE(it["complete"].get<bool>()) << it.dump(2);
  const json* items = level(it, "staging.itens_compra");
  ASSERT_NE(items, nullptr) << it.dump(2);
  EXPECT_GE((*items)["rows"].get<int>(),
            std::stoi(scalar("select count(*) from staging.itens_compra i join "
                             "raw.api_requests a on a.request_id = i.request_id where "
                             "a.payload_sha256 = '" +
                             items_page + "'")));
  const json* results = level(it, "staging.resultados_item");
  ASSERT_NE(results, nullptr) << it.dump(2);
  EXPECT_EQ((*results)["rows"].get<int>(),
            std::stoi(scalar("select count(*) from staging.resultados_item r where "
                             "(numero_controle_pncp, numero_item) in (select "
                             "(numero_controle_pncp, numero_item) from staging.itens_compra i "
                             "where i.numero_controle_pncp in (select numero_controle_pncp from "
                             "staging.itens_compra_buscas b join raw.api_requests a using "
                             "(request_id) where a.payload_sha256 = '" +
                             items_page + "'))")));
  std::set<std::string> prices_listed;
  if (const json* prices = level(it, "marts.precos_unitarios"))
    for (const json& row : (*prices)["sample"]) prices_listed.insert(row.dump());
  std::filesystem::copy_file(dir / "data" / "demo.duckdb", dir / "data" / "items.duckdb");
  ASSERT_EQ(baliza("--db data/items.duckdb query \"delete from raw.api_requests where "
                   "payload_sha256 = '" +
                   items_page + "'\"")
                .exit_code,
            0);
  auto items_rebuild = baliza("--db data/items.duckdb transform --full-refresh -q");
  ASSERT_EQ(items_rebuild.exit_code, 0) << items_rebuild.out << items_rebuild.err;
  auto prices_changed = baliza(
      "--db data/items.duckdb query -f json \"attach 'data/demo.duckdb' as o (read_only); "
      "select to_json(p)::varchar as row from (select * from o.marts.precos_unitarios except "
      "all select * from marts.precos_unitarios) p\"");
  ASSERT_EQ(prices_changed.exit_code, 0) << prices_changed.err;
  std::size_t really_changed = 0;
  for (const json& row : json::parse(prices_changed.out)) {
    ++really_changed;
    EXPECT_TRUE(prices_listed.count(json::parse(row["row"].get<std::string>()).dump()))
        << row << " changed but impact did not list it";
  }
  EXPECT_GT(really_changed, 0u);

  // reconcile: passes on the demo (also sampled), fails naming a row changed by hand.
  auto ok = baliza("--db data/demo.duckdb reconcile");
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find(", 0 failed"), std::string::npos) << ok.out;
  EXPECT_EQ(baliza("--db data/demo.duckdb reconcile contratacoes_mensal --sample 5").exit_code, 0);
  ASSERT_EQ(baliza("--db data/demo.duckdb query \"update marts.contratacoes_mensal set "
                   "qtd_contratacoes = 987654 where " +
                   where + "\"")
                .exit_code,
            0);
  auto bad = baliza("--db data/demo.duckdb reconcile contratacoes_mensal");
  EXPECT_EQ(bad.exit_code, 1) << bad.out << bad.err;
  EXPECT_NE(bad.out.find("in table, not produced by its SQL: "), std::string::npos) << bad.out;
  EXPECT_NE(bad.out.find("\"qtd_contratacoes\":987654"), std::string::npos) << bad.out;
  EXPECT_NE(bad.out.find("\"qtd_contratacoes\":" + qtd), std::string::npos) << bad.out;
}

}  // namespace
}  // namespace baliza
