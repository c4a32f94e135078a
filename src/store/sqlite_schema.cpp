#include "store/sqlite_schema.h"

#include <iterator>
#include <string_view>

namespace rtcstream {

namespace {

// Append-only: never edit a migration that has shipped, add a new one instead.
// Keys use AUTOINCREMENT so that a key held in memory by the rooms stage can
// never name a different row after retention deletes the newest rows.
constexpr std::string_view kMigrations[] = {
    // Version 1: rooms, their peers, the peers' traces and delivered windows.
    R"sql(
CREATE TABLE rooms (
  room_key INTEGER PRIMARY KEY AUTOINCREMENT,
  project TEXT NOT NULL,
  room_id TEXT NOT NULL,
  start_ms INTEGER NOT NULL,
  end_ms INTEGER,
  window_start INTEGER,
  room_json TEXT
);
-- Open rooms are few and read once at start-up: a partial index keeps them
-- cheap to find without indexing every closed room.
CREATE INDEX rooms_open ON rooms (start_ms) WHERE end_ms IS NULL;
-- Ends with end_ms so that a window's rooms come out already in order.
CREATE INDEX rooms_project_window ON rooms (project, window_start, end_ms);
CREATE INDEX rooms_project_end ON rooms (project, end_ms);
-- Partial, so that open rooms (end_ms NULL) are found through rooms_open.
CREATE INDEX rooms_end ON rooms (end_ms) WHERE end_ms IS NOT NULL;
CREATE INDEX rooms_project_room ON rooms (project, room_id, start_ms);

CREATE TABLE peers (
  peer_key INTEGER PRIMARY KEY AUTOINCREMENT,
  room_key INTEGER NOT NULL REFERENCES rooms (room_key) ON DELETE CASCADE,
  session_id TEXT NOT NULL,
  peer_id TEXT NOT NULL,
  joined_ms INTEGER NOT NULL,
  remote_address TEXT NOT NULL,
  user_agent TEXT NOT NULL
);
CREATE INDEX peers_room ON peers (room_key);

-- data is zlib-compressed; raw_bytes is its uncompressed size, which both
-- sizes the output buffer and detects a damaged chunk.
CREATE TABLE trace_chunks (
  peer_key INTEGER NOT NULL REFERENCES peers (peer_key) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  raw_bytes INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (peer_key, seq)
);

CREATE TABLE delivered_windows (
  project TEXT NOT NULL,
  window_start INTEGER NOT NULL,
  window_end INTEGER NOT NULL,
  location TEXT NOT NULL,
  room_count INTEGER NOT NULL,
  size_bytes INTEGER NOT NULL,
  sha256_hex TEXT NOT NULL,
  delivered_ms INTEGER NOT NULL,
  PRIMARY KEY (project, window_start)
);
)sql",
    // Version 2: windows are sealed before delivery and keep their delivery state,
    // so that pending windows survive a restart and report why they are pending.
    R"sql(
CREATE TABLE stream_windows (
  project TEXT NOT NULL,
  window_start INTEGER NOT NULL,
  window_end INTEGER NOT NULL,
  sealed_ms INTEGER NOT NULL,
  delivered_ms INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  location TEXT NOT NULL DEFAULT '',
  etag TEXT NOT NULL DEFAULT '',
  room_count INTEGER NOT NULL DEFAULT 0,
  size_bytes INTEGER NOT NULL DEFAULT 0,
  sha256_hex TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (project, window_start)
);
CREATE INDEX stream_windows_pending ON stream_windows (window_start) WHERE delivered_ms IS NULL;
INSERT INTO stream_windows (project, window_start, window_end, sealed_ms, delivered_ms,
                            location, room_count, size_bytes, sha256_hex)
  SELECT project, window_start, window_end, delivered_ms, delivered_ms, location, room_count,
         size_bytes, sha256_hex FROM delivered_windows;
DROP TABLE delivered_windows;
)sql",
    // Version 3: where each peer connected from (GeoIP), looked up when it connected
    // so that the location survives a restart; NULL when unknown.
    R"sql(
ALTER TABLE peers ADD COLUMN city TEXT;
ALTER TABLE peers ADD COLUMN country TEXT;
ALTER TABLE peers ADD COLUMN organization TEXT;
)sql",
    // Version 4: each peer's time series, kept when its room closes (encoded by
    // series_codec.h, zlib-compressed; raw_bytes as in trace_chunks). Peers of
    // rooms closed earlier have no row: their series is recomputed from the trace.
    R"sql(
CREATE TABLE peer_series (
  peer_key INTEGER PRIMARY KEY REFERENCES peers (peer_key) ON DELETE CASCADE,
  samples INTEGER NOT NULL,
  raw_bytes INTEGER NOT NULL,
  data BLOB NOT NULL
);
-- Finds a room id's sessions that have a given peer.
CREATE INDEX peers_peer_id ON peers (peer_id);
)sql",
    // Version 5: finds the earlier peers of an SDK session, whose getstats
    // baselines a session returning after its room closed continues from.
    R"sql(
CREATE INDEX peers_session ON peers (session_id);
)sql",
};

Status SchemaError(sqlite3* db, const std::string& path, std::string_view op) {
  return Status::IOError("history database " + path + ": " + std::string(op) + ": " +
                         sqlite3_errmsg(db));
}

Status ReadUserVersion(sqlite3* db, const std::string& path, int* version) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  if (rc != SQLITE_ROW) {
    Status s = SchemaError(db, path, "read schema version");
    sqlite3_finalize(stmt);
    return s;
  }
  *version = sqlite3_column_int(stmt, 0);
  sqlite3_finalize(stmt);
  return Status::OK();
}

// Runs one migration and records the new version, all or nothing.
Status ApplyMigration(sqlite3* db, const std::string& path, int target) {
  const std::string op = "migrate schema to version " + std::to_string(target);
  // IMMEDIATE takes the write lock before reading the version, so two
  // processes opening a fresh file cannot both run the same migration.
  if (sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return SchemaError(db, path, op);
  }
  int version = 0;
  Status s = ReadUserVersion(db, path, &version);
  if (s.ok() && version == target - 1) {
    const std::string sql = std::string(kMigrations[target - 1]) +
                            "\nPRAGMA user_version = " + std::to_string(target) + ";";
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
      s = SchemaError(db, path, op);
    }
  }
  if (s.ok()) {
    if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
      s = SchemaError(db, path, op);
    }
  }
  if (!s.ok()) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  return s;
}

}  // namespace

int SqliteSchemaVersion() { return static_cast<int>(std::size(kMigrations)); }

Status MigrateSqliteSchema(sqlite3* db, const std::string& path) {
  int version = 0;
  Status s = ReadUserVersion(db, path, &version);
  if (!s.ok()) return s;
  const int latest = SqliteSchemaVersion();
  if (version < 0 || version > latest) {
    // A higher version was written by a newer rtcstream; a negative one by
    // something else entirely. Either way, reading it could misinterpret rows.
    return Status::IOError("history database " + path + " has schema version " +
                           std::to_string(version) + "; this build understands 0 to " +
                           std::to_string(latest));
  }
  for (int target = version + 1; target <= latest; ++target) {
    s = ApplyMigration(db, path, target);
    if (!s.ok()) return s;
  }
  return Status::OK();
}

}  // namespace rtcstream
