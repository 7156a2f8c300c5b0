// The words kept for a failed page: what meta.failed_requests, the log and task_plan.last_error
// say. Pure text, no I/O.
#pragma once

#include <string>

#include "extract/fetch_engine.h"

namespace baliza::extract {

// The API's "message" (PNCP error bodies are JSON), else an HTML page's <title>, else the start
// of the body (one line, at most 200 characters), else the transport error. A 3xx that was not
// followed, or a 2xx that is not a page (invalid/truncated JSON, an HTML error page with status
// 200), gives the engine's reason (where the redirect pointed; what is wrong with the body),
// with the HTML page's title when there is one.
std::string failure_message(const PageOutcome& outcome);

}  // namespace baliza::extract
