// dbt Python models (`models/**/*.py` defining `def model(dbt, session)`), which dbt-duckdb
// runs in-process. Baliza has no Python runtime: a Python model is a node of the project (so
// parse, ls, compile, docs and the DAG see it, and refs to it resolve), whose run fails with a
// clear error and whose children are skipped, as after any failed model.
//
// python_model_template turns the Python source into a template the rest of the engine
// understands, line for line (so positions point into the .py file):
//   - every dbt.ref('name') / dbt.ref('package', 'name') and dbt.source('src', 'table') call
//     becomes a ref()/source() on the same line, inside a block that never renders: the
//     dependencies are the Python model's;
//   - dbt.config(materialized='...') becomes config(materialized=...) (default 'table', as
//     dbt's for Python models);
//   - its SQL is `select error('<file> is a dbt Python model: ...')`: compiling never fails
//     (lineage, parse, docs see one column), building fails on this model only, with that
//     message (DuckDB raises it when the statement runs).
// The calls are found textually (string literals as arguments, as dbt's own parser requires).
#pragma once

#include <string>

namespace baliza::transform {

bool is_python_model_path(const std::string& path);

// The template text standing for the Python model `source` of `file` (see above).
std::string python_model_template(const std::string& source, const std::string& file);

}  // namespace baliza::transform
