// The microbatch calendar: parsing, truncate / offset / ceiling as dbt's MicrobatchBuilder
// documents them (its examples at 2024-09-17 16:06), and the windows of a model.
#include <gtest/gtest.h>

#include "core/error.h"
#include "transform/batch_time.h"
#include "transform/microbatch.h"

namespace baliza::transform {
namespace {

UtcTime at(const char* text) {
  auto t = parse_utc_time(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t.value_or(UtcTime{});
}

std::string show(UtcTime t) {
  return format_utc_time(t);
}

TEST(BatchTime, ParsesDatesTimesAndOffsets) {
  EXPECT_EQ(show(at("2024-09-17")), "2024-09-17 00:00:00");
  EXPECT_EQ(show(at("2024-09-17 16:06")), "2024-09-17 16:06:00");
  EXPECT_EQ(show(at("2024-09-17T16:06:05Z")), "2024-09-17 16:06:05");
  EXPECT_EQ(show(at("2024-09-17 16:06:05.25")), "2024-09-17 16:06:05.250000");
  EXPECT_EQ(show(at("2024-09-17T16:06:00+02:00")), "2024-09-17 14:06:00");
  EXPECT_EQ(show(at("2024-09-17T01:00:00-03")), "2024-09-17 04:00:00");
  EXPECT_EQ(iso_utc_time(at("2024-09-17 16:06")), "2024-09-17T16:06:00+00:00");
  for (const char* bad : {"", "2024-13-01", "2024-02-30", "17/09/2024", "2024-09-17 25:00",
                          "2024-09-17x", "2024-09-17 16:06:00+2"}) {
    EXPECT_FALSE(parse_utc_time(bad).has_value()) << bad;
  }
}

TEST(BatchTime, TruncateOffsetAndCeilingFollowDbt) {
  UtcTime t = at("2024-09-17 16:06:00");
  EXPECT_EQ(show(truncate_time(t, BatchSize::kHour)), "2024-09-17 16:00:00");
  EXPECT_EQ(show(truncate_time(t, BatchSize::kDay)), "2024-09-17 00:00:00");
  EXPECT_EQ(show(truncate_time(t, BatchSize::kMonth)), "2024-09-01 00:00:00");
  EXPECT_EQ(show(truncate_time(t, BatchSize::kYear)), "2024-01-01 00:00:00");
  EXPECT_EQ(show(offset_time(t, BatchSize::kHour, -1)), "2024-09-17 15:00:00");
  EXPECT_EQ(show(offset_time(t, BatchSize::kHour, 1)), "2024-09-17 17:00:00");
  EXPECT_EQ(show(offset_time(t, BatchSize::kDay, -1)), "2024-09-16 00:00:00");
  EXPECT_EQ(show(offset_time(t, BatchSize::kDay, 1)), "2024-09-18 00:00:00");
  EXPECT_EQ(show(offset_time(t, BatchSize::kMonth, -1)), "2024-08-01 00:00:00");
  EXPECT_EQ(show(offset_time(t, BatchSize::kMonth, 1)), "2024-10-01 00:00:00");
  EXPECT_EQ(show(offset_time(t, BatchSize::kYear, -1)), "2023-01-01 00:00:00");
  EXPECT_EQ(show(offset_time(t, BatchSize::kYear, 1)), "2025-01-01 00:00:00");
  EXPECT_EQ(show(offset_time(at("2024-01-31"), BatchSize::kMonth, 1)), "2024-02-01 00:00:00");
  EXPECT_EQ(show(offset_time(at("2024-01-15"), BatchSize::kMonth, -13)), "2022-12-01 00:00:00");
  EXPECT_EQ(show(ceiling_time(t, BatchSize::kHour)), "2024-09-17 17:00:00");
  EXPECT_EQ(show(ceiling_time(at("2024-09-17 16:00"), BatchSize::kHour)), "2024-09-17 16:00:00");
  EXPECT_EQ(show(ceiling_time(t, BatchSize::kDay)), "2024-09-18 00:00:00");
  EXPECT_EQ(show(ceiling_time(at("2024-09-17"), BatchSize::kDay)), "2024-09-17 00:00:00");
  EXPECT_EQ(show(ceiling_time(t, BatchSize::kMonth)), "2024-10-01 00:00:00");
  EXPECT_EQ(show(ceiling_time(t, BatchSize::kYear)), "2025-01-01 00:00:00");
  EXPECT_EQ(batch_label(at("2024-09-17 16:00"), BatchSize::kHour), "2024-09-17T16");
  EXPECT_EQ(batch_label(at("2024-09-01"), BatchSize::kMonth), "2024-09");
}

Node microbatch_model(const std::string& batch_size, const std::string& begin, int lookback) {
  Node n;
  n.name = "events";
  n.original_file_path = "models/events.sql";
  n.resource_type = ResourceType::kModel;
  n.config.materialized = "incremental";
  n.config.incremental_strategy = "microbatch";
  n.config.extra = {
      {"event_time", "ts"}, {"batch_size", batch_size}, {"begin", begin}, {"lookback", lookback}};
  return n;
}

std::string windows(const Node& model, WindowRequest request) {
  std::string out;
  for (const BatchWindow& w : microbatch_windows(model, microbatch_spec(model), request)) {
    out.append(1, '[').append(show(w.start)).append(", ").append(show(w.end)).append(")\n");
  }
  return out;
}

TEST(Microbatch, WindowsFromBeginThenLookbackFromTheEnd) {
  Node days = microbatch_model("day", "2024-01-01", 1);
  WindowRequest first;
  first.now = at("2024-01-03 13:30");
  EXPECT_EQ(windows(days, first),
            "[2024-01-01 00:00:00, 2024-01-02 00:00:00)\n"
            "[2024-01-02 00:00:00, 2024-01-03 00:00:00)\n"
            "[2024-01-03 00:00:00, 2024-01-04 00:00:00)\n");
  WindowRequest next = first;
  next.incremental = true;
  next.now = at("2024-01-05 08:00");
  // The current batch and `lookback` before it.
  EXPECT_EQ(windows(days, next),
            "[2024-01-04 00:00:00, 2024-01-05 00:00:00)\n"
            "[2024-01-05 00:00:00, 2024-01-06 00:00:00)\n");
  next.event_time_end = at("2024-01-05");
  EXPECT_EQ(windows(days, next),
            "[2024-01-03 00:00:00, 2024-01-04 00:00:00)\n"
            "[2024-01-04 00:00:00, 2024-01-05 00:00:00)\n");
  next.event_time_start = at("2024-01-02 10:00");
  next.event_time_end = at("2024-01-03 10:00");
  EXPECT_EQ(windows(days, next),
            "[2024-01-02 00:00:00, 2024-01-03 00:00:00)\n"
            "[2024-01-03 00:00:00, 2024-01-04 00:00:00)\n");

  Node months = microbatch_model("month", "2023-11-20", 0);
  WindowRequest m;
  m.now = at("2024-01-10");
  EXPECT_EQ(windows(months, m),
            "[2023-11-01 00:00:00, 2023-12-01 00:00:00)\n"
            "[2023-12-01 00:00:00, 2024-01-01 00:00:00)\n"
            "[2024-01-01 00:00:00, 2024-02-01 00:00:00)\n");
  m.incremental = true;
  EXPECT_EQ(windows(months, m), "[2024-01-01 00:00:00, 2024-02-01 00:00:00)\n");

  WindowRequest empty;
  empty.now = at("2023-12-31");
  Node late = microbatch_model("year", "2024-06-01", 1);
  try {
    windows(late, empty);
    ADD_FAILURE() << "a begin after now built batches";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kUsage);
    EXPECT_NE(std::string(e.what()).find("models/events.sql"), std::string::npos) << e.what();
  }
}

TEST(Microbatch, ConfigErrorsNameTheModelAndTheFix) {
  auto message = [](Node n) {
    try {
      microbatch_spec(n);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  Node n = microbatch_model("day", "2024-01-01", 1);
  n.config.extra.erase("event_time");
  EXPECT_NE(message(n).find("model events (models/events.sql) needs event_time"), std::string::npos)
      << message(n);
  n = microbatch_model("week", "2024-01-01", 1);
  EXPECT_NE(message(n).find("batch_size 'hour', 'day', 'month' or 'year' (got 'week')"),
            std::string::npos)
      << message(n);
  n = microbatch_model("day", "soon", 1);
  EXPECT_NE(message(n).find("needs begin"), std::string::npos) << message(n);
  n = microbatch_model("day", "2024-01-01", -2);
  EXPECT_NE(message(n).find("lookback"), std::string::npos) << message(n);
}

}  // namespace
}  // namespace baliza::transform
