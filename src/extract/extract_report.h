// The report of an extraction: the end-of-run summary a user reads, and the run log record
// (status, one-line message, per-endpoint details as JSON, metrics) its store keeps.
// Pure text and values, no I/O.
#pragma once

#include <string>

#include "extract/extract_totals.h"
#include "extract/extraction_store.h"

namespace baliza::extract {

// One line per endpoint and a total, then what needs attention.
std::string describe_extract_result(const ExtractResult& result);

// What meta.execution_log and meta.pipeline_metrics keep of the run.
RunEndWrite run_end_record(const ExtractResult& result);

}  // namespace baliza::extract
