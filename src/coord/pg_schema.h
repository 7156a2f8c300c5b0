// The coordinator's tables in PostgreSQL (schema `baliza`): the task plan and its claims, the
// workers, and everything an extraction writes (payloads content-addressed, requests, results,
// failures, shifts, circuit events, schema versions, run log).
//
// Every row that `baliza pull` copies carries `xid` = the id of the transaction that last
// wrote it (pg_current_xact_id()); pull copies the rows whose xid lies between its previous
// watermark and the current snapshot's xmin, so a row committed late is never skipped
// (pull.h). Updates set xid again so changed rows are copied again.
//
// ensure_coordinator_schema() is idempotent and safe when many workers start at once (an
// advisory lock serialises the DDL). Throws PgConnectionLost / environment errors
// (pg_connection.h), e.g. when the user may not create the schema. A schema of an older version
// (a coordinator made by an older baliza) is upgraded in place; a schema newer than this
// binary knows is refused with an environment error (exit 3) naming the upgrade.
#pragma once

#include "coord/pg_connection.h"

namespace baliza::coord {

void ensure_coordinator_schema(PgConnection& conn);

}  // namespace baliza::coord
