// The paging envelope, empty answers and gzip, over real loopback HTTP.
#include <gtest/gtest.h>

#include "pncp_sim/data.h"
#include "sim_test_support.h"

using nlohmann::json;
using sim_test::Running;
using sim_test::url;

TEST(Paging, EnvelopeCountsAndPagesAddUp) {
  Running r;
  auto c = r.client();
  auto res = c->Get(
      url("/v1/contratos", "dataInicial=20240115&dataFinal=20240115&pagina=1&tamanhoPagina=10"));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  json body = json::parse(res->body);
  const int total = body["totalRegistros"];
  ASSERT_GT(total, 10);
  EXPECT_EQ(body["totalPaginas"], (total + 9) / 10);
  EXPECT_EQ(body["numeroPagina"], 1);
  EXPECT_EQ(body["paginasRestantes"], body["totalPaginas"].get<int>() - 1);
  EXPECT_EQ(body["empty"], false);
  EXPECT_EQ(body["data"].size(), 10u);

  int pages = 0;
  auto all = sim_test::all_pages(
      *c, "/v1/contratos", "dataInicial=20240115&dataFinal=20240115&tamanhoPagina=10", &pages);
  EXPECT_EQ(static_cast<int>(all.size()), total);
  EXPECT_EQ(pages, body["totalPaginas"].get<int>());

  auto last = c->Get(url(
      "/v1/contratos",
      "dataInicial=20240115&dataFinal=20240115&tamanhoPagina=10&pagina=" + std::to_string(pages)));
  json last_body = json::parse(last->body);
  EXPECT_EQ(last_body["paginasRestantes"], 0);
  EXPECT_EQ(last_body["data"].size(), static_cast<size_t>(total - (pages - 1) * 10));
}

TEST(Paging, PageBeyondTheLastIsEmpty) {
  Running r;
  auto res = r.client()->Get(
      url("/v1/contratos", "dataInicial=20240115&dataFinal=20240115&pagina=999&tamanhoPagina=10"));
  ASSERT_EQ(res->status, 200);
  json body = json::parse(res->body);
  EXPECT_TRUE(body["data"].empty());
  EXPECT_EQ(body["empty"], true);
  EXPECT_EQ(body["paginasRestantes"], 0);
}

TEST(Paging, FutureDayIs204WithEmptyBody) {
  Running r;
  auto res = r.client()->Get(
      url("/v1/contratos", "dataInicial=20300101&dataFinal=20300101&pagina=1&tamanhoPagina=10"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 204);
  EXPECT_EQ(res->body, "");
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
}

TEST(Paging, InstrumentosWithNothingFoundIs404WithJsonBody) {
  Running r;
  auto res =
      r.client()->Get(url("/v1/instrumentoscobranca/inclusao",
                          "dataInicial=20300101&dataFinal=20300101&pagina=1&tamanhoPagina=10"));
  ASSERT_EQ(res->status, 404);
  json body = json::parse(res->body);
  EXPECT_EQ(body["message"], "Nenhum instrumento de Cobrança encontrado.");
  EXPECT_EQ(body["status"], 404);
  EXPECT_EQ(body["error"], "Not Found");
  EXPECT_EQ(body["path"], "/pncp-consulta/v1/instrumentoscobranca/inclusao");
}

TEST(Paging, SomeDaysAreEmpty) {
  auto o = sim_test::test_options();
  o.volume.empty_day_rate = 0.5;
  Running r(o);
  auto c = r.client();
  int empty = 0;
  for (int d = 1; d <= 20; ++d) {
    char day[32];
    std::snprintf(day, sizeof day, "202403%02d", d);
    auto res = c->Get(url("/v1/contratos",
                          std::string("dataInicial=") + day + "&dataFinal=" + day + "&pagina=1"));
    ASSERT_TRUE(res->status == 200 || res->status == 204) << res->status;
    empty += res->status == 204;
  }
  EXPECT_GT(empty, 2);
  EXPECT_LT(empty, 18);
}

TEST(Paging, GzipWhenAsked) {
  Running r;
  httplib::Client c("127.0.0.1", r.sim.port());
  c.set_decompress(false);
  httplib::Headers h = {{"Accept-Encoding", "gzip"}};
  auto q =
      url("/v1/contratos", "dataInicial=20240115&dataFinal=20240115&pagina=1&tamanhoPagina=100");
  auto zipped = c.Get(q, h);
  ASSERT_EQ(zipped->status, 200);
  EXPECT_EQ(zipped->get_header_value("Content-Encoding"), "gzip");
  auto plain = c.Get(q);
  EXPECT_LT(zipped->body.size() * 3, plain->body.size());
  httplib::Client decoding("127.0.0.1", r.sim.port());
  auto decoded = decoding.Get(q, h);
  EXPECT_EQ(decoded->body, plain->body);
  // Clients that also offer brotli (curl's default list) get gzip too.
  auto offered = c.Get(q, {{"Accept-Encoding", "deflate, gzip, br, zstd"}});
  EXPECT_EQ(offered->get_header_value("Content-Encoding"), "gzip");
}

// Ground truth (computed without HTTP) equals what paging through the API returns.
TEST(Paging, GroundTruthEqualsPagedApi) {
  auto o = sim_test::test_options();
  Running r(o);
  auto c = r.client();
  struct Case {
    std::string path;
    std::optional<int> modalidade;
    int page;
  };
  for (const Case& k :
       {Case{"/v1/contratos", std::nullopt, 10},
        Case{"/v1/contratos/atualizacao", std::nullopt, 37},
        Case{"/v1/contratacoes/publicacao", 6, 10}, Case{"/v1/contratacoes/atualizacao", 8, 10},
        Case{"/v1/atas/atualizacao", std::nullopt, 10},
        Case{"/v1/instrumentoscobranca/inclusao", std::nullopt, 10}}) {
    std::string q =
        "dataInicial=20240110&dataFinal=20240110&tamanhoPagina=" + std::to_string(k.page);
    if (k.modalidade) q += "&codigoModalidadeContratacao=" + std::to_string(*k.modalidade);
    auto paged = sim_test::all_pages(*c, k.path, q);
    auto truth = pncp_sim::records_for(o, k.path, "20240110", k.modalidade);
    EXPECT_EQ(paged, truth) << k.path;
    EXPECT_FALSE(truth.empty()) << k.path;
  }
  json counts = pncp_sim::ground_truth(o, "20240110", "20240110");
  EXPECT_EQ(counts["endpoints"]["/v1/contratos"]["20240110"],
            pncp_sim::records_for(o, "/v1/contratos", "20240110", std::nullopt).size());
}

TEST(Paging, PcaAtualizacaoUsesDataInicioAndDataFim) {
  Running r;
  auto c = r.client();
  auto res = c->Get(url("/v1/pca/atualizacao", "dataInicio=20240105&dataFim=20240112&pagina=1"));
  ASSERT_EQ(res->status, 200);
  json body = json::parse(res->body);
  for (auto& plan : body["data"]) {
    std::string updated = plan["dataAtualizacaoGlobalPCA"];
    EXPECT_GE(updated.substr(0, 10), "2024-01-05");
    EXPECT_LE(updated.substr(0, 10), "2024-01-12");
  }
}

TEST(Paging, PcaByYearAndClassKeepsOnlyItemsOfTheClass) {
  Running r;
  auto res = r.client()->Get(
      url("/v1/pca/", "anoPca=2024&codigoClassificacaoSuperior=979&pagina=1&tamanhoPagina=50"));
  ASSERT_EQ(res->status, 200);
  json body = json::parse(res->body);
  ASSERT_FALSE(body["data"].empty());
  for (auto& plan : body["data"]) {
    EXPECT_EQ(plan["anoPca"], 2024);
    for (auto& item : plan["itens"]) EXPECT_EQ(item["classificacaoSuperiorCodigo"], "979");
  }
}

TEST(Paging, CompraLookupFindsAPublishedPurchase) {
  auto o = sim_test::test_options();
  Running r(o);
  auto records = pncp_sim::records_for(o, "/v1/contratacoes/publicacao", "20240110", 6);
  ASSERT_FALSE(records.empty());
  const json& compra = records[0];
  std::string path = "/api/consulta/v1/orgaos/" +
                     compra["orgaoEntidade"]["cnpj"].get<std::string>() + "/compras/" +
                     std::to_string(compra["anoCompra"].get<int>()) + "/" +
                     std::to_string(compra["sequencialCompra"].get<int>());
  auto res = r.client()->Get(path);
  ASSERT_EQ(res->status, 200);
  json detail = json::parse(res->body);
  EXPECT_EQ(detail["numeroControlePNCP"], compra["numeroControlePNCP"]);
  EXPECT_TRUE(detail.contains("existeResultado"));
  EXPECT_EQ(r.client()->Get("/api/consulta/v1/orgaos/00000000000000/compras/2024/1")->status, 204);
}
