// Prepared statements for the SQLite history store.
//
// Statements are compiled once per connection and reused: the store runs the
// same dozen queries for its whole life, and re-parsing SQL on every room and
// trace append would cost more than the queries themselves.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace rtcstream {

// Owns the compiled statements of one connection. Not thread-safe: the store
// guards the connection and its cache with one mutex.
class StatementCache {
 public:
  // `db` must outlive the cache.
  explicit StatementCache(sqlite3* db) : db_(db) {}
  ~StatementCache();

  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  // Sets *stmt to the statement for `sql`, compiling it on first use. Returns a
  // SQLite result code (SQLITE_OK on success; the message is in sqlite3_errmsg).
  int Get(const char* sql, sqlite3_stmt** stmt);

 private:
  sqlite3* const db_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

// One use of a cached statement. Binding failures are remembered and reported
// by Step() so that callers check one result code instead of one per bind. The
// destructor resets the statement and clears its bindings: a statement left
// mid-iteration would keep a read transaction open and stall WAL checkpoints,
// and bound text is borrowed, not copied.
class ScopedStatement {
 public:
  // `stmt` may be null when preparing failed; Step() then reports `prepare_rc`.
  ScopedStatement(sqlite3_stmt* stmt, int prepare_rc) : stmt_(stmt), rc_(prepare_rc) {}
  ~ScopedStatement();

  ScopedStatement(const ScopedStatement&) = delete;
  ScopedStatement& operator=(const ScopedStatement&) = delete;

  // Bind parameters; indexes start at 1. Text and blobs are borrowed until the
  // statement is reset, so they must outlive this object.
  void BindInt64(int index, int64_t value);
  void BindText(int index, std::string_view value);
  void BindBlob(int index, std::string_view value);
  void BindNull(int index);

  // Runs the statement one step: SQLITE_ROW, SQLITE_DONE or an error code.
  int Step();

  // Column accessors for the current row; indexes start at 0.
  bool ColumnIsNull(int index) const;
  int64_t ColumnInt64(int index) const;
  // Text or blob contents, valid until the next Step() or the destructor.
  std::string_view ColumnText(int index) const;
  std::string_view ColumnBlob(int index) const;

 private:
  void Remember(int rc);

  sqlite3_stmt* const stmt_;
  int rc_;  // the first failure before stepping, or SQLITE_OK
};

}  // namespace rtcstream
