// Microbatch incremental models (dbt's incremental_strategy='microbatch').
//
// Config of the model: event_time (its time column), batch_size (hour | day | month | year),
// begin (the first instant to build), lookback (batches before the current one to build again
// on an incremental run; default 1), concurrent_batches (accepted; batches run one after the
// other: DuckDB has one writer per table).
//
// Which batches (dbt's rules, times in UTC):
//   end    ceiling(--event-time-end, else now)
//   start  truncate(--event-time-start) when given; else truncate(begin) when the table does
//          not exist yet or --full-refresh; else end - (lookback + 1) batches
//   then one [start, end) window per batch_size from start until end.
// Each batch renders the model with every ref()/source() of a node that declares event_time
// (its config) read as that window: (select * from <relation> where <event_time> >= start and
// <event_time> < end). The first batch of a build from scratch creates the table (CREATE OR
// REPLACE: --full-refresh replaces the old one only if it succeeds); every other batch, in one
// transaction, deletes the target's rows of its window (the model's event_time) and inserts
// its rows. A failing batch is rolled back and reported; the others still run (except after a
// failing first batch of a build from scratch: there is no table to add to).
// Errors: bad config -> usage_error naming the model's file and the fix.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "transform/batch_time.h"
#include "transform/materialize.h"
#include "transform/node.h"

namespace baliza::transform {

struct MicrobatchSpec {
  std::string event_time;
  BatchSize batch_size = BatchSize::kDay;
  UtcTime begin;
  int lookback = 1;
};

// True when the model's incremental_strategy is microbatch.
bool is_microbatch(const Node& node);
// The model's microbatch config, checked. Throws usage_error ("model events
// (models/events.sql): ...; add ...").
MicrobatchSpec microbatch_spec(const Node& model);

// A node's event_time config (empty when it has none): refs to it are filtered per batch.
std::string event_time_of(const Node& node);

struct BatchWindow {
  UtcTime start;
  UtcTime end;
};

struct WindowRequest {
  bool incremental = false;  // the table exists and no --full-refresh
  std::optional<UtcTime> event_time_start;
  std::optional<UtcTime> event_time_end;
  UtcTime now;
};

// The batches to build, in time order. Throws usage_error when start is not before end.
std::vector<BatchWindow> microbatch_windows(const Node& model, const MicrobatchSpec& spec,
                                            const WindowRequest& request);

// `relation` read as `window` on `event_time`.
std::string event_time_subquery(const std::string& relation, const std::string& event_time,
                                const BatchWindow& window);

struct BatchOutcome {
  BatchWindow window;
  bool ok = false;
  std::int64_t rows = 0;  // rows inserted
  std::string error;      // when !ok
  std::string sql;        // the batch's compiled SQL
};

// Renders the model for one batch (`is_incremental`: the table exists when it runs).
using BatchRenderer = std::function<std::string(const BatchWindow&, bool is_incremental)>;
// Called before and after each batch (index from 0), for progress lines.
using BatchObserver = std::function<void(std::size_t index, const BatchOutcome* done)>;

// Builds the batches into schema.name (`table_exists`: build incrementally from the first).
std::vector<BatchOutcome> build_microbatch(Connection& conn, const std::string& schema,
                                           const std::string& name, const MicrobatchSpec& spec,
                                           const std::vector<BatchWindow>& windows,
                                           bool table_exists, const BatchRenderer& render,
                                           const BatchObserver& observe, RelationCatalog* catalog);

}  // namespace baliza::transform
