// Schema migrations: the schemas and tables of DESIGN.md's data model (planning, runtime, raw,
// meta), versioned in meta.schema_migrations. Forward-only and idempotent: each pending
// migration runs in its own transaction, so a crash leaves the schema at a known version.
#pragma once

#include "db/database.h"

namespace baliza {

// The version a fully migrated database has.
int latest_schema_version();

// The version recorded in the database; 0 for a database Baliza never touched.
int current_schema_version(Connection& conn);

// Applies every pending migration; returns how many ran. A database newer than this binary
// is an environment error (upgrade baliza).
int apply_migrations(Connection& conn);

}  // namespace baliza
