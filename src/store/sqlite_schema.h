// The SQLite history's schema and its migrations.
//
// The schema version lives in `PRAGMA user_version`. Each migration moves the
// database from version i to i + 1, so a history written by an older build is
// upgraded in place and one written by a newer build is refused rather than
// misread.
#pragma once

#include <sqlite3.h>

#include <string>

#include "common/status.h"

namespace rtcstream {

// The schema version this build creates and understands.
int SqliteSchemaVersion();

// Brings the database to SqliteSchemaVersion(), each migration in its own
// transaction. `path` only names the database in error messages.
Status MigrateSqliteSchema(sqlite3* db, const std::string& path);

}  // namespace rtcstream
