#include "extract/schema_fingerprint.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/sha256.h"

namespace baliza::extract {
namespace {

using ordered = nlohmann::ordered_json;

std::string sample(const std::string& name) {
  std::ifstream in(std::string(BALIZA_SHARED_DIR) + "/pncp/samples/" + name, std::ios::binary);
  EXPECT_TRUE(in) << "missing sample " << name;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The same JSON with every object's keys in reverse order.
ordered reverse_keys(const ordered& j) {
  if (j.is_object()) {
    ordered out = ordered::object();
    std::vector<std::pair<std::string, ordered>> items;
    for (const auto& [key, value] : j.items()) items.emplace_back(key, value);
    for (auto it = items.rbegin(); it != items.rend(); ++it)
      out[it->first] = reverse_keys(it->second);
    return out;
  }
  if (j.is_array()) {
    ordered out = ordered::array();
    for (const auto& e : j) out.push_back(reverse_keys(e));
    return out;
  }
  return j;
}

std::string types_of(const SchemaFingerprint& fp, const std::string& path) {
  auto it = fp.fields().find(path);
  return it == fp.fields().end() ? "<absent>" : join_types(it->second);
}

TEST(SchemaFingerprint, RealContratacoesPage) {
  SchemaFingerprint fp;
  fp.add_page(sample("contratacoes_publicacao_page_sample.json"));
  EXPECT_EQ(types_of(fp, "numeroControlePNCP"), "string");
  EXPECT_EQ(types_of(fp, "valorTotalHomologado"), "number|null");  // null in one record
  EXPECT_EQ(types_of(fp, "orgaoSubRogado"), "null");
  EXPECT_EQ(types_of(fp, "orgaoEntidade"), "object");
  EXPECT_EQ(types_of(fp, "orgaoEntidade.poderId"), "string");
  EXPECT_EQ(types_of(fp, "situacaoCompraId"), "number");
  EXPECT_EQ(types_of(fp, "fontesOrcamentarias"), "array");
  EXPECT_EQ(types_of(fp, "srp"), "boolean");
  EXPECT_EQ(types_of(fp, "totalRegistros"), "<absent>");  // records only, not the envelope
  EXPECT_EQ(fp.sha256(), sha256_hex(fp.text()));
  EXPECT_EQ(fp.text().rfind("schema-fingerprint v1\n", 0), 0u);
}

TEST(SchemaFingerprint, ArraysAreSummarizedWithTheirElements) {
  SchemaFingerprint fp;
  fp.add_page(sample("pca_sample.json"));
  EXPECT_EQ(types_of(fp, "itens"), "array");
  EXPECT_EQ(types_of(fp, "itens[]"), "object");
  EXPECT_EQ(types_of(fp, "itens[].valorTotal"), "number");
  EXPECT_EQ(types_of(fp, "itens[].pdmCodigo"), "null");
}

TEST(SchemaFingerprint, KeyOrderAndRecordOrderDoNotMatter) {
  for (const char* name : {"contratacoes_publicacao_page_sample.json", "contratos_page_sample.json",
                           "atas_sample.json"}) {
    const ordered page = ordered::parse(sample(name));
    ordered shuffled = reverse_keys(page);
    std::reverse(shuffled["data"].begin(), shuffled["data"].end());
    ASSERT_NE(page.dump(), shuffled.dump());
    SchemaFingerprint a, b;
    a.add_page(page.dump());
    b.add_page(shuffled.dump());
    EXPECT_EQ(a.text(), b.text()) << name;
    EXPECT_EQ(a.sha256(), b.sha256()) << name;
  }
}

TEST(SchemaFingerprint, NullNeverErasesATypeWhateverTheOrder) {
  SchemaFingerprint a, b;
  a.add_record(R"({"x": null})");
  a.add_record(R"({"x": "s"})");
  b.add_record(R"({"x": "s"})");
  b.add_record(R"({"x": null})");
  EXPECT_EQ(types_of(a, "x"), "string|null");
  EXPECT_EQ(a.text(), b.text());
}

TEST(SchemaFingerprint, TextRoundTrips) {
  SchemaFingerprint fp;
  fp.add_page(sample("contratos_page_sample.json"));
  const SchemaFingerprint back = SchemaFingerprint::from_text(fp.text());
  EXPECT_EQ(back.text(), fp.text());
  EXPECT_TRUE(diff_fingerprints(fp, back).empty());
  EXPECT_THROW(SchemaFingerprint::from_text("something else\n"), Error);
}

// Found by the page-parsing fuzzer (tests/fuzz): a key holding a line break or a tab made the
// stored text read back as other fields, so every later page of the endpoint looked like drift.
TEST(SchemaFingerprint, KeysWithTabsLineBreaksAndBackslashesRoundTrip) {
  SchemaFingerprint fp;
  fp.add_page(R"({"data": [{"it\ntes": [{"a\tb": 1}], "c\\d": "x", "plain": null}]})");
  EXPECT_EQ(fp.fields().count("it\ntes[].a\tb"), 1u);
  const std::string text = fp.text();
  EXPECT_EQ(text,
            "schema-fingerprint v1\nc\\\\d\tstring\nit\\ntes\tarray\n"
            "it\\ntes[]\tobject\nit\\ntes[].a\\tb\tnumber\nplain\tnull\n");
  const SchemaFingerprint back = SchemaFingerprint::from_text(text);
  EXPECT_EQ(back.fields(), fp.fields());
  EXPECT_EQ(back.text(), text);
}

TEST(SchemaFingerprint, BodyWithoutDataIsAnError) {
  SchemaFingerprint fp;
  EXPECT_THROW(fp.add_page(R"({"message": "x"})"), Error);
  EXPECT_THROW(fp.add_page(R"({"data": [)"), Error);
}

TEST(SchemaDiff, ReportsAddedRemovedAndChangedFields) {
  const ordered page = ordered::parse(sample("contratacoes_publicacao_page_sample.json"));
  ordered drifted = page;
  for (auto& record : drifted["data"]) {
    record["situacaoCompraId"] =
        std::to_string(record["situacaoCompraId"].get<int>());          // the spec's string
    record["numeroControlePncpCompra"] = record["numeroControlePNCP"];  // renamed field
    record.erase("numeroControlePNCP");
    record["orgaoEntidade"]["poderId"] = nullptr;  // null alone is not drift
  }
  SchemaFingerprint before, after;
  before.add_page(page.dump());
  after.add_page(drifted.dump());
  const SchemaDiff diff = diff_fingerprints(before, after);
  ASSERT_EQ(diff.added.size(), 1u);
  EXPECT_EQ(diff.added[0].path, "numeroControlePncpCompra");
  ASSERT_EQ(diff.removed.size(), 1u);
  EXPECT_EQ(diff.removed[0].path, "numeroControlePNCP");
  ASSERT_EQ(diff.type_changed.size(), 1u);
  EXPECT_EQ(diff.type_changed[0].path, "situacaoCompraId");
  EXPECT_EQ(diff.type_changed[0].before, "number");
  EXPECT_EQ(diff.type_changed[0].after, "string");
  EXPECT_NE(before.sha256(), after.sha256());
  EXPECT_NE(diff.describe().find("~ situacaoCompraId: number -> string"), std::string::npos);
}

}  // namespace
}  // namespace baliza::extract
