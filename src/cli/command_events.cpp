#include "cli/command_events.h"

#include "cli/project_locator.h"
#include "transform/project.h"

namespace baliza::cli {

std::string events_project_name() {
  try {
    if (auto dir = locate_project("")) {
      std::string name = transform::read_project_settings(*dir).name;
      if (!name.empty()) return name;
    }
  } catch (const std::exception&) {
    // A project file that does not read is reported by the commands that build it; the events
    // of an extraction then carry the built-in project's name.
  }
  return "pncp";
}

}  // namespace baliza::cli
