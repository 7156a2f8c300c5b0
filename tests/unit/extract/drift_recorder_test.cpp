#include "extract/drift_recorder.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "extract/progress.h"

namespace baliza::extract {
namespace {

SchemaFingerprint page(const std::string& records) {
  return sample_page_fingerprint("{\"data\":[" + records + "],\"totalRegistros\":1}");
}

TEST(DriftRecorder, FirstVersionIsABaseline) {
  DriftRecorder d;
  auto v = d.observe("contratos", page(R"({"a":1,"b":"x"})"));
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->baseline);
  EXPECT_FALSE(d.observe("contratos", page(R"({"b":"y","a":2})")));
}

TEST(DriftRecorder, NullsAndEmptyArraysAreNotDrift) {
  DriftRecorder d;
  d.observe("e", page(R"({"a":"x","o":{"k":1},"l":[{"z":1}]})"));
  EXPECT_FALSE(d.observe("e", page(R"({"a":null,"o":null,"l":[]})")));
  EXPECT_FALSE(d.observe("e", page(R"({"a":"y","o":{"k":null},"l":[{"z":2}]})")));
}

TEST(DriftRecorder, RenameAndRetypeAreDrift) {
  DriftRecorder d;
  d.observe("e", page(R"({"objeto":"x","valor":1})"));
  auto renamed = d.observe("e", page(R"({"objetoNovo":"x","valor":1})"));
  ASSERT_TRUE(renamed);
  EXPECT_FALSE(renamed->baseline);
  EXPECT_NE(renamed->changes.find("+ objetoNovo: string"), std::string::npos) << renamed->changes;
  EXPECT_NE(renamed->changes.find("- objeto: string"), std::string::npos);
  // Both shapes are known now: pages of either do not flap.
  EXPECT_FALSE(d.observe("e", page(R"({"objeto":"y","valor":2})")));
  EXPECT_FALSE(d.observe("e", page(R"({"objetoNovo":"y","valor":2})")));
  auto retyped = d.observe("e", page(R"({"objeto":"x","valor":"1"})"));
  ASSERT_TRUE(retyped);
  EXPECT_NE(retyped->changes.find("~ valor: number -> string"), std::string::npos)
      << retyped->changes;
}

TEST(DriftRecorder, KnownVersionsComeFromTheDatabase) {
  DriftRecorder d;
  d.add_known("e", page(R"({"a":1})").text());
  EXPECT_FALSE(d.observe("e", page(R"({"a":2})")));
  EXPECT_TRUE(d.observe("e", page(R"({"a":2,"b":true})")));
}

TEST(DriftRecorder, SampleIsBoundedAndRejectsNonPages) {
  std::string records;
  for (int i = 0; i < 500; ++i)
    records += std::string(i ? "," : "") + "{\"a\":" + std::to_string(i) + "}";
  EXPECT_EQ(sample_page_fingerprint("{\"data\":[" + records + "]}", 8).fields().size(), 1u);
  EXPECT_THROW(sample_page_fingerprint("{\"nodata\":1}"), Error);
  EXPECT_THROW(sample_page_fingerprint("{\"data\":[1,"), Error);
}

TEST(Progress, LineShowsRatesAndEta) {
  ProgressSnapshot s;
  s.tasks_done = 50;
  s.tasks_total = 100;
  s.pages = 200;
  s.records = 12345;
  s.bytes = 3 * 1048576;
  s.open_circuits = 1;
  s.elapsed_seconds = 10;
  const std::string line = progress_line(s);
  EXPECT_NE(line.find("tasks 50/100"), std::string::npos) << line;
  EXPECT_NE(line.find("records 12.3k"), std::string::npos) << line;
  EXPECT_NE(line.find("3.0 MB"), std::string::npos) << line;
  EXPECT_NE(line.find("20 pages/s"), std::string::npos) << line;
  EXPECT_NE(line.find("ETA 10s"), std::string::npos) << line;
  EXPECT_NE(line.find("circuits open 1"), std::string::npos) << line;
  EXPECT_EQ(human_duration(125), "2m05s");
  EXPECT_EQ(human_duration(-1), "--");
}

}  // namespace
}  // namespace baliza::extract
