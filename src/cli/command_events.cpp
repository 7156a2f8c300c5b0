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

void finish_events_on_error(Context& ctx, ops::CommandEvents& events, const Error& e) {
  if (std::string line = events.finish(static_cast<int>(e.code()), e.what()); !line.empty()) {
    ctx.say(line);
  }
}

}  // namespace baliza::cli
