#include "extract/page_envelope.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace baliza::extract {
namespace {

std::string sample(const std::string& name) {
  std::ifstream in(std::string(BALIZA_SHARED_DIR) + "/pncp/samples/" + name, std::ios::binary);
  EXPECT_TRUE(in) << "missing sample " << name;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(PageEnvelope, ReadsTheRealContratacoesPage) {
  const EnvelopeParse p = parse_page_envelope(sample("contratacoes_publicacao_page_sample.json"));
  ASSERT_TRUE(p.ok()) << p.message;
  EXPECT_EQ(p.envelope.total_registros, 881);
  EXPECT_EQ(p.envelope.total_paginas, 89);
  EXPECT_EQ(p.envelope.numero_pagina, 1);
  EXPECT_EQ(p.envelope.paginas_restantes, 88);
  EXPECT_EQ(p.envelope.empty, false);
  EXPECT_EQ(p.envelope.record_count, 3u);
}

TEST(PageEnvelope, ReadsTheRealContratosPage) {
  const EnvelopeParse p = parse_page_envelope(sample("contratos_page_sample.json"));
  ASSERT_TRUE(p.ok()) << p.message;
  EXPECT_EQ(p.envelope.total_registros, 4979);
  EXPECT_EQ(p.envelope.total_paginas, 498);
  EXPECT_EQ(p.envelope.record_count, 2u);
}

TEST(PageEnvelope, EnvelopeNumbersAreOptional) {
  const EnvelopeParse p = parse_page_envelope(sample("pca_sample.json"));
  ASSERT_TRUE(p.ok()) << p.message;
  EXPECT_EQ(p.envelope.record_count, 1u);
  EXPECT_FALSE(p.envelope.total_paginas.has_value());
  EXPECT_FALSE(p.envelope.empty.has_value());
}

TEST(PageEnvelope, EveryCutOfARealPageIsTruncated) {
  const std::string body = sample("contratos_page_sample.json");
  const auto end = body.find_last_of('}');
  for (std::size_t cut = 1; cut < end; cut += 97) {
    const EnvelopeParse p = parse_page_envelope(body.substr(0, cut));
    EXPECT_EQ(p.error, EnvelopeError::kTruncated) << "cut at " << cut << ": " << p.message;
  }
}

TEST(PageEnvelope, MalformedEmptyAndNonPageBodies) {
  EXPECT_EQ(parse_page_envelope(R"({"data": [1, 2,], "totalPaginas": 1})").error,
            EnvelopeError::kInvalidJson);
  EXPECT_EQ(parse_page_envelope(R"({"data": [] } trailing)").error, EnvelopeError::kInvalidJson);
  EXPECT_EQ(parse_page_envelope("").error, EnvelopeError::kEmptyBody);
  EXPECT_EQ(parse_page_envelope(" \r\n").error, EnvelopeError::kEmptyBody);
  EXPECT_EQ(parse_page_envelope("[1, 2]").error, EnvelopeError::kNotAPage);
  const EnvelopeParse error_body =
      parse_page_envelope(R"({"message": "Tamanho de página inválido", "status": "400"})");
  EXPECT_EQ(error_body.error, EnvelopeError::kNotAPage);
  EXPECT_FALSE(error_body.message.empty());
}

TEST(PageEnvelope, CountBody) {
  const EnvelopeParse p = parse_count_body(" 42\n");
  ASSERT_TRUE(p.ok()) << p.message;
  EXPECT_EQ(p.envelope.total_registros, 42);
  EXPECT_EQ(p.envelope.record_count, 0u);
  EXPECT_EQ(parse_count_body("0").envelope.total_registros, 0);
  EXPECT_EQ(parse_count_body("-1").error, EnvelopeError::kNotAPage);
  EXPECT_EQ(parse_count_body("[1]").error, EnvelopeError::kNotAPage);
  EXPECT_EQ(parse_count_body("<html>Limite</html>").error, EnvelopeError::kInvalidJson);
  EXPECT_EQ(parse_count_body("").error, EnvelopeError::kEmptyBody);
}

TEST(PageEnvelope, EmptyPage) {
  const EnvelopeParse p = parse_page_envelope(
      R"({"data": [], "totalRegistros": 0, "totalPaginas": 0, "numeroPagina": 1,
          "paginasRestantes": 0, "empty": true})");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.envelope.record_count, 0u);
  EXPECT_EQ(p.envelope.empty, true);
}

TEST(PageEnvelope, TotalsWrittenAsStringsOrIntegralFloatsAreRead) {
  const EnvelopeParse p = parse_page_envelope(
      R"({"data":[{}],"totalRegistros":"25","totalPaginas":3.0,"numeroPagina":" 1 "})");
  ASSERT_TRUE(p.ok()) << p.message;
  EXPECT_EQ(p.envelope.total_registros, 25);
  EXPECT_EQ(p.envelope.total_paginas, 3);
  EXPECT_EQ(p.envelope.numero_pagina, 1);
}

TEST(PageEnvelope, ATotalThatIsNotACountIsNotAPage) {
  for (const char* bad : {R"("muitos")", "null", "-1", "2.5", R"("")", "[]"}) {
    const EnvelopeParse p =
        parse_page_envelope(std::string(R"({"data":[],"totalRegistros":)") + bad + "}");
    EXPECT_EQ(p.error, EnvelopeError::kNotAPage) << bad;
    EXPECT_NE(p.message.find("totalRegistros or totalPaginas"), std::string::npos) << bad;
  }
  // numeroPagina and paginasRestantes are informative only: a bad one is ignored.
  EXPECT_TRUE(parse_page_envelope(R"({"data":[],"numeroPagina":"x"})").ok());
}

TEST(PageEnvelope, RecordHashesTellTheSameRecordWhateverItsSpacing) {
  const EnvelopeParse a = parse_page_envelope(R"({"data":[{"a":1,"b":"x"},{"a":2}]})");
  const EnvelopeParse b = parse_page_envelope("{\"data\":[ { \"a\" : 2 } ,\n{\"a\":3}]}");
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a.envelope.record_hashes.size(), 2u);
  ASSERT_EQ(b.envelope.record_hashes.size(), 2u);
  EXPECT_NE(a.envelope.record_hashes[0], a.envelope.record_hashes[1]);
  EXPECT_EQ(a.envelope.record_hashes[1], b.envelope.record_hashes[0]);  // {"a":2} twice
  EXPECT_NE(a.envelope.record_hashes[0], b.envelope.record_hashes[1]);
  const EnvelopeParse array = parse_page_envelope(R"([{"n":1},{"n":1}])", true);
  ASSERT_TRUE(array.ok());
  ASSERT_EQ(array.envelope.record_hashes.size(), 2u);
  EXPECT_EQ(array.envelope.record_hashes[0], array.envelope.record_hashes[1]);
}

TEST(PageEnvelope, InvalidUtf8IsInvalidJsonSayingSo) {
  const EnvelopeParse p = parse_page_envelope("{\"data\":[{\"a\":\"caf\xE9\"}]}");
  EXPECT_EQ(p.error, EnvelopeError::kInvalidJson);
  EXPECT_NE(p.message.find("UTF-8"), std::string::npos) << p.message;
}

}  // namespace
}  // namespace baliza::extract
