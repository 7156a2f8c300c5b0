// Deterministic synthetic records: same options same bytes, DTO shapes as the recorded samples,
// valid-looking CNPJs with a controlled share of bad ones, unique keys, schema changes.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "pncp_sim/data.h"
#include "sim_test_support.h"

using nlohmann::json;

namespace {

pncp_sim::Options opts() {
  return sim_test::test_options();
}

json sample(const std::string& name) {
  std::ifstream in(std::string(PNCP_SHARED_DIR) + "/pncp/samples/" + name);
  return json::parse(in);
}

void collect_keys(const json& record, const std::string& prefix, std::set<std::string>& out) {
  for (auto& [key, value] : record.items()) {
    if (key.rfind('_', 0) == 0) continue;  // "_note" annotations of the sample files
    out.insert(prefix + key);
    if (value.is_object()) collect_keys(value, prefix + key + ".", out);
    if (value.is_array() && !value.empty() && value[0].is_object())
      collect_keys(value[0], prefix + key + "[].", out);
  }
}

std::set<std::string> keys_of(const std::vector<json>& records) {
  std::set<std::string> keys;
  for (const json& r : records) collect_keys(r, "", keys);
  return keys;
}

std::vector<json> many(const std::string& path, std::optional<int> modalidade = std::nullopt) {
  return pncp_sim::records_between(opts(), path, "20240101", "20240131", modalidade);
}

}  // namespace

TEST(Data, SameSeedSameBytesOverHttp) {
  sim_test::Running a, b;
  auto q = sim_test::url("/v1/contratos",
                         "dataInicial=20240110&dataFinal=20240110&pagina=1&tamanhoPagina=500");
  auto ra = a.client()->Get(q), rb = b.client()->Get(q);
  ASSERT_EQ(ra->status, 200);
  EXPECT_EQ(ra->body, rb->body);
  auto o = opts();
  o.seed = 7;
  sim_test::Running c(o);
  EXPECT_NE(c.client()->Get(q)->body, ra->body);
}

TEST(Data, GzipWhenAskedAndTheSameBytesOnceDecoded) {
  sim_test::Running r;
  auto q = sim_test::url("/v1/contratos",
                         "dataInicial=20240110&dataFinal=20240110&pagina=1&tamanhoPagina=500");
  auto plain = r.client()->Get(q);  // httplib's client offers no encoding unless told to
  ASSERT_EQ(plain->status, 200);
  EXPECT_FALSE(plain->has_header("Content-Encoding"));
  auto raw = r.client();
  raw->set_decompress(false);
  auto zipped = raw->Get(q, {{"Accept-Encoding", "gzip, deflate"}});
  ASSERT_EQ(zipped->status, 200);
  EXPECT_EQ(zipped->get_header_value("Content-Encoding"), "gzip");
  EXPECT_LT(zipped->body.size() * 4, plain->body.size());  // JSON shrinks several times
  auto decoding = r.client();
  auto decoded = decoding->Get(q, {{"Accept-Encoding", "gzip"}});
  ASSERT_EQ(decoded->status, 200);
  EXPECT_EQ(decoded->body, plain->body);
}

TEST(Data, EveryKeyOfTheRecordedSamplesIsGenerated) {
  struct Case {
    std::string sample;
    std::string path;
    std::optional<int> modalidade;
  };
  for (const Case& k :
       {Case{"contratos_page_sample.json", "/v1/contratos", std::nullopt},
        Case{"contratacoes_publicacao_page_sample.json", "/v1/contratacoes/publicacao", 6},
        Case{"contratacoes_publicacao_page_sample.json", "/v1/contratacoes/publicacao", 8},
        Case{"atas_sample.json", "/v1/atas/atualizacao", std::nullopt},
        Case{"pca_sample.json", "/v1/pca/atualizacao", std::nullopt}}) {
    std::set<std::string> expected;
    const json page = sample(k.sample);  // named: a temporary would die before the loop body
    for (const json& r : page["data"]) collect_keys(r, "", expected);
    std::set<std::string> generated = keys_of(many(k.path, k.modalidade));
    for (const std::string& key : expected) {
      if (key.find("fontesOrcamentarias[]") != std::string::npos) continue;  // empty in samples
      EXPECT_TRUE(generated.count(key)) << k.sample << ": " << key;
    }
  }
}

TEST(Data, QuirksOfRealBodies) {
  auto compras = many("/v1/contratacoes/publicacao", 6);
  ASSERT_FALSE(compras.empty());
  bool poder_n = false, four_decimals = false, null_homologado = false;
  for (const json& c : compras) {
    EXPECT_TRUE(c["situacaoCompraId"].is_number_integer());
    EXPECT_EQ(c["dataPublicacaoPncp"].get<std::string>().size(), 19u);  // no zone
    poder_n |= c["orgaoEntidade"]["poderId"] == "N";
    null_homologado |= c["valorTotalHomologado"].is_null();
    double v = c["valorTotalEstimado"];
    four_decimals |= std::abs(v * 100 - std::round(v * 100)) > 1e-6;
  }
  EXPECT_TRUE(poder_n);
  EXPECT_TRUE(four_decimals);
  EXPECT_TRUE(null_homologado);
  bool plain_date = false;
  for (const json& a : many("/v1/atas/atualizacao"))
    plain_date |= a["vigenciaInicio"].get<std::string>().size() == 10;
  EXPECT_TRUE(plain_date);
}

TEST(Data, CnpjsMostlyValidWithConfiguredShareOfInvalid) {
  auto o = opts();
  o.quality.invalid_cnpj_rate = 0.1;
  auto records =
      pncp_sim::records_between(o, "/v1/contratos", "20240101", "20240131", std::nullopt);
  ASSERT_GT(records.size(), 1000u);
  size_t invalid = 0;
  for (const json& r : records) invalid += !pncp_sim::cnpj_is_valid(r["orgaoEntidade"]["cnpj"]);
  double share = static_cast<double>(invalid) / records.size();
  EXPECT_GT(share, 0.06);
  EXPECT_LT(share, 0.14);
  EXPECT_TRUE(pncp_sim::cnpj_is_valid("08084014000142"));  // from the recorded sample
  EXPECT_FALSE(pncp_sim::cnpj_is_valid("08084014000143"));
}

TEST(Data, BadValuesForQuarantine) {
  auto o = opts();
  o.quality.bad_value_rate = 0.05;
  auto records =
      pncp_sim::records_between(o, "/v1/contratos", "20240101", "20240131", std::nullopt);
  size_t negative = 0, impossible = 0;
  for (const json& r : records) {
    negative += r["valorGlobal"].get<double>() < 0;
    impossible += r["dataAssinatura"].get<std::string>().substr(5) == "02-30";
  }
  EXPECT_GT(negative, 0u);
  EXPECT_GT(impossible, 0u);
  EXPECT_LT(negative + impossible, records.size() / 10);
}

TEST(Data, ControlNumbersAreUniqueAndStable) {
  std::set<std::string> keys;
  size_t n = 0;
  for (int m = 1; m <= 14; ++m)
    for (const json& c : many("/v1/contratacoes/publicacao", m)) {
      keys.insert(c["numeroControlePNCP"].get<std::string>());
      ++n;
    }
  EXPECT_EQ(keys.size(), n);
  auto contratos = many("/v1/contratos");
  std::set<std::string> contrato_keys;
  for (const json& c : contratos) contrato_keys.insert(c["numeroControlePNCP"].get<std::string>());
  EXPECT_EQ(contrato_keys.size(), contratos.size());
  EXPECT_EQ(many("/v1/contratos"), contratos);
}

TEST(Data, SuppliersAreSkewed) {
  std::map<std::string, int> per_supplier;
  auto contratos = many("/v1/contratos");
  for (const json& c : contratos) ++per_supplier[c["niFornecedor"].get<std::string>()];
  std::vector<int> counts;
  for (auto& [ni, n] : per_supplier) counts.push_back(n);
  std::sort(counts.rbegin(), counts.rend());
  EXPECT_GT(counts[0], 20 * counts[counts.size() / 2]);
}

TEST(Data, SchemaChangeFromADate) {
  auto o = opts();
  o.schema_changes.push_back(pncp_sim::parse_schema_change(
      "rename:endpoint=/v1/contratos,from=20240115,field=valorGlobal,to=valorGlobalContrato"));
  o.schema_changes.push_back(pncp_sim::parse_schema_change(
      "retype:endpoint=/v1/contratos,from=20240115,field=orgaoEntidade.poderId"));
  auto before = pncp_sim::records_for(o, "/v1/contratos", "20240114", std::nullopt);
  auto after = pncp_sim::records_for(o, "/v1/contratos", "20240115", std::nullopt);
  ASSERT_FALSE(before.empty());
  ASSERT_FALSE(after.empty());
  EXPECT_TRUE(before[0].contains("valorGlobal"));
  EXPECT_FALSE(after[0].contains("valorGlobal"));
  EXPECT_TRUE(after[0]["valorGlobalContrato"].is_number());
  EXPECT_TRUE(after[0]["orgaoEntidade"]["poderId"].is_array());
  sim_test::Running r(o);
  auto res = r.client()->Get(
      sim_test::url("/v1/contratos", "dataInicial=20240115&dataFinal=20240115&pagina=1"));
  EXPECT_NE(res->body.find("valorGlobalContrato"), std::string::npos);
}

TEST(Data, GroundTruthCountsMatchRecords) {
  auto o = opts();
  json truth = pncp_sim::ground_truth(o, "20240108", "20240112");
  for (const char* path :
       {"/v1/contratos", "/v1/contratos/atualizacao", "/v1/atas", "/v1/atas/atualizacao",
        "/v1/pca/atualizacao", "/v1/instrumentoscobranca/inclusao"}) {
    long long total = 0;
    for (auto& [day, n] : truth["endpoints"][path].items()) {
      EXPECT_EQ(n.get<size_t>(), pncp_sim::records_for(o, path, day, std::nullopt).size())
          << path << " " << day;
      total += n.get<long long>();
    }
    EXPECT_EQ(truth["totals"][path], total);
  }
  for (auto& [m, n] : truth["endpoints"]["/v1/contratacoes/publicacao"]["20240110"].items())
    EXPECT_EQ(
        n.get<size_t>(),
        pncp_sim::records_for(o, "/v1/contratacoes/publicacao", "20240110", std::stoi(m)).size());
}

TEST(Data, VolumeFollowsConfig) {
  auto o = opts();
  o.volume.empty_day_rate = 0;
  size_t base =
      pncp_sim::records_between(o, "/v1/contratos", "20240101", "20240131", std::nullopt).size();
  o.volume.scale = 3;
  size_t scaled =
      pncp_sim::records_between(o, "/v1/contratos", "20240101", "20240131", std::nullopt).size();
  EXPECT_GT(base, 1500u);  // 100/day on weekdays
  EXPECT_NEAR(static_cast<double>(scaled) / base, 3.0, 0.3);
}

TEST(Data, UnknownEndpointOrMissingModalidadeThrows) {
  EXPECT_THROW(pncp_sim::records_for(opts(), "/v1/nope", "20240101", std::nullopt),
               std::invalid_argument);
  EXPECT_THROW(
      pncp_sim::records_for(opts(), "/v1/contratacoes/publicacao", "20240101", std::nullopt),
      std::invalid_argument);
  EXPECT_THROW(pncp_sim::records_for(opts(), "/v1/contratos", "2024-13-01", std::nullopt),
               std::invalid_argument);
}

// Amended contracts (termo aditivo): valorGlobal differs from valorInicial once the update day
// has come, the contract is served by /atualizacao on that day with the new value, and a
// simulator whose "today" is the publication day still serves the original value.
TEST(Data, AmendmentsChangeValorGlobalOverTime) {
  auto key = [](const json& r) { return r["numeroControlePNCP"].get<std::string>(); };
  std::vector<json> amended;
  for (const json& r : many("/v1/contratos")) {
    double global = r["valorGlobal"].get<double>(), initial = r["valorInicial"].get<double>();
    if (global > 0 && global != initial) amended.push_back(r);
  }
  ASSERT_GT(amended.size(), 20u);  // ~1/3 of the ~45% updated later, of ~2000 contracts
  for (size_t i = 0; i < 5; ++i) {
    const json& r = amended[i * amended.size() / 5];
    EXPECT_GE(r["numeroRetificacao"].get<int>(), 1);
    const std::string published = r["dataPublicacaoPncp"].get<std::string>();
    const std::string updated = r["dataAtualizacao"].get<std::string>();
    ASSERT_LT(published.substr(0, 10), updated.substr(0, 10));
    auto compact = [](std::string iso) {
      return iso.substr(0, 4) + iso.substr(5, 2) + iso.substr(8, 2);
    };
    bool served = false;
    for (const json& u :
         pncp_sim::records_for(opts(), "/v1/contratos/atualizacao", compact(updated), std::nullopt))
      if (key(u) == key(r)) served = u["valorGlobal"] == r["valorGlobal"];
    EXPECT_TRUE(served) << key(r);
    auto before = opts();
    before.today = compact(published);
    bool original = false;
    for (const json& b :
         pncp_sim::records_for(before, "/v1/contratos", compact(published), std::nullopt))
      if (key(b) == key(r)) original = b["valorGlobal"] == b["valorInicial"];
    EXPECT_TRUE(original) << key(r);
  }
}
