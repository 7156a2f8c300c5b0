#include "core/log.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace baliza {
namespace {

TEST(Log, JsonStringEscapes) {
  std::string out;
  append_json_string(out, "a\"b\\c\nd\x01");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\nd\\u0001\"");
  EXPECT_EQ(nlohmann::json::parse(out).get<std::string>(), "a\"b\\c\nd\x01");
}

TEST(Log, JsonLinesCarryTsLevelMsgAndFields) {
  log_configure(LogFormat::kJson, LogLevel::kInfo);
  ::testing::internal::CaptureStderr();
  log_info("page stored", {{"endpoint", "contratos"}, {"page", "3"}, {"sha", "00ab"}});
  log_debug("hidden");
  std::string line = ::testing::internal::GetCapturedStderr();
  log_configure(LogFormat::kText, LogLevel::kInfo);
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["level"], "info");
  EXPECT_EQ(j["msg"], "page stored");
  EXPECT_EQ(j["endpoint"], "contratos");
  EXPECT_EQ(j["page"], 3);
  EXPECT_EQ(j["sha"], "00ab");
  EXPECT_EQ(j["ts"].get<std::string>().size(), 24u);
}

TEST(Log, ParsesLevelsAndFormats) {
  EXPECT_EQ(parse_log_level("warn"), LogLevel::kWarn);
  EXPECT_EQ(parse_log_format("json"), LogFormat::kJson);
  EXPECT_THROW(parse_log_level("loud"), Error);
}

}  // namespace
}  // namespace baliza
