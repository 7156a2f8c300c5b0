// Applies Options::schema_changes to a freshly built record: from a given publication day on,
// a field is renamed, added or changes type, as happens when PNCP evolves its DTOs.
#pragma once

#include <nlohmann/json.hpp>

#include "pncp_sim/options.h"
#include "universe.h"

namespace pncp_sim::detail {

// The record family an endpoint path serves, or nullopt when the path is unknown.
std::optional<Family> family_of_path(std::string_view path);

void apply_schema_changes(const Options& options, Family family, int day, nlohmann::json& record);

}  // namespace pncp_sim::detail
