// OpenLineage for the commands that extract without a transform project at hand (extract,
// retry-failed, worker, verify, pull): the project name their jobs are named after, the same as
// `run` uses, so that `<project>.extract.<endpoint>` is one job whichever command extracted it;
// and how such a command ends its events when it stops on an error.
#pragma once

#include <string>

#include "cli/context.h"
#include "core/error.h"
#include "ops/openlineage_setup.h"

namespace baliza::cli {

// The command stopped on `e`: its run ends FAIL with the message (exit code e.code()), and the
// events line (sent / lost) is said. The caller rethrows.
void finish_events_on_error(Context& ctx, ops::CommandEvents& events, const Error& e);

// The name of the project the current folder works on (project_locator.h): its baliza.yml or
// dbt_project.yml `name`, else the built-in project's ("pncp").
std::string events_project_name();

}  // namespace baliza::cli
