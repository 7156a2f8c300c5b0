// DuckDB error messages for people: without the SQL the db layer appends, and with the
// location in the project file (DuckDB's "LINE n:" minus the lines compilation inserted).
#pragma once

#include <exception>
#include <string>

#include "transform/node.h"

namespace baliza::transform {

std::string duckdb_message(const std::exception& e);

// "models/x.sql:3" when `message` has a LINE inside the node's own SQL, else the file.
std::string error_location(const Node& node, const std::string& message, int prefix_lines);

}  // namespace baliza::transform
