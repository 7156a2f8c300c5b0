// Seeds: a CSV file checked strictly (seed_csv.h: a ragged row or an unclosed quote is an error
// with file:line), then loaded into a table with DuckDB's CSV reader in the same dialect
// (header row, `delimiter` config, types inferred; `column_types` from yml override the inferred
// type of those columns), built beside the old table and swapped in one transaction like a
// table model.
#pragma once

#include <string>

#include "transform/materialize.h"
#include "transform/project.h"

namespace baliza::transform {

// The seed's `delimiter` config (one character), ',' by default. Throws usage_error.
char seed_delimiter(const Node& seed);

// SELECT reading the CSV at `csv_path` with the seed's delimiter and declared column types.
std::string seed_select_sql(const Node& seed, const std::string& csv_path);

// Loads the seed. A project loaded from memory (embedded) has no file on disk: its CSV text is
// written to a temporary file first. Throws baliza::Error (exit 1) with DuckDB's message.
MaterializeResult load_seed(Connection& conn, const Project& project, const Node& seed);

}  // namespace baliza::transform
