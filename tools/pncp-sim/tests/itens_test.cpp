// The maintenance API's items and results (/api/pncp/...): the contract's paths, bare-array
// pages, 204/404 answers, ground truth (data.h compras_between) and revisions.
#include <gtest/gtest.h>

#include <set>

#include "pncp_sim/data.h"
#include "sim_test_support.h"

using nlohmann::json;

namespace {

pncp_sim::Options opts(int revision = 0) {
  pncp_sim::Options o = sim_test::test_options();
  o.revision = revision;
  return o;
}

std::string itens_path(const pncp_sim::CompraTruth& c) {
  return "/api/pncp/v1/orgaos/" + c.cnpj + "/compras/" + std::to_string(c.ano) + "/" +
         std::to_string(c.sequencial) + "/itens";
}

// Every item of a purchase, paged with `size`; the number of requests made in *requests.
std::vector<json> fetch_items(httplib::Client& client, const pncp_sim::CompraTruth& c, int size,
                              int* requests, int* first_status) {
  std::vector<json> out;
  for (int page = 1;; ++page) {
    auto res = client.Get(itens_path(c) + "?pagina=" + std::to_string(page) +
                          "&tamanhoPagina=" + std::to_string(size));
    if (!res) throw std::runtime_error("request failed");
    ++*requests;
    if (page == 1) *first_status = res->status;
    if (res->status != 200) break;
    json body = json::parse(res->body);
    EXPECT_TRUE(body.is_array());
    for (auto& item : body) out.push_back(item);
    if (static_cast<int>(body.size()) < size) break;
  }
  return out;
}

}  // namespace

TEST(Itens, EveryPurchaseServesItsGroundTruthItemsPageByPage) {
  sim_test::Running r;
  auto client = r.client();
  const auto compras = pncp_sim::compras_between(opts(), "20240603", "20240604");
  ASSERT_GT(compras.size(), 50u);
  int with_items = 0, without = 0, results_checked = 0;
  for (const auto& c : compras) {
    int requests = 0, status = 0;
    const std::vector<json> items = fetch_items(*client, c, 3, &requests, &status);
    ASSERT_EQ(items.size(), c.itens.size()) << c.numero_controle_pncp;
    for (size_t i = 0; i < items.size(); ++i) {
      EXPECT_EQ(items[i], c.itens[i]);
      EXPECT_EQ(items[i]["numeroItem"], static_cast<int>(i) + 1);
    }
    // One request per page of 3, and one more (204) after a full last page.
    EXPECT_EQ(requests, static_cast<int>(c.itens.size()) / 3 + 1);
    if (c.itens.empty()) {
      EXPECT_EQ(status, 204);
      ++without;
      continue;
    }
    ++with_items;
    for (const auto& item : c.itens) {
      const int n = item["numeroItem"];
      auto res = client->Get(itens_path(c) + "/" + std::to_string(n) + "/resultados");
      ASSERT_TRUE(res);
      const auto truth = c.resultados.find(n);
      EXPECT_EQ(item["temResultado"].get<bool>(), truth != c.resultados.end());
      if (truth == c.resultados.end()) {
        EXPECT_EQ(res->status, 204);
        continue;
      }
      ASSERT_EQ(res->status, 200);
      json body = json::parse(res->body);
      ASSERT_EQ(body.size(), truth->second.size());
      for (size_t k = 0; k < body.size(); ++k) {
        EXPECT_EQ(body[k], truth->second[k]);
        EXPECT_EQ(body[k]["numeroControlePNCPCompra"], c.numero_controle_pncp);
        EXPECT_EQ(body[k]["sequencialResultado"], static_cast<int>(k) + 1);
      }
      ++results_checked;
    }
  }
  EXPECT_GT(with_items, 0);
  EXPECT_GT(without, 0);  // 8% of purchases have no items
  EXPECT_GT(results_checked, 0);
}

TEST(Itens, ContractErrors) {
  sim_test::Running r;
  auto client = r.client();
  const auto compras = pncp_sim::compras_between(opts(), "20240603", "20240603");
  const pncp_sim::CompraTruth* c = nullptr;
  for (const auto& x : compras)
    if (!x.itens.empty()) c = &x;
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(client->Get(itens_path(*c) + "?pagina=1&tamanhoPagina=501")->status, 400);
  EXPECT_EQ(client->Get(itens_path(*c) + "?pagina=0")->status, 400);
  EXPECT_EQ(client->Get(itens_path(*c) + "?pagina=99&tamanhoPagina=500")->status, 204);
  auto quantidade = client->Get(itens_path(*c) + "/quantidade");
  EXPECT_EQ(quantidade->body, std::to_string(c->itens.size()));
  auto one = client->Get(itens_path(*c) + "/1");
  ASSERT_EQ(one->status, 200);
  EXPECT_EQ(json::parse(one->body), c->itens[0]);
  auto missing_item = client->Get(itens_path(*c) + "/" + std::to_string(c->itens.size() + 1));
  EXPECT_EQ(missing_item->status, 404);
  auto unknown = client->Get("/api/pncp/v1/orgaos/" + c->cnpj + "/compras/2024/999999/itens");
  EXPECT_EQ(unknown->status, 404);
  EXPECT_NE(unknown->body.find("Compra n"), std::string::npos);
  auto other_cnpj = client->Get("/api/pncp/v1/orgaos/00000000000191/compras/2024/" +
                                std::to_string(c->sequencial) + "/itens");
  EXPECT_EQ(other_cnpj->status, 404);
  // Default page size (no tamanhoPagina) is 10.
  auto page = client->Get(itens_path(*c));
  ASSERT_EQ(page->status, 200);
  EXPECT_EQ(json::parse(page->body).size(), std::min<size_t>(10, c->itens.size()));
}

TEST(Itens, RevisionChangesAndRemovesRecentPurchasesOnly) {
  // today 20240630: revisions touch purchases published from 20240531 on.
  const auto before = pncp_sim::compras_between(opts(0), "20240520", "20240630");
  const auto after = pncp_sim::compras_between(opts(1), "20240520", "20240630");
  ASSERT_EQ(before.size(), after.size());
  int revised = 0, removed = 0;
  for (size_t i = 0; i < before.size(); ++i) {
    const auto& b = before[i];
    const auto& a = after[i];
    ASSERT_EQ(a.numero_controle_pncp, b.numero_controle_pncp);
    EXPECT_FALSE(b.removed);
    EXPECT_EQ(b.revised, 0);
    if (a.publicacao < "20240531") {
      EXPECT_FALSE(a.removed);
      EXPECT_EQ(a.revised, 0);
      EXPECT_EQ(a.itens, b.itens);
      continue;
    }
    if (a.removed) {
      ++removed;
      EXPECT_TRUE(a.itens.empty());
    } else if (a.revised) {
      ++revised;
      ASSERT_EQ(a.itens.size(), b.itens.size() + 1);  // one item added
      EXPECT_FALSE(a.itens.back()["temResultado"].get<bool>());
      EXPECT_EQ(a.resultados, b.resultados);
    } else {
      EXPECT_EQ(a.itens, b.itens);
    }
  }
  EXPECT_GT(revised, 0);
  EXPECT_GT(removed, 0);
  // A revised purchase is in today's update feed with the later dataAtualizacaoGlobal; a
  // removed one is in no listing.
  std::set<std::string> updated_today, published;
  for (int m = 1; m <= 14; ++m) {
    for (const auto& rec : pncp_sim::records_between(opts(1), "/v1/contratacoes/atualizacao",
                                                     "20240630", "20240630", m))
      updated_today.insert(rec["numeroControlePNCP"].get<std::string>());
    for (const auto& rec : pncp_sim::records_between(opts(1), "/v1/contratacoes/publicacao",
                                                     "20240531", "20240630", m))
      published.insert(rec["numeroControlePNCP"].get<std::string>());
  }
  for (const auto& a : after) {
    if (a.revised) {
      EXPECT_TRUE(updated_today.count(a.numero_controle_pncp)) << a.numero_controle_pncp;
    }
    if (a.removed) {
      EXPECT_FALSE(published.count(a.numero_controle_pncp)) << a.numero_controle_pncp;
    }
  }
  sim_test::Running r(opts(1));
  for (const auto& a : after) {
    if (!a.removed) continue;
    EXPECT_EQ(r.client()->Get(itens_path(a) + "?pagina=1&tamanhoPagina=10")->status, 404);
    break;
  }
}

TEST(Itens, SummaryCountsRequests) {
  const json s = pncp_sim::itens_summary(opts(), "20240603", "20240604", 3);
  const auto compras = pncp_sim::compras_between(opts(), "20240603", "20240604");
  long long items = 0, requests = 0, with_results = 0, counted = 0;
  for (const auto& c : compras) {
    items += static_cast<long long>(c.itens.size());
    requests += static_cast<long long>(c.itens.size()) / 3 + 1;
    counted += c.itens.empty() ? 0 : 1;
    with_results += static_cast<long long>(c.resultados.size());
  }
  EXPECT_EQ(s["compras"], static_cast<long long>(compras.size()));
  EXPECT_EQ(s["itens"], items);
  EXPECT_EQ(s["requests_itens"], requests);
  EXPECT_EQ(s["requests_resultados"], with_results);
  EXPECT_EQ(s["requests_quantidade"], counted);
}

TEST(Itens, WrongCountAndGarbageFaultsHitOnlyTheCount) {
  // The count of a purchase's items can lie (wrong_count: its number plus `count`) or be
  // unreadable (garbage: a 200 that is not JSON); the items pages keep the truth.
  const std::string quantidade =
      "/pncp/v1/orgaos/{cnpj}/compras/{ano}/{sequencial}/itens/quantidade";
  pncp_sim::Options fewer = opts();
  fewer.faults.push_back(pncp_sim::parse_fault("wrong_count:endpoint=" + quantidade + ",count=-2"));
  pncp_sim::Options broken = opts();
  broken.faults.push_back(pncp_sim::parse_fault("garbage:endpoint=" + quantidade));
  sim_test::Running lying(fewer), garbled(broken);
  auto a = lying.client();
  auto b = garbled.client();
  int checked = 0;
  for (const auto& c : pncp_sim::compras_between(opts(), "20240603", "20240603")) {
    if (c.removed || c.itens.empty()) continue;
    auto count = a->Get(itens_path(c) + "/quantidade");
    ASSERT_TRUE(count);
    EXPECT_EQ(count->body,
              std::to_string(std::max<long long>(0, static_cast<long long>(c.itens.size()) - 2)));
    auto page = a->Get(itens_path(c) + "?pagina=1&tamanhoPagina=500");
    ASSERT_TRUE(page);
    EXPECT_EQ(json::parse(page->body).size(), c.itens.size());
    auto bad = b->Get(itens_path(c) + "/quantidade");
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 200);
    EXPECT_FALSE(json::accept(bad->body)) << bad->body;
    if (++checked == 5) break;
  }
  EXPECT_EQ(checked, 5);
  EXPECT_THROW(pncp_sim::parse_fault("wrong_count:endpoint=/x,count=two"), std::invalid_argument);
}

TEST(Itens, ShortPageFaultCutsItemPagesButNotTheCount) {
  // The live API's silent short page on the bare-array items pages: a fault whose endpoint is
  // a pattern matches every purchase's items path, and only that path.
  pncp_sim::Options o = opts();
  o.faults.push_back(pncp_sim::parse_fault(
      "short:endpoint=/pncp/v1/orgaos/{cnpj}/compras/{ano}/{sequencial}/itens,count=1"));
  sim_test::Running r(o);
  auto client = r.client();
  const auto compras = pncp_sim::compras_between(opts(), "20240603", "20240603");
  int checked = 0;
  for (const auto& c : compras) {
    if (c.removed || c.itens.empty()) continue;
    auto page = client->Get(itens_path(c) + "?pagina=1&tamanhoPagina=500");
    ASSERT_TRUE(page);
    ASSERT_EQ(page->status, 200);
    const json items = json::parse(page->body);
    ASSERT_TRUE(items.is_array());
    EXPECT_EQ(items.size(), c.itens.size() - 1) << c.numero_controle_pncp;  // one cut
    if (!items.empty()) {
      EXPECT_EQ(items[0], c.itens[0]);
    }
    auto count = client->Get(itens_path(c) + "/quantidade");
    ASSERT_TRUE(count);
    EXPECT_EQ(count->body, std::to_string(c.itens.size()));  // the truth
    if (++checked == 10) break;
  }
  EXPECT_EQ(checked, 10);
  // Other paths are untouched by the pattern.
  auto listing = client->Get(
      "/api/consulta/v1/contratacoes/publicacao?dataInicial=20240603&dataFinal=20240603&"
      "codigoModalidadeContratacao=6&pagina=1&tamanhoPagina=50");
  ASSERT_TRUE(listing);
  const json env = json::parse(listing->body);
  EXPECT_EQ(static_cast<long long>(env["data"].size()),
            std::min<long long>(50, env["totalRegistros"].get<long long>()));
}
