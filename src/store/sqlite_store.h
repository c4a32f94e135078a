// SqliteStore: the HistoryStore kept in one SQLite file.
//
// One connection serves every thread, guarded by a mutex: the collector's
// write rate (trace appends every few seconds per peer) is far below what one
// SQLite writer sustains, and a single connection keeps transactions simple.
// The file is in WAL mode so that other processes (backups, `sqlite3` for
// inspection) can read while the collector writes.
//
// Durability: synchronous=NORMAL in WAL mode survives a crash of the process;
// after a power loss the last transactions before it may be rolled back, but
// the file stays consistent. That trade is what keeps trace appends cheap.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/history_store.h"
#include "store/sqlite_statement.h"

namespace rtcstream {

class SqliteStore final : public HistoryStore {
 public:
  // Opens (creating if needed) the history at `path` and migrates its schema.
  // The parent directory must exist. Returns IOError naming the path when the
  // file cannot be opened or is not a usable history database.
  static Status Open(const std::string& path, std::unique_ptr<SqliteStore>* store);

  ~SqliteStore() override;

  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  Status CreateRoom(std::string_view project, std::string_view room_id, EpochMs start_ms,
                    int64_t* room_key) override;
  // Fails with NotFound for an unknown room and InvalidArgument for a closed one.
  Status AddPeer(int64_t room_key, const StoredPeerInfo& info, int64_t* peer_key) override;
  // Appending nothing is a no-op. Fails with NotFound for an unknown peer.
  Status AppendTrace(int64_t peer_key, std::string_view lines) override;
  Status AppendTraceChunk(int64_t peer_key, const TraceChunk& chunk) override;
  Status AppendTraces(const std::vector<TraceAppend>& batch) override;
  // Fails with NotFound for an unknown peer and Corruption for a damaged chunk.
  Status ReadTrace(int64_t peer_key, std::string* lines) override;
  Status CompactTrace(int64_t peer_key, CompactionResult* result) override;
  // Fails with NotFound for an unknown room and InvalidArgument for a closed one.
  Status CloseRoom(int64_t room_key, EpochMs end_ms, std::string_view room_json,
                   EpochMs window_start) override;
  // Fails with NotFound (storing nothing) when a peer is unknown.
  Status StorePeerSeries(const std::vector<PeerSeriesEntry>& entries) override;
  // Fails with Corruption for a damaged series.
  Status FindPeerSeries(std::string_view project, std::string_view room_id,
                        std::string_view peer_id, FoundPeerSeries* found) override;
  Status ListOpenRooms(std::vector<OpenRoom>* rooms) override;
  Status RoomsInWindow(std::string_view project, EpochMs window_start,
                       std::vector<std::string>* room_jsons) override;
  Status RoomsInWindowPage(std::string_view project, EpochMs window_start, size_t limit,
                           WindowCursor* cursor, std::vector<std::string>* room_jsons) override;
  Status RoomsEndedBetween(std::string_view project, EpochMs from, EpochMs to,
                           std::vector<std::string>* room_jsons) override;
  Status RoomSessions(std::string_view project, std::string_view room_id,
                      std::vector<std::string>* room_jsons) override;
  Status LastClosedPeerOfSession(std::string_view project, std::string_view session_id,
                                 int64_t* peer_key) override;
  // Delivering a window again (e.g. after a redelivery) replaces its record.
  Status SealWindow(std::string_view project, EpochMs window_start, EpochMs window_end) override;
  Status LastSealedWindowEnd(std::string_view project, std::optional<EpochMs>* window_end) override;
  Status PendingWindows(std::string_view project, std::vector<StreamWindow>* windows) override;
  Status RecordWindowFailure(std::string_view project, EpochMs window_start,
                             std::string_view error) override;
  Status MarkWindowDelivered(const StreamWindow& window) override;
  Status RecentWindows(std::string_view project, size_t limit,
                       std::vector<StreamWindow>* windows) override;

 private:
  SqliteStore(sqlite3* db, std::string path);

  // Borrows the cached statement for `sql`; the caller holds mu_.
  ScopedStatement Prepare(const char* sql);
  // A Status for the connection's last failure, naming the operation.
  Status Error(std::string_view op) const;
  // Why the room `room_key` is not open (unknown or already closed).
  Status RoomNotOpen(int64_t room_key, std::string_view op);
  // Runs a statement that returns one room_json per row, collecting them.
  // Reads every row of a window query.
  Status CollectWindows(ScopedStatement* stmt, std::string_view op,
                        std::vector<StreamWindow>* windows);
  Status CollectJsons(ScopedStatement* stmt, std::string_view op,
                      std::vector<std::string>* room_jsons) const;
  // A peer's number of trace chunks, highest seq (-1 if none) and stored bytes; the
  // caller holds mu_.
  Status ChunkStats(int64_t peer_key, int64_t* count, int64_t* max_seq, int64_t* stored_bytes);
  // Runs a statement without results, such as BEGIN.
  Status Exec(const char* sql, std::string_view op);
  // Ends a read transaction started with BEGIN, whatever happened inside it.
  void EndRead();

  std::mutex mu_;
  sqlite3* const db_;  // guarded by mu_
  const std::string path_;
  StatementCache statements_;  // guarded by mu_
};

}  // namespace rtcstream
