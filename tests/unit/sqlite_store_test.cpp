#include "store/sqlite_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "store/history_store.h"
#include "store/sqlite_schema.h"
#include "temp_dir.h"

namespace rtcstream {
namespace {

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    db_path_ = dir_.path() + "/history.db";
    Reopen();
  }

  void Reopen() {
    store_.reset();
    Status s = OpenSqliteStore(db_path_, &store_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  // Runs SQL on the file through a separate, raw connection.
  void RawExec(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_path_.c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    EXPECT_EQ(rc, SQLITE_OK) << (err != nullptr ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
  }

  int64_t NewRoom(const std::string& project, const std::string& room_id, EpochMs start) {
    int64_t key = 0;
    Status s = store_->CreateRoom(project, room_id, start, &key);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return key;
  }

  int64_t NewPeer(int64_t room_key, const std::string& peer_id, EpochMs joined = 1000) {
    StoredPeerInfo info;
    info.session_id = "session-" + peer_id;
    info.peer_id = peer_id;
    info.joined_ms = joined;
    info.remote_address = "203.0.113.7";
    info.user_agent = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0";
    int64_t key = 0;
    Status s = store_->AddPeer(room_key, info, &key);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return key;
  }

  void Close(int64_t room_key, EpochMs end, const std::string& json, EpochMs window) {
    Status s = store_->CloseRoom(room_key, end, json, window);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  TempDir dir_;
  std::string db_path_;
  std::unique_ptr<HistoryStore> store_;
};

TEST_F(SqliteStoreTest, TraceRoundTripAcrossManyAppends) {
  const int64_t room = NewRoom("acme", "r1", 1000);
  const int64_t peer = NewPeer(room, "p1");
  std::string expected;
  for (int i = 0; i < 300; ++i) {
    std::string lines = "[\"getstats\"," + std::to_string(i) +
                        ",{\"x\":" + std::string(static_cast<size_t>(i % 50), 'a') + "}]\n";
    ASSERT_TRUE(store_->AppendTrace(peer, lines).ok());
    expected += lines;
  }
  std::string got;
  Status s = store_->ReadTrace(peer, &got);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(got, expected);
}

// A trace of `appends` chunks of varied getstats-like lines; returns its text.
std::string FillTrace(HistoryStore* store, int64_t peer, int appends) {
  std::string all;
  for (int i = 0; i < appends; ++i) {
    std::string lines =
        "[\"getstats\",\"PC_0\",{\"OT01A\":{\"bytesSent\":" + std::to_string(i * 1234) + "}}," +
        std::to_string(1000 + i) + "]\n";
    EXPECT_TRUE(store->AppendTrace(peer, lines).ok());
    all += lines;
  }
  return all;
}

int64_t CountChunks(const std::string& db_path, int64_t peer) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM trace_chunks WHERE peer_key = ?1", -1, &stmt,
                     nullptr);
  sqlite3_bind_int64(stmt, 1, peer);
  int64_t n = -1;
  if (sqlite3_step(stmt) == SQLITE_ROW) n = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return n;
}

TEST_F(SqliteStoreTest, CompactTraceRewritesChunksAsOneWithTheSameLines) {
  const int64_t room = NewRoom("acme", "r1", 1000);
  const int64_t peer = NewPeer(room, "p1");
  const int64_t other = NewPeer(room, "p2");
  const std::string expected = FillTrace(store_.get(), peer, 200);
  const std::string other_expected = FillTrace(store_.get(), other, 3);
  ASSERT_EQ(CountChunks(db_path_, peer), 200);

  HistoryStore::CompactionResult result;
  Status s = store_->CompactTrace(peer, &result);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(result.chunks_before, 200);
  EXPECT_EQ(CountChunks(db_path_, peer), 1);
  // One zlib stream over similar lines compresses far better than 200 small ones.
  EXPECT_LT(result.stored_bytes_after * 4, result.stored_bytes_before);

  std::string got;
  ASSERT_TRUE(store_->ReadTrace(peer, &got).ok());
  EXPECT_EQ(got, expected);
  // Other peers are untouched.
  ASSERT_TRUE(store_->ReadTrace(other, &got).ok());
  EXPECT_EQ(got, other_expected);
  EXPECT_EQ(CountChunks(db_path_, other), 3);

  // Compacting again is a no-op; appends after a compaction still read back in order.
  ASSERT_TRUE(store_->CompactTrace(peer, &result).ok());
  EXPECT_EQ(result.chunks_before, 1);
  EXPECT_EQ(result.stored_bytes_after, result.stored_bytes_before);
  ASSERT_TRUE(store_->AppendTrace(peer, "[\"late\"]\n").ok());
  ASSERT_TRUE(store_->ReadTrace(peer, &got).ok());
  EXPECT_EQ(got, expected + "[\"late\"]\n");
}

TEST_F(SqliteStoreTest, CompactTraceOfUnknownOrEmptyPeerChangesNothing) {
  HistoryStore::CompactionResult result;
  ASSERT_TRUE(store_->CompactTrace(424242, &result).ok());
  EXPECT_EQ(result.chunks_before, 0);
  const int64_t room = NewRoom("acme", "r1", 1000);
  const int64_t peer = NewPeer(room, "p1");
  ASSERT_TRUE(store_->CompactTrace(peer, &result).ok());
  std::string got = "x";
  ASSERT_TRUE(store_->ReadTrace(peer, &got).ok());
  EXPECT_EQ(got, "");
}

TEST_F(SqliteStoreTest, CompactTraceRefusesADamagedTraceAndKeepsIt) {
  const int64_t room = NewRoom("acme", "r1", 1000);
  const int64_t peer = NewPeer(room, "p1");
  FillTrace(store_.get(), peer, 10);
  RawExec("DELETE FROM trace_chunks WHERE peer_key = " + std::to_string(peer) + " AND seq = 4");
  HistoryStore::CompactionResult result;
  Status s = store_->CompactTrace(peer, &result);
  EXPECT_EQ(s.code(), Status::Code::kCorruption) << s.ToString();
  EXPECT_EQ(CountChunks(db_path_, peer), 9);
}

// SIGKILL at random moments while a child process compacts many traces: after
// each kill, every trace reads back exactly as written, as its old chunks or as
// one new chunk, never anything in between.
TEST_F(SqliteStoreTest, SigkillDuringCompactionLosesNothing) {
  constexpr int kPeers = 40;
  constexpr int kChunks = 150;
  std::vector<int64_t> peers;
  std::vector<std::string> expected;
  const int64_t room = NewRoom("acme", "r1", 1000);
  for (int p = 0; p < kPeers; ++p) {
    peers.push_back(NewPeer(room, "p" + std::to_string(p)));
    expected.push_back(FillTrace(store_.get(), peers.back(), kChunks));
  }
  // How long one full compaction pass takes here, to spread the kills over it.
  const auto compact_all = [&](HistoryStore* store) {
    for (int64_t peer : peers) {
      HistoryStore::CompactionResult result;
      if (!store->CompactTrace(peer, &result).ok()) return false;
    }
    return true;
  };
  store_.reset();
  const std::string copy = db_path_ + ".pristine";
  std::filesystem::copy_file(db_path_, copy);
  const auto start = std::chrono::steady_clock::now();
  Reopen();
  ASSERT_TRUE(compact_all(store_.get()));
  const auto pass_us = std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::steady_clock::now() - start)
                           .count();

  int killed_midway = 0;
  for (int round = 0; round < 12; ++round) {
    store_.reset();
    for (const char* suffix : {"-wal", "-shm"}) std::filesystem::remove(db_path_ + suffix);
    std::filesystem::copy_file(copy, db_path_, std::filesystem::copy_options::overwrite_existing);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      std::unique_ptr<HistoryStore> store;
      if (!OpenSqliteStore(db_path_, &store).ok()) _exit(3);
      _exit(compact_all(store.get()) ? 0 : 4);
    }
    // Kill points spread over the pass.
    usleep(static_cast<useconds_t>(pass_us * (round + 1) / 14));
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    if (WIFSIGNALED(status)) ++killed_midway;
    if (WIFEXITED(status)) {
      EXPECT_EQ(WEXITSTATUS(status), 0);
    }

    Reopen();
    for (int p = 0; p < kPeers; ++p) {
      std::string got;
      Status s = store_->ReadTrace(peers[p], &got);
      ASSERT_TRUE(s.ok()) << "round " << round << " peer " << p << ": " << s.ToString();
      ASSERT_EQ(got, expected[p]) << "round " << round << " peer " << p;
      const int64_t chunks = CountChunks(db_path_, peers[p]);
      ASSERT_TRUE(chunks == 1 || chunks == kChunks) << chunks;
    }
    // A later pass finishes the job.
    ASSERT_TRUE(compact_all(store_.get()));
    for (int p = 0; p < kPeers; ++p) EXPECT_EQ(CountChunks(db_path_, peers[p]), 1);
  }
  // Most kills must have hit a compaction in progress, or this test proves little.
  EXPECT_GE(killed_midway, 6);
}

TEST_F(SqliteStoreTest, TraceIsBinarySafe) {
  const int64_t room = NewRoom("acme", "r1", 1000);
  const int64_t peer = NewPeer(room, "p1");
  std::string binary;
  for (int i = 0; i < 4096; ++i) binary.push_back(static_cast<char>(i * 131 % 256));
  binary += std::string("\0\0\xff\xfe", 4);
  ASSERT_TRUE(store_->AppendTrace(peer, binary).ok());
  ASSERT_TRUE(store_->AppendTrace(peer, std::string("\0", 1)).ok());
  std::string got;
  ASSERT_TRUE(store_->ReadTrace(peer, &got).ok());
  EXPECT_EQ(got, binary + std::string("\0", 1));
}

TEST_F(SqliteStoreTest, EmptyTraceAndUnknownPeer) {
  const int64_t room = NewRoom("acme", "r1", 1000);
  const int64_t peer = NewPeer(room, "p1");
  ASSERT_TRUE(store_->AppendTrace(peer, "").ok());  // nothing to store
  std::string got = "stale";
  ASSERT_TRUE(store_->ReadTrace(peer, &got).ok());
  EXPECT_EQ(got, "");

  EXPECT_EQ(store_->ReadTrace(peer + 100, &got).code(), Status::Code::kNotFound);
  Status s = store_->AppendTrace(peer + 100, "x\n");
  EXPECT_EQ(s.code(), Status::Code::kNotFound) << s.ToString();
  EXPECT_NE(s.message().find("append trace"), std::string::npos) << s.message();
}

TEST_F(SqliteStoreTest, TraceSurvivesReopen) {
  const int64_t room = NewRoom("acme", "r1", 1000);
  const int64_t peer = NewPeer(room, "p1");
  ASSERT_TRUE(store_->AppendTrace(peer, "a\n").ok());
  Reopen();
  ASSERT_TRUE(store_->AppendTrace(peer, "b\n").ok());
  std::string got;
  ASSERT_TRUE(store_->ReadTrace(peer, &got).ok());
  EXPECT_EQ(got, "a\nb\n");
}

TEST_F(SqliteStoreTest, CorruptChunkIsDetected) {
  const int64_t room = NewRoom("acme", "r1", 1000);
  const int64_t peer = NewPeer(room, "p1");
  ASSERT_TRUE(store_->AppendTrace(peer, "first line\n").ok());
  ASSERT_TRUE(store_->AppendTrace(peer, "second line\n").ok());
  store_.reset();
  RawExec("UPDATE trace_chunks SET data = X'00112233445566' WHERE seq = 1");
  Reopen();
  std::string got;
  Status s = store_->ReadTrace(peer, &got);
  EXPECT_EQ(s.code(), Status::Code::kCorruption) << s.ToString();
  EXPECT_NE(s.message().find("chunk 1"), std::string::npos) << s.message();
  EXPECT_EQ(got, "");
}

TEST_F(SqliteStoreTest, WrongRecordedSizeIsCorruption) {
  const int64_t room = NewRoom("acme", "r1", 1000);
  const int64_t peer = NewPeer(room, "p1");
  ASSERT_TRUE(store_->AppendTrace(peer, "some trace line\n").ok());
  store_.reset();
  RawExec("UPDATE trace_chunks SET raw_bytes = raw_bytes + 1");
  Reopen();
  std::string got;
  EXPECT_EQ(store_->ReadTrace(peer, &got).code(), Status::Code::kCorruption);

  store_.reset();
  RawExec("UPDATE trace_chunks SET raw_bytes = 1000000000000");
  Reopen();
  EXPECT_EQ(store_->ReadTrace(peer, &got).code(), Status::Code::kCorruption);
}

TEST_F(SqliteStoreTest, MissingChunkIsCorruption) {
  const int64_t room = NewRoom("acme", "r1", 1000);
  const int64_t peer = NewPeer(room, "p1");
  ASSERT_TRUE(store_->AppendTrace(peer, "a\n").ok());
  ASSERT_TRUE(store_->AppendTrace(peer, "b\n").ok());
  store_.reset();
  RawExec("DELETE FROM trace_chunks WHERE seq = 0");
  Reopen();
  std::string got;
  EXPECT_EQ(store_->ReadTrace(peer, &got).code(), Status::Code::kCorruption);
}

TEST_F(SqliteStoreTest, WindowQueriesOrderByEndAndIsolateProjects) {
  const EpochMs w1 = 3600000, w2 = 7200000;
  const int64_t a = NewRoom("acme", "a", 100);
  const int64_t b = NewRoom("acme", "b", 200);
  const int64_t c = NewRoom("acme", "c", 300);
  const int64_t other = NewRoom("beta", "a", 100);
  const int64_t open = NewRoom("acme", "open", 400);
  Close(b, w1 + 500, "{\"b\":1}", w1);
  Close(a, w1 + 900, "{\"a\":1}", w1);
  Close(c, w2 + 1, "{\"c\":1}", w2);
  Close(other, w1 + 100, "{\"other\":1}", w1);
  (void)open;

  std::vector<std::string> jsons;
  ASSERT_TRUE(store_->RoomsInWindow("acme", w1, &jsons).ok());
  EXPECT_EQ(jsons, (std::vector<std::string>{"{\"b\":1}", "{\"a\":1}"}));
  ASSERT_TRUE(store_->RoomsInWindow("beta", w1, &jsons).ok());
  EXPECT_EQ(jsons, (std::vector<std::string>{"{\"other\":1}"}));
  ASSERT_TRUE(store_->RoomsInWindow("acme", w2, &jsons).ok());
  EXPECT_EQ(jsons, (std::vector<std::string>{"{\"c\":1}"}));
  ASSERT_TRUE(store_->RoomsInWindow("nobody", w1, &jsons).ok());
  EXPECT_TRUE(jsons.empty());

  // [from, to): an end exactly at `to` belongs to the next range.
  ASSERT_TRUE(store_->RoomsEndedBetween("acme", w1, w1 + 900, &jsons).ok());
  EXPECT_EQ(jsons, (std::vector<std::string>{"{\"b\":1}"}));
  ASSERT_TRUE(store_->RoomsEndedBetween("acme", w1 + 500, w2 + 2, &jsons).ok());
  EXPECT_EQ(jsons, (std::vector<std::string>{"{\"b\":1}", "{\"a\":1}", "{\"c\":1}"}));
  // An empty project means every project.
  ASSERT_TRUE(store_->RoomsEndedBetween("", 0, w2, &jsons).ok());
  EXPECT_EQ(jsons, (std::vector<std::string>{"{\"other\":1}", "{\"b\":1}", "{\"a\":1}"}));
}

TEST_F(SqliteStoreTest, RoomSessionsOldestFirst) {
  const int64_t second = NewRoom("acme", "daily", 5000);
  const int64_t first = NewRoom("acme", "daily", 1000);
  const int64_t other_project = NewRoom("beta", "daily", 2000);
  NewRoom("acme", "daily", 9000);  // still open: not a finished session
  Close(second, 6000, "{\"n\":2}", 0);
  Close(first, 2000, "{\"n\":1}", 0);
  Close(other_project, 3000, "{\"beta\":1}", 0);
  std::vector<std::string> jsons;
  ASSERT_TRUE(store_->RoomSessions("acme", "daily", &jsons).ok());
  EXPECT_EQ(jsons, (std::vector<std::string>{"{\"n\":1}", "{\"n\":2}"}));
  ASSERT_TRUE(store_->RoomSessions("acme", "weekly", &jsons).ok());
  EXPECT_TRUE(jsons.empty());
}

TEST_F(SqliteStoreTest, ListOpenRoomsAfterReopen) {
  const int64_t r1 = NewRoom("acme", "r1", 1000);
  const int64_t r2 = NewRoom("beta", "r2", 2000);
  const int64_t closed = NewRoom("acme", "gone", 500);
  const int64_t p1 = NewPeer(r1, "alice", 1100);
  const int64_t p2 = NewPeer(r1, "bob", 1200);
  const int64_t p3 = NewPeer(r2, "carol", 2100);
  NewPeer(closed, "dave", 600);
  Close(closed, 900, "{}", 0);

  Reopen();
  std::vector<OpenRoom> rooms;
  ASSERT_TRUE(store_->ListOpenRooms(&rooms).ok());
  ASSERT_EQ(rooms.size(), 2u);
  EXPECT_EQ(rooms[0].room_key, r1);
  EXPECT_EQ(rooms[0].project, "acme");
  EXPECT_EQ(rooms[0].room_id, "r1");
  EXPECT_EQ(rooms[0].start_ms, 1000);
  ASSERT_EQ(rooms[0].peers.size(), 2u);
  EXPECT_EQ(rooms[0].peers[0].peer_key, p1);
  EXPECT_EQ(rooms[0].peers[0].info.peer_id, "alice");
  EXPECT_EQ(rooms[0].peers[0].info.session_id, "session-alice");
  EXPECT_EQ(rooms[0].peers[0].info.joined_ms, 1100);
  EXPECT_EQ(rooms[0].peers[0].info.remote_address, "203.0.113.7");
  EXPECT_EQ(rooms[0].peers[0].info.user_agent, "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0");
  EXPECT_EQ(rooms[0].peers[1].peer_key, p2);
  EXPECT_EQ(rooms[1].room_key, r2);
  EXPECT_EQ(rooms[1].project, "beta");
  ASSERT_EQ(rooms[1].peers.size(), 1u);
  EXPECT_EQ(rooms[1].peers[0].peer_key, p3);

  // Keys keep growing after a reopen; a new room never reuses an old key.
  const int64_t r4 = NewRoom("acme", "r4", 3000);
  EXPECT_GT(r4, closed);
}

TEST_F(SqliteStoreTest, ClosingTwiceOrUnknownRoomFails) {
  const int64_t room = NewRoom("acme", "r1", 1000);
  Close(room, 2000, "{}", 0);
  Status s = store_->CloseRoom(room, 3000, "{\"again\":1}", 0);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find("already closed"), std::string::npos) << s.message();
  s = store_->CloseRoom(room + 42, 3000, "{}", 0);
  EXPECT_EQ(s.code(), Status::Code::kNotFound) << s.ToString();

  // The first close is kept.
  std::vector<std::string> jsons;
  ASSERT_TRUE(store_->RoomSessions("acme", "r1", &jsons).ok());
  EXPECT_EQ(jsons, (std::vector<std::string>{"{}"}));

  StoredPeerInfo info;
  info.peer_id = "late";
  int64_t peer = 0;
  EXPECT_EQ(store_->AddPeer(room, info, &peer).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(store_->AddPeer(room + 42, info, &peer).code(), Status::Code::kNotFound);
}

TEST_F(SqliteStoreTest, WindowsAreSealedThenDelivered) {
  std::optional<EpochMs> end = 123;
  ASSERT_TRUE(store_->LastSealedWindowEnd("acme", &end).ok());
  EXPECT_FALSE(end.has_value());

  ASSERT_TRUE(store_->SealWindow("acme", 0, 3600000).ok());
  ASSERT_TRUE(store_->SealWindow("acme", 3600000, 7200000).ok());
  ASSERT_TRUE(store_->SealWindow("acme", 3600000, 7200000).ok());  // idempotent
  ASSERT_TRUE(store_->SealWindow("beta", 7200000, 10800000).ok());
  ASSERT_TRUE(store_->LastSealedWindowEnd("acme", &end).ok());
  EXPECT_EQ(end, std::optional<EpochMs>(7200000));

  std::vector<StreamWindow> pending;
  ASSERT_TRUE(store_->PendingWindows("acme", &pending).ok());
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].window_start, 0);  // oldest first
  EXPECT_FALSE(pending[0].delivered);

  ASSERT_TRUE(store_->RecordWindowFailure("acme", 0, "S3 down").ok());
  ASSERT_TRUE(store_->RecordWindowFailure("acme", 0, "S3 still down").ok());
  StreamWindow w = pending[0];
  w.location = "s3://bucket/a.json";
  w.etag = "\"abc\"";
  w.room_count = 3;
  w.size_bytes = 1234;
  w.sha256_hex = std::string(64, 'a');
  ASSERT_TRUE(store_->MarkWindowDelivered(w).ok());

  Reopen();  // pending windows survive a restart
  ASSERT_TRUE(store_->PendingWindows("", &pending).ok());
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].project, "acme");
  EXPECT_EQ(pending[0].window_start, 3600000);
  EXPECT_EQ(pending[1].project, "beta");

  std::vector<StreamWindow> recent;
  ASSERT_TRUE(store_->RecentWindows("acme", 10, &recent).ok());
  ASSERT_EQ(recent.size(), 2u);
  EXPECT_EQ(recent[1].window_start, 0);  // newest first
  EXPECT_TRUE(recent[1].delivered);
  EXPECT_EQ(recent[1].attempts, 2);
  EXPECT_EQ(recent[1].etag, "\"abc\"");
  EXPECT_EQ(recent[1].room_count, 3);
  EXPECT_EQ(recent[1].last_error, "");

  // Delivering a window that was never sealed is a bookkeeping bug: say so.
  w.window_start = 999;
  EXPECT_EQ(store_->MarkWindowDelivered(w).code(), Status::Code::kNotFound);
}

TEST_F(SqliteStoreTest, ConcurrentAppendsFromSeveralThreads) {
  const int64_t room = NewRoom("acme", "r1", 1000);
  std::vector<int64_t> peers;
  for (int i = 0; i < 4; ++i) peers.push_back(NewPeer(room, "p" + std::to_string(i)));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        EXPECT_TRUE(store_->AppendTrace(peers[t], std::to_string(i) + "\n").ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  std::string expected;
  for (int i = 0; i < 50; ++i) expected += std::to_string(i) + "\n";
  for (int64_t peer : peers) {
    std::string got;
    ASSERT_TRUE(store_->ReadTrace(peer, &got).ok());
    EXPECT_EQ(got, expected);
  }
}

TEST_F(SqliteStoreTest, SchemaVersionAndWalMode) {
  store_.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path_.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(stmt, 0), SqliteSchemaVersion());
  sqlite3_finalize(stmt);
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST_F(SqliteStoreTest, NewerSchemaIsRefused) {
  store_.reset();
  RawExec("PRAGMA user_version = 99");
  std::unique_ptr<HistoryStore> store;
  Status s = OpenSqliteStore(db_path_, &store);
  EXPECT_EQ(s.code(), Status::Code::kIOError);
  EXPECT_NE(s.message().find("99"), std::string::npos) << s.message();
  EXPECT_EQ(store, nullptr);
}

TEST(SqliteStoreOpenTest, MissingDirectoryNamesThePath) {
  TempDir dir;
  const std::string path = dir.path() + "/no/such/dir/history.db";
  std::unique_ptr<HistoryStore> store;
  Status s = OpenSqliteStore(path, &store);
  EXPECT_EQ(s.code(), Status::Code::kIOError);
  EXPECT_NE(s.message().find(path), std::string::npos) << s.message();
  EXPECT_EQ(store, nullptr);
}

TEST(SqliteStoreOpenTest, OpenHistoryCreatesOnlyWhenAsked) {
  TempDir dir;
  const std::string data_dir = dir.path() + "/data";
  std::unique_ptr<HistoryStore> store;
  Status s = OpenHistory(data_dir, HistoryOpenMode::kExisting, &store);
  EXPECT_EQ(s.code(), Status::Code::kNotFound);
  EXPECT_NE(s.message().find(data_dir), std::string::npos) << s.message();
  EXPECT_FALSE(std::filesystem::exists(data_dir));  // reading never creates one

  ASSERT_TRUE(OpenHistory(data_dir, HistoryOpenMode::kCreate, &store).ok());
  int64_t room_key = 0;
  ASSERT_TRUE(store->CreateRoom("p", "r", 1000, &room_key).ok());
  store.reset();
  ASSERT_TRUE(OpenHistory(data_dir, HistoryOpenMode::kExisting, &store).ok());
  std::vector<OpenRoom> open;
  ASSERT_TRUE(store->ListOpenRooms(&open).ok());
  EXPECT_EQ(open.size(), 1u);  // the same history, opened again
}

TEST(SqliteStoreOpenTest, NotADatabaseNamesThePath) {
  TempDir dir;
  const std::string path = dir.path() + "/history.db";
  {
    std::ofstream out(path);
    out << std::string(4096, 'x');
  }
  std::unique_ptr<HistoryStore> store;
  Status s = OpenSqliteStore(path, &store);
  EXPECT_EQ(s.code(), Status::Code::kIOError);
  EXPECT_NE(s.message().find(path), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("not a database"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace rtcstream

namespace rtcstream {
namespace {

TEST_F(SqliteStoreTest, AppendTracesCommitsABatchAllOrNothing) {
  const int64_t room = NewRoom("acme", "r1", 1000);
  const int64_t a = NewPeer(room, "a");
  const int64_t b = NewPeer(room, "b");
  ASSERT_TRUE(store_->AppendTraces({{a, "[\"x\",null,{},1]\n"}, {b, "[\"y\",null,{},2]\n"}}).ok());
  ASSERT_TRUE(store_->AppendTraces({{a, "[\"z\",null,{},3]\n"}, {b, ""}}).ok());
  std::string lines;
  ASSERT_TRUE(store_->ReadTrace(a, &lines).ok());
  EXPECT_EQ(lines, "[\"x\",null,{},1]\n[\"z\",null,{},3]\n");
  ASSERT_TRUE(store_->ReadTrace(b, &lines).ok());
  EXPECT_EQ(lines, "[\"y\",null,{},2]\n");

  // A batch naming an unknown peer fails whole: the valid part is not half-written.
  EXPECT_FALSE(store_->AppendTraces({{a, "[\"w\",null,{},4]\n"}, {b + 1000, "x\n"}}).ok());
  ASSERT_TRUE(store_->ReadTrace(a, &lines).ok());
  EXPECT_EQ(lines, "[\"x\",null,{},1]\n[\"z\",null,{},3]\n");
}

}  // namespace
}  // namespace rtcstream

namespace rtcstream {
namespace {

TEST_F(SqliteStoreTest, WindowPagesVisitEveryRoomOnceInOrder) {
  std::vector<std::string> expected;
  for (int i = 0; i < 25; ++i) {
    const int64_t room = NewRoom("acme", "r" + std::to_string(i), 1000);
    // Some rooms end at the same time: the key breaks the tie.
    const std::string json = "{\"n\":" + std::to_string(i) + "}";
    ASSERT_TRUE(store_->CloseRoom(room, 5000 + (i / 3) * 10, json, 0).ok());
    expected.push_back(json);
  }
  std::vector<std::string> all;
  ASSERT_TRUE(store_->RoomsInWindow("acme", 0, &all).ok());
  EXPECT_EQ(all, expected);
  std::vector<std::string> paged, page;
  HistoryStore::WindowCursor cursor;
  int pages = 0;
  while (!cursor.done) {
    ASSERT_TRUE(store_->RoomsInWindowPage("acme", 0, 4, &cursor, &page).ok());
    paged.insert(paged.end(), page.begin(), page.end());
    ++pages;
  }
  EXPECT_EQ(paged, expected);
  EXPECT_EQ(pages, 7);  // 6 full pages and a short one
}

PeerSeries TwoSampleSeries(EpochMs start, float bitrate) {
  PeerSeries series;
  DirectionSample samples[2][2];
  series.Append(start + 1000, "PC_0", samples);
  samples[0][1].bitrate = bitrate;
  series.Append(start + 3000, "PC_0", samples);
  series.set_start_ms(start);
  return series;
}

TEST_F(SqliteStoreTest, PeerSeriesRoundTripOfTheLatestSessionWithThePeer) {
  const int64_t first = NewRoom("acme", "r", 1000);
  const int64_t alice1 = NewPeer(first, "alice", 1000);
  const int64_t bob = NewPeer(first, "bob", 1000);
  ASSERT_TRUE(
      store_
          ->StorePeerSeries({{alice1, TwoSampleSeries(1000, 10)}, {bob, TwoSampleSeries(1000, 20)}})
          .ok());
  Close(first, 9000, "{}", 0);
  const int64_t second = NewRoom("acme", "r", 20000);
  const int64_t alice2 = NewPeer(second, "alice", 20000);
  ASSERT_TRUE(store_->StorePeerSeries({{alice2, TwoSampleSeries(20000, 30)}}).ok());
  // Storing again replaces.
  ASSERT_TRUE(store_->StorePeerSeries({{alice2, TwoSampleSeries(20000, 40)}}).ok());

  FoundPeerSeries found;
  // The second session is still open: the latest closed one with alice is the first.
  ASSERT_TRUE(store_->FindPeerSeries("acme", "r", "alice", &found).ok());
  EXPECT_EQ(found.peer_key, alice1);
  ASSERT_TRUE(found.stored);
  ASSERT_EQ(found.series.size(), 2u);
  EXPECT_EQ(found.series.start_ms(), 1000);
  EXPECT_EQ(found.series.Column(MediaKind::kAudio, Direction::kRecv, SeriesField::kBitrate)[1], 10);

  Close(second, 29000, "{}", 0);
  Reopen();
  ASSERT_TRUE(store_->FindPeerSeries("acme", "r", "alice", &found).ok());
  EXPECT_EQ(found.peer_key, alice2);
  EXPECT_EQ(found.series.Column(MediaKind::kAudio, Direction::kRecv, SeriesField::kBitrate)[1], 40);
  // Bob is only in the first session.
  ASSERT_TRUE(store_->FindPeerSeries("acme", "r", "bob", &found).ok());
  EXPECT_EQ(found.peer_key, bob);

  EXPECT_EQ(store_->FindPeerSeries("acme", "r", "carol", &found).code(), Status::Code::kNotFound);
  EXPECT_EQ(store_->FindPeerSeries("globex", "r", "alice", &found).code(), Status::Code::kNotFound);
  EXPECT_EQ(store_->FindPeerSeries("acme", "other", "alice", &found).code(),
            Status::Code::kNotFound);
  // An unknown peer stores nothing, not even the others of the batch.
  EXPECT_EQ(store_->StorePeerSeries({{bob, TwoSampleSeries(1000, 50)}, {999, PeerSeries{}}}).code(),
            Status::Code::kNotFound);
  ASSERT_TRUE(store_->FindPeerSeries("acme", "r", "bob", &found).ok());
  EXPECT_EQ(found.series.Column(MediaKind::kAudio, Direction::kRecv, SeriesField::kBitrate)[1], 20);
}

TEST_F(SqliteStoreTest, LastClosedPeerOfSessionIsTheNewestInAClosedRoomOfTheProject) {
  int64_t found = -1;
  ASSERT_TRUE(store_->LastClosedPeerOfSession("acme", "session-alice", &found).ok());
  EXPECT_EQ(found, 0);  // never seen

  const int64_t first_room = NewRoom("acme", "r", 1000);
  const int64_t first = NewPeer(first_room, "alice", 1000);
  ASSERT_TRUE(store_->LastClosedPeerOfSession("acme", "session-alice", &found).ok());
  EXPECT_EQ(found, 0);  // its room is still open
  Close(first_room, 5000, "{}", 0);
  ASSERT_TRUE(store_->LastClosedPeerOfSession("acme", "session-alice", &found).ok());
  EXPECT_EQ(found, first);

  const int64_t second_room = NewRoom("acme", "r", 9000);
  const int64_t second = NewPeer(second_room, "alice", 9000);
  NewPeer(second_room, "bob", 9000);
  Close(second_room, 15000, "{}", 0);
  const int64_t open_room = NewRoom("acme", "r", 20000);
  NewPeer(open_room, "alice", 20000);
  ASSERT_TRUE(store_->LastClosedPeerOfSession("acme", "session-alice", &found).ok());
  EXPECT_EQ(found, second);  // the newest closed one, not the open one

  // Session ids belong to their project.
  ASSERT_TRUE(store_->LastClosedPeerOfSession("other", "session-alice", &found).ok());
  EXPECT_EQ(found, 0);
}

TEST_F(SqliteStoreTest, SchemaThreeIsMigratedAndItsPeersHaveNoStoredSeries) {
  // A history written before series were kept: schema version 3.
  const int64_t room = NewRoom("acme", "r", 1000);
  const int64_t alice = NewPeer(room, "alice", 1000);
  ASSERT_TRUE(store_->AppendTrace(alice, "[\"line\"]\n").ok());
  Close(room, 9000, "{}", 0);
  store_.reset();
  RawExec(
      "DROP INDEX peers_session; DROP INDEX peers_peer_id; DROP TABLE peer_series; "
      "PRAGMA user_version = 3;");
  Reopen();

  FoundPeerSeries found;
  ASSERT_TRUE(store_->FindPeerSeries("acme", "r", "alice", &found).ok());
  EXPECT_EQ(found.peer_key, alice);
  EXPECT_FALSE(found.stored);  // the caller recomputes it from the trace
  ASSERT_TRUE(store_->StorePeerSeries({{alice, TwoSampleSeries(1000, 10)}}).ok());
  ASSERT_TRUE(store_->FindPeerSeries("acme", "r", "alice", &found).ok());
  EXPECT_TRUE(found.stored);
  EXPECT_EQ(found.series.size(), 2u);
  EXPECT_EQ(SqliteSchemaVersion(), 5);
}

TEST_F(SqliteStoreTest, DamagedSeriesIsCorruption) {
  const int64_t room = NewRoom("acme", "r", 1000);
  const int64_t alice = NewPeer(room, "alice", 1000);
  ASSERT_TRUE(store_->StorePeerSeries({{alice, TwoSampleSeries(1000, 10)}}).ok());
  Close(room, 9000, "{}", 0);
  RawExec("UPDATE peer_series SET data = X'0102030405'");
  FoundPeerSeries found;
  EXPECT_EQ(store_->FindPeerSeries("acme", "r", "alice", &found).code(), Status::Code::kCorruption);
}

}  // namespace
}  // namespace rtcstream

namespace rtcstream {
namespace {

TEST_F(SqliteStoreTest, PeerLocationSurvivesAReopen) {
  const int64_t room = NewRoom("acme", "r1", 1000);
  StoredPeerInfo info;
  info.session_id = "s1";
  info.peer_id = "located";
  info.location.city = "London";
  info.location.country = "United Kingdom";
  info.location.organization = "Example ISP";
  int64_t key = 0;
  ASSERT_TRUE(store_->AddPeer(room, info, &key).ok());
  NewPeer(room, "unlocated");
  Reopen();
  std::vector<OpenRoom> rooms;
  ASSERT_TRUE(store_->ListOpenRooms(&rooms).ok());
  ASSERT_EQ(rooms.size(), 1u);
  ASSERT_EQ(rooms[0].peers.size(), 2u);
  const PeerLocation& located = rooms[0].peers[0].info.location;
  EXPECT_EQ(located.city, "London");
  EXPECT_EQ(located.country, "United Kingdom");
  EXPECT_EQ(located.organization, "Example ISP");
  // Unknown stays unknown (NULL), not an empty string.
  const PeerLocation& unlocated = rooms[0].peers[1].info.location;
  EXPECT_FALSE(unlocated.city || unlocated.country || unlocated.organization);
}

TEST_F(SqliteStoreTest, MigratesVersionTwoPeersToUnknownLocations) {
  const int64_t room = NewRoom("acme", "r1", 1000);
  store_.reset();
  // What a version 2 history looks like: peers without location columns, no series.
  RawExec(
      "DROP INDEX peers_session; DROP INDEX peers_peer_id; DROP TABLE peer_series; "
      "ALTER TABLE peers DROP COLUMN city; ALTER TABLE peers DROP COLUMN country; "
      "ALTER TABLE peers DROP COLUMN organization; PRAGMA user_version = 2;");
  RawExec(
      "INSERT INTO peers (room_key, session_id, peer_id, joined_ms, remote_address, "
      "user_agent) VALUES (" +
      std::to_string(room) + ", 's-old', 'old', 1000, '', 'UA')");
  Reopen();
  std::vector<OpenRoom> rooms;
  ASSERT_TRUE(store_->ListOpenRooms(&rooms).ok());
  ASSERT_EQ(rooms.size(), 1u);
  ASSERT_EQ(rooms[0].peers.size(), 1u);
  EXPECT_EQ(rooms[0].peers[0].info.peer_id, "old");
  EXPECT_FALSE(rooms[0].peers[0].info.location.country);
  StoredPeerInfo info;
  info.session_id = "s-new";
  info.peer_id = "new";
  info.location.country = "Germany";
  int64_t key = 0;
  ASSERT_TRUE(store_->AddPeer(room, info, &key).ok());
}

}  // namespace
}  // namespace rtcstream
