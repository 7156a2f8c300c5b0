// Seeds: a CSV file loaded into a table with DuckDB's CSV reader (header row, types inferred;
// `column_types` from yml override the inferred type of those columns), built beside the old
// table and swapped in one transaction like a table model.
#pragma once

#include <string>

#include "transform/materialize.h"
#include "transform/project.h"

namespace baliza::transform {

// SELECT reading the CSV at `csv_path` with the seed's declared column types.
std::string seed_select_sql(const Node& seed, const std::string& csv_path);

// Loads the seed. A project loaded from memory (embedded) has no file on disk: its CSV text is
// written to a temporary file first. Throws baliza::Error (exit 1) with DuckDB's message.
MaterializeResult load_seed(Connection& conn, const Project& project, const Node& seed);

}  // namespace baliza::transform
