#include "extract/claim_store.h"

namespace baliza::extract {

const char* task_end_status(TaskEnd end) {
  switch (end) {
    case TaskEnd::kDone:
      return "done";
    case TaskEnd::kFailed:
      return "failed";
    case TaskEnd::kPartial:
      return "partial";
    case TaskEnd::kReleased:
      return "pending";
  }
  return "pending";
}

}  // namespace baliza::extract
