// Parameter validation answers with the live API's statuses and bodies.
#include <gtest/gtest.h>

#include "sim_test_support.h"

using nlohmann::json;
using sim_test::Running;
using sim_test::url;

namespace {

struct Answer {
  int status;
  json body;
};

Answer get(const Running& r, const std::string& path, const std::string& query) {
  auto res = r.client()->Get(url(path, query));
  if (!res) throw std::runtime_error("no response");
  return {res->status, res->body.empty() ? json() : json::parse(res->body)};
}

}  // namespace

TEST(Validation, MissingRequiredParameterIs400) {
  Running r;
  auto a =
      get(r, "/v1/contratacoes/publicacao", "dataInicial=20240101&dataFinal=20240101&pagina=1");
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.body["message"], "Required parameter 'codigoModalidadeContratacao' is not present.");
  a = get(r, "/v1/contratos", "dataFinal=20240101&pagina=1");
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.body["message"], "Required parameter 'dataInicial' is not present.");
  a = get(r, "/v1/contratos", "dataInicial=20240101&dataFinal=20240101");
  EXPECT_EQ(a.body["message"], "Required parameter 'pagina' is not present.");
}

TEST(Validation, BadModalidadeIs422) {
  Running r;
  auto a = get(r, "/v1/contratacoes/publicacao",
               "dataInicial=20240101&dataFinal=20240101&codigoModalidadeContratacao=15&pagina=1");
  EXPECT_EQ(a.status, 422);
  EXPECT_EQ(a.body["message"], "Código da modalidade de contratação inválido.");
  EXPECT_EQ(a.body["error"], "422 UNPROCESSABLE_ENTITY");
  EXPECT_EQ(a.body["status"], "422");
  EXPECT_EQ(a.body["path"], "/pncp-consulta/v1/contratacoes/publicacao");
  EXPECT_EQ(get(r, "/v1/contratacoes/publicacao",
                "dataInicial=20300101&dataFinal=20300101&codigoModalidadeContratacao=14&pagina=1")
                .status,
            204);
}

TEST(Validation, DatesMustBeYyyyMMddAndOrdered) {
  Running r;
  for (const char* bad : {"2024-01-01", "20240230", "2024011", "abc"}) {
    auto a =
        get(r, "/v1/contratos", std::string("dataInicial=") + bad + "&dataFinal=20240101&pagina=1");
    EXPECT_EQ(a.status, 422) << bad;
    EXPECT_EQ(a.body["message"], "Data Inicial inválida. Informe no formato yyyyMMdd.") << bad;
  }
  auto a = get(r, "/v1/contratos", "dataInicial=20240105&dataFinal=20240101&pagina=1");
  EXPECT_EQ(a.status, 422);
  EXPECT_EQ(a.body["message"], "Data Final deve ser maior ou igual a Data Inicial.");
}

TEST(Validation, PropostaNeedsDataFinalFromToday) {
  Running r;  // today = 2024-06-30
  auto a = get(r, "/v1/contratacoes/proposta",
               "dataFinal=20240629&codigoModalidadeContratacao=5&pagina=1&tamanhoPagina=10");
  EXPECT_EQ(a.status, 422);
  EXPECT_EQ(a.body["message"],
            "Data Final inválida. Data Final deve ser maior ou igual a data atual");
  a = get(r, "/v1/contratacoes/proposta", "dataFinal=20240731&pagina=1&tamanhoPagina=50");
  ASSERT_EQ(a.status, 200);
  for (auto& c : a.body["data"]) {
    std::string deadline = c["dataEncerramentoProposta"];
    EXPECT_GE(deadline.substr(0, 10), "2024-06-30");
    EXPECT_LE(deadline.substr(0, 10), "2024-07-31");
  }
}

TEST(Validation, PageSizeLimitsPerEndpoint) {
  Running r;
  struct Limit {
    std::string path;
    std::string query;
    int min, max;
  };
  const std::string days = "dataInicial=20240110&dataFinal=20240110&pagina=1";
  for (const Limit& l :
       {Limit{"/v1/contratacoes/publicacao", days + "&codigoModalidadeContratacao=8", 10, 50},
        Limit{"/v1/contratacoes/atualizacao", days + "&codigoModalidadeContratacao=8", 10, 50},
        Limit{"/v1/contratos", days, 10, 500}, Limit{"/v1/atas", days, 10, 500},
        Limit{"/v1/pca/atualizacao", "dataInicio=20240110&dataFim=20240110&pagina=1", 10, 500},
        Limit{"/v1/instrumentoscobranca/inclusao",
              "dataInicial=20240101&dataFinal=20240131&pagina=1", 10, 100}}) {
    for (int size : {l.min - 1, l.max + 1}) {
      auto a = get(r, l.path, l.query + "&tamanhoPagina=" + std::to_string(size));
      EXPECT_EQ(a.status, 400) << l.path << " " << size;
      EXPECT_EQ(a.body["message"], "Tamanho de página inválido") << l.path;
      EXPECT_EQ(a.body["error"], "Bad Request");
    }
    for (int size : {l.min, l.max}) {
      auto a = get(r, l.path, l.query + "&tamanhoPagina=" + std::to_string(size));
      EXPECT_EQ(a.status, 200) << l.path << " " << size;
    }
  }
}

TEST(Validation, PaginaMustBePositiveInteger) {
  Running r;
  EXPECT_EQ(get(r, "/v1/contratos", "dataInicial=20240110&dataFinal=20240110&pagina=0").status,
            400);
  auto a = get(r, "/v1/contratos", "dataInicial=20240110&dataFinal=20240110&pagina=x");
  EXPECT_EQ(a.status, 400);
  EXPECT_NE(a.body["message"].get<std::string>().find("For input string: \"x\""),
            std::string::npos);
}
