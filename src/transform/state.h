// State checksums for `state:modified` / `state:new`: a fingerprint of what a node would do,
// stored in a run's manifest and compared on the next run.
//
// The checksum covers the node's SQL rendered with neutral placeholders for refs/sources (in
// both is_incremental branches, so a change to either counts), with the project's vars applied,
// and its full config (sources: their yml definition; seeds: the CSV bytes). An unchanged
// project always gives identical checksums (no false positives); a change to a node's SQL, to a
// var it renders, or to its config gives a new one, and so does a change to the text of a
// macro it calls (directly or through other macros). Edits to other nodes or macros do not.
#pragma once

#include <map>
#include <string>

#include "transform/project.h"

namespace baliza::transform {

std::string state_checksum(const Node& node, const nlohmann::json& vars);

// unique_id -> state_checksum for every node of the project.
std::map<std::string, std::string> state_checksums(const Project& project);

}  // namespace baliza::transform
