#include "store/sqlite_store.h"

#include <unordered_map>
#include <utility>

#include "common/log.h"
#include "store/series_codec.h"
#include "store/sqlite_schema.h"
#include "store/trace_codec.h"

namespace rtcstream {

namespace {

// How long a statement waits for another process's lock before failing. Long
// enough to ride out a backup or a manual query, short enough that a stuck
// lock surfaces as an error instead of a silent stall.
constexpr int kBusyTimeoutMs = 5000;

constexpr char kInsertRoom[] = "INSERT INTO rooms (project, room_id, start_ms) VALUES (?1, ?2, ?3)";
// Inserting through a SELECT on the open room checks that the room exists and
// is open in the same statement, so no other writer can close it in between.
constexpr char kInsertPeer[] =
    "INSERT INTO peers (room_key, session_id, peer_id, joined_ms, remote_address, user_agent, "
    "city, country, organization) "
    "SELECT room_key, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 FROM rooms "
    "WHERE room_key = ?1 AND end_ms IS NULL";
constexpr char kRoomIsOpen[] = "SELECT end_ms IS NULL FROM rooms WHERE room_key = ?1";
constexpr char kPeerExists[] = "SELECT 1 FROM peers WHERE peer_key = ?1";
// The next sequence number is computed inside the INSERT, so concurrent
// appenders (even from another process) can never reuse one.
constexpr char kInsertChunk[] =
    "INSERT INTO trace_chunks (peer_key, seq, raw_bytes, data) VALUES "
    "(?1, (SELECT COALESCE(MAX(seq) + 1, 0) FROM trace_chunks WHERE peer_key = ?1), ?2, ?3)";
constexpr char kSelectChunks[] =
    "SELECT seq, raw_bytes, data FROM trace_chunks WHERE peer_key = ?1 ORDER BY seq";
constexpr char kChunkStats[] =
    "SELECT COUNT(*), COALESCE(MAX(seq), -1), COALESCE(SUM(LENGTH(data)), 0) FROM trace_chunks "
    "WHERE peer_key = ?1";
constexpr char kDeleteChunks[] = "DELETE FROM trace_chunks WHERE peer_key = ?1";
constexpr char kInsertFirstChunk[] =
    "INSERT INTO trace_chunks (peer_key, seq, raw_bytes, data) VALUES (?1, 0, ?2, ?3)";
constexpr char kCloseRoom[] =
    "UPDATE rooms SET end_ms = ?2, room_json = ?3, window_start = ?4 "
    "WHERE room_key = ?1 AND end_ms IS NULL";
constexpr char kSelectOpenRooms[] =
    "SELECT room_key, project, room_id, start_ms FROM rooms WHERE end_ms IS NULL "
    "ORDER BY start_ms, room_key";
// CROSS JOIN fixes the join order: start from the few open rooms (rooms_open)
// rather than scanning every peer ever stored.
constexpr char kSelectOpenPeers[] =
    "SELECT p.peer_key, p.room_key, p.session_id, p.peer_id, p.joined_ms, p.remote_address, "
    "p.user_agent, p.city, p.country, p.organization "
    "FROM rooms r CROSS JOIN peers p ON p.room_key = r.room_key "
    "WHERE r.end_ms IS NULL ORDER BY p.peer_key";
constexpr char kSelectWindow[] =
    "SELECT room_json FROM rooms WHERE project = ?1 AND window_start = ?2 "
    "AND room_json IS NOT NULL ORDER BY end_ms, room_key";
constexpr char kSelectWindowPage[] =
    "SELECT room_json, end_ms, room_key FROM rooms WHERE project = ?1 AND window_start = ?2 "
    "AND room_json IS NOT NULL AND (end_ms, room_key) > (?3, ?4) ORDER BY end_ms, room_key "
    "LIMIT ?5";
constexpr char kSelectEndedInProject[] =
    "SELECT room_json FROM rooms WHERE project = ?1 AND end_ms >= ?2 AND end_ms < ?3 "
    "AND room_json IS NOT NULL ORDER BY end_ms, room_key";
constexpr char kSelectEndedAll[] =
    "SELECT room_json FROM rooms WHERE end_ms >= ?1 AND end_ms < ?2 "
    "AND room_json IS NOT NULL ORDER BY end_ms, room_key";
constexpr char kSelectSessions[] =
    "SELECT room_json FROM rooms WHERE project = ?1 AND room_id = ?2 "
    "AND room_json IS NOT NULL ORDER BY start_ms, room_key";
constexpr char kLastClosedPeerOfSession[] =
    "SELECT p.peer_key FROM peers p JOIN rooms r ON r.room_key = p.room_key "
    "WHERE p.session_id = ?2 AND r.project = ?1 AND r.end_ms IS NOT NULL "
    "ORDER BY p.peer_key DESC LIMIT 1";
constexpr char kUpsertSeries[] =
    "INSERT INTO peer_series (peer_key, samples, raw_bytes, data) "
    "SELECT peer_key, ?2, ?3, ?4 FROM peers WHERE peer_key = ?1 "
    "ON CONFLICT (peer_key) DO UPDATE SET samples = excluded.samples, "
    "raw_bytes = excluded.raw_bytes, data = excluded.data";
constexpr char kSelectPeerSeries[] =
    "SELECT p.peer_key, s.raw_bytes, s.data FROM rooms r "
    "JOIN peers p ON p.room_key = r.room_key LEFT JOIN peer_series s ON s.peer_key = p.peer_key "
    "WHERE r.project = ?1 AND r.room_id = ?2 AND r.room_json IS NOT NULL AND p.peer_id = ?3 "
    "ORDER BY r.start_ms DESC, r.room_key DESC, p.joined_ms DESC, p.peer_key DESC LIMIT 1";
constexpr char kSealWindow[] =
    "INSERT INTO stream_windows (project, window_start, window_end, sealed_ms) "
    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (project, window_start) DO NOTHING";
constexpr char kLastSealedEnd[] = "SELECT MAX(window_end) FROM stream_windows WHERE project = ?1";
constexpr char kPendingInProject[] =
    "SELECT project, window_start, window_end, sealed_ms, delivered_ms, attempts, last_error, "
    "location, etag, room_count, size_bytes, sha256_hex FROM stream_windows "
    "WHERE delivered_ms IS NULL AND project = ?1 ORDER BY window_start";
constexpr char kPendingAll[] =
    "SELECT project, window_start, window_end, sealed_ms, delivered_ms, attempts, last_error, "
    "location, etag, room_count, size_bytes, sha256_hex FROM stream_windows "
    "WHERE delivered_ms IS NULL ORDER BY project, window_start";
constexpr char kRecentWindows[] =
    "SELECT project, window_start, window_end, sealed_ms, delivered_ms, attempts, last_error, "
    "location, etag, room_count, size_bytes, sha256_hex FROM stream_windows "
    "WHERE project = ?1 ORDER BY window_start DESC LIMIT ?2";
constexpr char kWindowFailure[] =
    "UPDATE stream_windows SET attempts = attempts + 1, last_error = ?3 "
    "WHERE project = ?1 AND window_start = ?2";
constexpr char kWindowDelivered[] =
    "UPDATE stream_windows SET delivered_ms = ?3, location = ?4, etag = ?5, room_count = ?6, "
    "size_bytes = ?7, sha256_hex = ?8, last_error = '' WHERE project = ?1 AND window_start = ?2";

// Runs a PRAGMA or other statement whose result rows do not matter.
Status ExecOnOpen(sqlite3* db, const std::string& path, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return Status::IOError("cannot open history database " + path + ": " + sql + ": " +
                           sqlite3_errmsg(db));
  }
  return Status::OK();
}

// Switches to WAL and reports the journal mode SQLite actually chose: it
// keeps "memory" for in-memory databases and may refuse WAL on some file
// systems, which is worth a warning but not a failure.
Status EnableWal(sqlite3* db, const std::string& path) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &stmt, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  if (rc != SQLITE_ROW) {
    Status s = Status::IOError("cannot open history database " + path +
                               ": PRAGMA journal_mode=WAL: " + sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
    return s;
  }
  const auto* mode = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  const std::string chosen = mode != nullptr ? mode : "";
  sqlite3_finalize(stmt);
  if (chosen != "wal") {
    LogWarn("history database is not in WAL mode; readers will block writers",
            {{"path", path}, {"journal_mode", chosen}});
  }
  return Status::OK();
}

// Unknown (nullopt) is stored as NULL, not as an empty string.
void BindOptionalText(ScopedStatement* stmt, int index, const std::optional<std::string>& value) {
  if (value) {
    stmt->BindText(index, *value);
  } else {
    stmt->BindNull(index);
  }
}

std::optional<std::string> OptionalColumnText(const ScopedStatement& stmt, int index) {
  if (stmt.ColumnIsNull(index)) return std::nullopt;
  return std::string(stmt.ColumnText(index));
}

}  // namespace

Status SqliteStore::Open(const std::string& path, std::unique_ptr<SqliteStore>* store) {
  sqlite3* db = nullptr;
  // NOMUTEX: the store serialises every use of the connection with its own
  // mutex, so SQLite's per-call locking would only add cost.
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    // sqlite3_open_v2 allocates a handle even on failure, to carry the message.
    Status s = Status::IOError("cannot open history database " + path + ": " +
                               (db != nullptr ? sqlite3_errmsg(db) : "out of memory"));
    sqlite3_close_v2(db);
    return s;
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  // The first statement reads the file header, so a file that is not a
  // database fails here with "file is not a database".
  Status s = EnableWal(db, path);
  if (s.ok()) s = ExecOnOpen(db, path, "PRAGMA synchronous=NORMAL");
  if (s.ok()) s = ExecOnOpen(db, path, "PRAGMA foreign_keys=ON");
  if (s.ok()) s = MigrateSqliteSchema(db, path);
  if (!s.ok()) {
    sqlite3_close_v2(db);
    return s;
  }
  store->reset(new SqliteStore(db, path));
  return Status::OK();
}

Status OpenSqliteStore(const std::string& path, std::unique_ptr<HistoryStore>* store) {
  std::unique_ptr<SqliteStore> sqlite;
  Status s = SqliteStore::Open(path, &sqlite);
  if (s.ok()) *store = std::move(sqlite);
  return s;
}

SqliteStore::SqliteStore(sqlite3* db, std::string path)
    : db_(db), path_(std::move(path)), statements_(db) {}

SqliteStore::~SqliteStore() {
  // close_v2 defers the close until statements_ (destroyed after this body)
  // has finalized the cached statements.
  sqlite3_close_v2(db_);
}

ScopedStatement SqliteStore::Prepare(const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = statements_.Get(sql, &stmt);
  return ScopedStatement(stmt, rc);
}

Status SqliteStore::Error(std::string_view op) const {
  std::string msg =
      "history database " + path_ + ": " + std::string(op) + ": " + sqlite3_errmsg(db_);
  switch (sqlite3_extended_errcode(db_)) {
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      // Only a row that names an unknown room or peer can break a foreign key.
      return Status::NotFound(std::move(msg));
    default:
      break;
  }
  switch (sqlite3_errcode(db_)) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corruption(std::move(msg));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(std::move(msg));
    case SQLITE_CONSTRAINT:
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
      return Status::InvalidArgument(std::move(msg));
    default:
      return Status::IOError(std::move(msg));
  }
}

Status SqliteStore::Exec(const char* sql, std::string_view op) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return Error(op);
  return Status::OK();
}

void SqliteStore::EndRead() {
  // A read transaction has nothing to commit; ending it releases its snapshot
  // so that checkpoints can proceed. ROLLBACK is the fallback that cannot
  // leave the connection inside a transaction.
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK &&
      sqlite3_get_autocommit(db_) == 0) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

Status SqliteStore::RoomNotOpen(int64_t room_key, std::string_view op) {
  ScopedStatement stmt = Prepare(kRoomIsOpen);
  stmt.BindInt64(1, room_key);
  const int rc = stmt.Step();
  const std::string what = std::string(op) + ": room " + std::to_string(room_key);
  if (rc == SQLITE_DONE) return Status::NotFound(what + " does not exist");
  if (rc != SQLITE_ROW) return Error(what);
  if (stmt.ColumnInt64(0) == 0) return Status::InvalidArgument(what + " is already closed");
  // Open after all: another process reopened it between the two statements,
  // which the collector never does.
  return Status::Internal(what + " changed while being updated");
}

Status SqliteStore::CreateRoom(std::string_view project, std::string_view room_id, EpochMs start_ms,
                               int64_t* room_key) {
  std::lock_guard<std::mutex> lock(mu_);
  ScopedStatement stmt = Prepare(kInsertRoom);
  stmt.BindText(1, project);
  stmt.BindText(2, room_id);
  stmt.BindInt64(3, start_ms);
  if (stmt.Step() != SQLITE_DONE) return Error("create room");
  *room_key = sqlite3_last_insert_rowid(db_);
  return Status::OK();
}

Status SqliteStore::AddPeer(int64_t room_key, const StoredPeerInfo& info, int64_t* peer_key) {
  std::lock_guard<std::mutex> lock(mu_);
  {
    ScopedStatement stmt = Prepare(kInsertPeer);
    stmt.BindInt64(1, room_key);
    stmt.BindText(2, info.session_id);
    stmt.BindText(3, info.peer_id);
    stmt.BindInt64(4, info.joined_ms);
    stmt.BindText(5, info.remote_address);
    stmt.BindText(6, info.user_agent);
    BindOptionalText(&stmt, 7, info.location.city);
    BindOptionalText(&stmt, 8, info.location.country);
    BindOptionalText(&stmt, 9, info.location.organization);
    if (stmt.Step() != SQLITE_DONE) {
      return Error("add peer to room " + std::to_string(room_key));
    }
  }
  if (sqlite3_changes(db_) == 0) return RoomNotOpen(room_key, "add peer");
  *peer_key = sqlite3_last_insert_rowid(db_);
  return Status::OK();
}

Status SqliteStore::AppendTrace(int64_t peer_key, std::string_view lines) {
  if (lines.empty()) return Status::OK();
  // Compress outside the lock: it is the expensive part and touches no shared state.
  TraceChunk chunk;
  chunk.raw_bytes = static_cast<int64_t>(lines.size());
  Status s = CompressTraceChunk(lines, &chunk.compressed);
  if (!s.ok()) return s;
  return AppendTraceChunk(peer_key, chunk);
}

Status SqliteStore::AppendTraceChunk(int64_t peer_key, const TraceChunk& chunk) {
  if (chunk.raw_bytes == 0) return Status::OK();
  std::lock_guard<std::mutex> lock(mu_);
  ScopedStatement stmt = Prepare(kInsertChunk);
  stmt.BindInt64(1, peer_key);
  stmt.BindInt64(2, chunk.raw_bytes);
  stmt.BindBlob(3, chunk.compressed);
  if (stmt.Step() != SQLITE_DONE) {
    return Error("append trace of peer " + std::to_string(peer_key));
  }
  return Status::OK();
}

Status SqliteStore::AppendTraces(const std::vector<TraceAppend>& batch) {
  // Compress outside the lock, like AppendTrace.
  std::vector<std::string> compressed(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    Status s = CompressTraceChunk(batch[i].lines, &compressed[i]);
    if (!s.ok()) return s;
  }
  const std::string op = "append traces of " + std::to_string(batch.size()) + " peers";
  std::lock_guard<std::mutex> lock(mu_);
  Status s = Exec("BEGIN IMMEDIATE", op);
  if (!s.ok()) return s;
  for (size_t i = 0; s.ok() && i < batch.size(); ++i) {
    if (batch[i].lines.empty()) continue;
    ScopedStatement stmt = Prepare(kInsertChunk);
    stmt.BindInt64(1, batch[i].peer_key);
    stmt.BindInt64(2, static_cast<int64_t>(batch[i].lines.size()));
    stmt.BindBlob(3, compressed[i]);
    if (stmt.Step() != SQLITE_DONE) s = Error(op);
  }
  if (s.ok()) s = Exec("COMMIT", op);
  if (!s.ok()) Exec("ROLLBACK", op);
  return s;
}

Status SqliteStore::ReadTrace(int64_t peer_key, std::string* lines) {
  lines->clear();
  const std::string op = "read trace of peer " + std::to_string(peer_key);
  std::lock_guard<std::mutex> lock(mu_);
  // One read transaction so that the existence check and the chunks agree.
  Status s = Exec("BEGIN", op);
  if (!s.ok()) return s;
  {
    ScopedStatement exists = Prepare(kPeerExists);
    exists.BindInt64(1, peer_key);
    const int rc = exists.Step();
    if (rc == SQLITE_DONE) {
      s = Status::NotFound(op + ": no such peer");
    } else if (rc != SQLITE_ROW) {
      s = Error(op);
    }
  }
  if (s.ok()) {
    ScopedStatement stmt = Prepare(kSelectChunks);
    stmt.BindInt64(1, peer_key);
    int64_t expected_seq = 0;
    int rc = SQLITE_DONE;
    while (s.ok() && (rc = stmt.Step()) == SQLITE_ROW) {
      const int64_t seq = stmt.ColumnInt64(0);
      // Appends number chunks 0, 1, 2, ...; a gap means a chunk was lost.
      if (seq != expected_seq) {
        s = Status::Corruption(op + ": chunk " + std::to_string(expected_seq) + " is missing");
      } else if (stmt.ColumnIsNull(1) || stmt.ColumnIsNull(2)) {
        s = Status::Corruption(op + ": chunk " + std::to_string(seq) + ": size or data is null");
      } else {
        s = DecompressTraceChunk(stmt.ColumnBlob(2), stmt.ColumnInt64(1), lines);
        if (!s.ok()) {
          s = Status::Corruption(op + ": chunk " + std::to_string(seq) + ": " + s.message());
        }
      }
      ++expected_seq;
    }
    if (s.ok() && rc != SQLITE_DONE) s = Error(op);
  }
  EndRead();
  if (!s.ok()) lines->clear();
  return s;
}

Status SqliteStore::ChunkStats(int64_t peer_key, int64_t* count, int64_t* max_seq,
                               int64_t* stored_bytes) {
  ScopedStatement stmt = Prepare(kChunkStats);
  stmt.BindInt64(1, peer_key);
  if (stmt.Step() != SQLITE_ROW)
    return Error("count trace chunks of peer " + std::to_string(peer_key));
  *count = stmt.ColumnInt64(0);
  *max_seq = stmt.ColumnInt64(1);
  *stored_bytes = stmt.ColumnInt64(2);
  return Status::OK();
}

Status SqliteStore::CompactTrace(int64_t peer_key, CompactionResult* result) {
  *result = CompactionResult();
  const std::string op = "compact trace of peer " + std::to_string(peer_key);
  int64_t count = 0, max_seq = 0, stored = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Status s = ChunkStats(peer_key, &count, &max_seq, &stored);
    if (!s.ok()) return s;
  }
  result->chunks_before = count;
  result->stored_bytes_before = stored;
  result->stored_bytes_after = stored;
  if (count <= 1) return Status::OK();

  // Read and compress outside the write transaction: it is the slow part, and the
  // journal must not wait for it.
  std::string lines;
  Status s = ReadTrace(peer_key, &lines);
  std::string compressed;
  if (s.ok()) s = CompressTraceChunk(lines, &compressed);
  if (!s.ok()) return s;

  std::lock_guard<std::mutex> lock(mu_);
  s = Exec("BEGIN IMMEDIATE", op);
  if (!s.ok()) return s;
  // The swap is only right if nothing was appended since the read.
  int64_t count_now = 0, max_seq_now = 0, stored_now = 0;
  s = ChunkStats(peer_key, &count_now, &max_seq_now, &stored_now);
  if (s.ok() && (count_now != count || max_seq_now != max_seq)) {
    s = Status::Unavailable(op + ": the trace changed while being compacted");
  }
  if (s.ok()) {
    ScopedStatement del = Prepare(kDeleteChunks);
    del.BindInt64(1, peer_key);
    if (del.Step() != SQLITE_DONE) s = Error(op);
  }
  if (s.ok()) {
    ScopedStatement insert = Prepare(kInsertFirstChunk);
    insert.BindInt64(1, peer_key);
    insert.BindInt64(2, static_cast<int64_t>(lines.size()));
    insert.BindBlob(3, compressed);
    if (insert.Step() != SQLITE_DONE) s = Error(op);
  }
  if (s.ok()) s = Exec("COMMIT", op);
  if (!s.ok()) {
    Exec("ROLLBACK", op);
    return s;
  }
  result->stored_bytes_after = static_cast<int64_t>(compressed.size());
  return Status::OK();
}

Status SqliteStore::CloseRoom(int64_t room_key, EpochMs end_ms, std::string_view room_json,
                              EpochMs window_start) {
  std::lock_guard<std::mutex> lock(mu_);
  {
    ScopedStatement stmt = Prepare(kCloseRoom);
    stmt.BindInt64(1, room_key);
    stmt.BindInt64(2, end_ms);
    stmt.BindText(3, room_json);
    stmt.BindInt64(4, window_start);
    if (stmt.Step() != SQLITE_DONE) return Error("close room " + std::to_string(room_key));
  }
  if (sqlite3_changes(db_) == 0) return RoomNotOpen(room_key, "close room");
  return Status::OK();
}

Status SqliteStore::ListOpenRooms(std::vector<OpenRoom>* rooms) {
  rooms->clear();
  const std::string op = "list open rooms";
  std::lock_guard<std::mutex> lock(mu_);
  // One read transaction so that the peers belong to exactly the rooms listed.
  Status s = Exec("BEGIN", op);
  if (!s.ok()) return s;
  std::unordered_map<int64_t, size_t> index_of;
  {
    ScopedStatement stmt = Prepare(kSelectOpenRooms);
    int rc;
    while ((rc = stmt.Step()) == SQLITE_ROW) {
      OpenRoom room;
      room.room_key = stmt.ColumnInt64(0);
      room.project = stmt.ColumnText(1);
      room.room_id = stmt.ColumnText(2);
      room.start_ms = stmt.ColumnInt64(3);
      index_of.emplace(room.room_key, rooms->size());
      rooms->push_back(std::move(room));
    }
    if (rc != SQLITE_DONE) s = Error(op);
  }
  if (s.ok()) {
    ScopedStatement stmt = Prepare(kSelectOpenPeers);
    int rc;
    while ((rc = stmt.Step()) == SQLITE_ROW) {
      auto it = index_of.find(stmt.ColumnInt64(1));
      if (it == index_of.end()) continue;  // cannot happen inside one transaction
      StoredPeer peer;
      peer.peer_key = stmt.ColumnInt64(0);
      peer.info.session_id = stmt.ColumnText(2);
      peer.info.peer_id = stmt.ColumnText(3);
      peer.info.joined_ms = stmt.ColumnInt64(4);
      peer.info.remote_address = stmt.ColumnText(5);
      peer.info.user_agent = stmt.ColumnText(6);
      peer.info.location.city = OptionalColumnText(stmt, 7);
      peer.info.location.country = OptionalColumnText(stmt, 8);
      peer.info.location.organization = OptionalColumnText(stmt, 9);
      (*rooms)[it->second].peers.push_back(std::move(peer));
    }
    if (rc != SQLITE_DONE) s = Error(op);
  }
  EndRead();
  if (!s.ok()) rooms->clear();
  return s;
}

Status SqliteStore::CollectJsons(ScopedStatement* stmt, std::string_view op,
                                 std::vector<std::string>* room_jsons) const {
  room_jsons->clear();
  int rc;
  while ((rc = stmt->Step()) == SQLITE_ROW) room_jsons->emplace_back(stmt->ColumnText(0));
  if (rc != SQLITE_DONE) {
    room_jsons->clear();
    return Error(op);
  }
  return Status::OK();
}

Status SqliteStore::RoomsInWindowPage(std::string_view project, EpochMs window_start, size_t limit,
                                      WindowCursor* cursor, std::vector<std::string>* room_jsons) {
  room_jsons->clear();
  if (cursor->done) return Status::OK();
  std::lock_guard<std::mutex> lock(mu_);
  ScopedStatement stmt = Prepare(kSelectWindowPage);
  stmt.BindText(1, project);
  stmt.BindInt64(2, window_start);
  stmt.BindInt64(3, cursor->end_ms);
  stmt.BindInt64(4, cursor->room_key);
  stmt.BindInt64(5, static_cast<int64_t>(limit));
  int rc;
  while ((rc = stmt.Step()) == SQLITE_ROW) {
    room_jsons->emplace_back(stmt.ColumnText(0));
    cursor->end_ms = stmt.ColumnInt64(1);
    cursor->room_key = stmt.ColumnInt64(2);
  }
  if (rc != SQLITE_DONE) {
    room_jsons->clear();
    return Error("read rooms of window " + std::to_string(window_start));
  }
  if (room_jsons->size() < limit) cursor->done = true;
  return Status::OK();
}

Status SqliteStore::RoomsInWindow(std::string_view project, EpochMs window_start,
                                  std::vector<std::string>* room_jsons) {
  std::lock_guard<std::mutex> lock(mu_);
  ScopedStatement stmt = Prepare(kSelectWindow);
  stmt.BindText(1, project);
  stmt.BindInt64(2, window_start);
  return CollectJsons(&stmt, "read rooms of window " + std::to_string(window_start), room_jsons);
}

Status SqliteStore::RoomsEndedBetween(std::string_view project, EpochMs from, EpochMs to,
                                      std::vector<std::string>* room_jsons) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string op =
      "read rooms ended between " + std::to_string(from) + " and " + std::to_string(to);
  if (project.empty()) {
    ScopedStatement stmt = Prepare(kSelectEndedAll);
    stmt.BindInt64(1, from);
    stmt.BindInt64(2, to);
    return CollectJsons(&stmt, op, room_jsons);
  }
  ScopedStatement stmt = Prepare(kSelectEndedInProject);
  stmt.BindText(1, project);
  stmt.BindInt64(2, from);
  stmt.BindInt64(3, to);
  return CollectJsons(&stmt, op, room_jsons);
}

Status SqliteStore::StorePeerSeries(const std::vector<PeerSeriesEntry>& entries) {
  // Encode outside the lock, like trace appends.
  std::vector<std::string> encoded(entries.size());
  std::vector<int64_t> raw_bytes(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    Status s = EncodePeerSeries(entries[i].series, &encoded[i], &raw_bytes[i]);
    if (!s.ok()) return s;
  }
  const std::string op = "store time series of " + std::to_string(entries.size()) + " peers";
  std::lock_guard<std::mutex> lock(mu_);
  Status s = Exec("BEGIN IMMEDIATE", op);
  if (!s.ok()) return s;
  for (size_t i = 0; s.ok() && i < entries.size(); ++i) {
    ScopedStatement stmt = Prepare(kUpsertSeries);
    stmt.BindInt64(1, entries[i].peer_key);
    stmt.BindInt64(2, static_cast<int64_t>(entries[i].series.size()));
    stmt.BindInt64(3, raw_bytes[i]);
    stmt.BindBlob(4, encoded[i]);
    if (stmt.Step() != SQLITE_DONE) {
      s = Error(op);
    } else if (sqlite3_changes(db_) == 0) {
      s = Status::NotFound(op + ": no peer " + std::to_string(entries[i].peer_key));
    }
  }
  if (s.ok()) s = Exec("COMMIT", op);
  if (!s.ok()) Exec("ROLLBACK", op);
  return s;
}

Status SqliteStore::FindPeerSeries(std::string_view project, std::string_view room_id,
                                   std::string_view peer_id, FoundPeerSeries* found) {
  const std::string op = "read time series of a peer of room " + std::string(room_id);
  int64_t raw_bytes = 0;
  std::string data;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ScopedStatement stmt = Prepare(kSelectPeerSeries);
    stmt.BindText(1, project);
    stmt.BindText(2, room_id);
    stmt.BindText(3, peer_id);
    const int rc = stmt.Step();
    if (rc == SQLITE_DONE) return Status::NotFound("no closed session of this room has this peer");
    if (rc != SQLITE_ROW) return Error(op);
    *found = FoundPeerSeries{};
    found->peer_key = stmt.ColumnInt64(0);
    found->stored = !stmt.ColumnIsNull(2);
    if (found->stored) {
      raw_bytes = stmt.ColumnInt64(1);
      data = std::string(stmt.ColumnBlob(2));
    }
  }
  if (!found->stored) return Status::OK();
  // Decode outside the lock.
  Status s = DecodePeerSeries(data, raw_bytes, &found->series);
  if (!s.ok()) return Status::Corruption(op + ": " + s.message());
  return Status::OK();
}

Status SqliteStore::RoomSessions(std::string_view project, std::string_view room_id,
                                 std::vector<std::string>* room_jsons) {
  std::lock_guard<std::mutex> lock(mu_);
  ScopedStatement stmt = Prepare(kSelectSessions);
  stmt.BindText(1, project);
  stmt.BindText(2, room_id);
  return CollectJsons(&stmt, "read sessions of room " + std::string(room_id), room_jsons);
}

Status SqliteStore::LastClosedPeerOfSession(std::string_view project, std::string_view session_id,
                                            int64_t* peer_key) {
  *peer_key = 0;
  std::lock_guard<std::mutex> lock(mu_);
  ScopedStatement stmt = Prepare(kLastClosedPeerOfSession);
  stmt.BindText(1, project);
  stmt.BindText(2, session_id);
  const int rc = stmt.Step();
  if (rc == SQLITE_ROW) {
    *peer_key = stmt.ColumnInt64(0);
  } else if (rc != SQLITE_DONE) {
    return Error("find the earlier peers of session " + std::string(session_id));
  }
  return Status::OK();
}

Status SqliteStore::SealWindow(std::string_view project, EpochMs window_start, EpochMs window_end) {
  const EpochMs now = NowMs();
  std::lock_guard<std::mutex> lock(mu_);
  ScopedStatement stmt = Prepare(kSealWindow);
  stmt.BindText(1, project);
  stmt.BindInt64(2, window_start);
  stmt.BindInt64(3, window_end);
  stmt.BindInt64(4, now);
  if (stmt.Step() != SQLITE_DONE) return Error("seal window " + std::to_string(window_start));
  return Status::OK();
}

Status SqliteStore::LastSealedWindowEnd(std::string_view project,
                                        std::optional<EpochMs>* window_end) {
  std::lock_guard<std::mutex> lock(mu_);
  ScopedStatement stmt = Prepare(kLastSealedEnd);
  stmt.BindText(1, project);
  // An aggregate always yields one row; MAX over no rows is NULL.
  if (stmt.Step() != SQLITE_ROW) return Error("read last sealed window");
  if (stmt.ColumnIsNull(0)) {
    *window_end = std::nullopt;
  } else {
    *window_end = stmt.ColumnInt64(0);
  }
  return Status::OK();
}

Status SqliteStore::CollectWindows(ScopedStatement* stmt, std::string_view op,
                                   std::vector<StreamWindow>* windows) {
  windows->clear();
  int rc;
  while ((rc = stmt->Step()) == SQLITE_ROW) {
    StreamWindow w;
    w.project = std::string(stmt->ColumnText(0));
    w.window_start = stmt->ColumnInt64(1);
    w.window_end = stmt->ColumnInt64(2);
    w.sealed_ms = stmt->ColumnInt64(3);
    w.delivered = !stmt->ColumnIsNull(4);
    w.delivered_ms = w.delivered ? stmt->ColumnInt64(4) : 0;
    w.attempts = stmt->ColumnInt64(5);
    w.last_error = std::string(stmt->ColumnText(6));
    w.location = std::string(stmt->ColumnText(7));
    w.etag = std::string(stmt->ColumnText(8));
    w.room_count = stmt->ColumnInt64(9);
    w.size_bytes = stmt->ColumnInt64(10);
    w.sha256_hex = std::string(stmt->ColumnText(11));
    windows->push_back(std::move(w));
  }
  if (rc != SQLITE_DONE) return Error(op);
  return Status::OK();
}

Status SqliteStore::PendingWindows(std::string_view project, std::vector<StreamWindow>* windows) {
  std::lock_guard<std::mutex> lock(mu_);
  ScopedStatement stmt = Prepare(project.empty() ? kPendingAll : kPendingInProject);
  if (!project.empty()) stmt.BindText(1, project);
  return CollectWindows(&stmt, "read pending windows", windows);
}

Status SqliteStore::RecentWindows(std::string_view project, size_t limit,
                                  std::vector<StreamWindow>* windows) {
  std::lock_guard<std::mutex> lock(mu_);
  ScopedStatement stmt = Prepare(kRecentWindows);
  stmt.BindText(1, project);
  stmt.BindInt64(2, static_cast<int64_t>(limit));
  return CollectWindows(&stmt, "read recent windows", windows);
}

Status SqliteStore::RecordWindowFailure(std::string_view project, EpochMs window_start,
                                        std::string_view error) {
  std::lock_guard<std::mutex> lock(mu_);
  ScopedStatement stmt = Prepare(kWindowFailure);
  stmt.BindText(1, project);
  stmt.BindInt64(2, window_start);
  stmt.BindText(3, error);
  if (stmt.Step() != SQLITE_DONE) {
    return Error("record failure of window " + std::to_string(window_start));
  }
  return Status::OK();
}

Status SqliteStore::MarkWindowDelivered(const StreamWindow& window) {
  const EpochMs now = NowMs();
  std::lock_guard<std::mutex> lock(mu_);
  ScopedStatement stmt = Prepare(kWindowDelivered);
  stmt.BindText(1, window.project);
  stmt.BindInt64(2, window.window_start);
  stmt.BindInt64(3, now);
  stmt.BindText(4, window.location);
  stmt.BindText(5, window.etag);
  stmt.BindInt64(6, window.room_count);
  stmt.BindInt64(7, window.size_bytes);
  stmt.BindText(8, window.sha256_hex);
  if (stmt.Step() != SQLITE_DONE) {
    return Error("mark window " + std::to_string(window.window_start) + " delivered");
  }
  if (sqlite3_changes(db_) != 1) {
    return Status::NotFound("window " + std::to_string(window.window_start) + " of project " +
                            window.project + " was never sealed");
  }
  return Status::OK();
}

}  // namespace rtcstream
