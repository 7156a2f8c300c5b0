#include "extract/extract_totals.h"

namespace baliza::extract {

void EndpointTotals::add(const EndpointTotals& o) {
  tasks_done += o.tasks_done;
  tasks_failed += o.tasks_failed;
  tasks_partial += o.tasks_partial;
  tasks_released += o.tasks_released;
  pages += o.pages;
  records += o.records;
  bytes += o.bytes;
  bytes_compressed += o.bytes_compressed;
  failures += o.failures;
  shifts += o.shifts;
  drift += o.drift;
}

EndpointTotals ExtractResult::total() const {
  EndpointTotals t;
  for (const auto& [name, e] : endpoints) t.add(e);
  return t;
}

int ExtractResult::exit_code() const {
  if (!environment_error.empty()) return 3;  // ExitCode::kEnvironment
  if (interrupted) return 130;
  const EndpointTotals t = total();
  return t.tasks_failed > 0 || t.tasks_partial > 0 || writer_failures > 0 ? 1 : 0;
}

}  // namespace baliza::extract
