// OpenLineage for the commands that extract without a transform project at hand (extract,
// retry-failed, worker): the project name their jobs are named after, the same as `run` uses,
// so that `<project>.extract.<endpoint>` is one job whichever command extracted it.
#pragma once

#include <string>

namespace baliza::cli {

// The name of the project the current folder works on (project_locator.h): its baliza.yml or
// dbt_project.yml `name`, else the built-in project's ("pncp").
std::string events_project_name();

}  // namespace baliza::cli
