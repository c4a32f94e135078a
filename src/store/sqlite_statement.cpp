#include "store/sqlite_statement.h"

namespace rtcstream {

StatementCache::~StatementCache() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
}

int StatementCache::Get(const char* sql, sqlite3_stmt** stmt) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) {
    *stmt = it->second;
    return SQLITE_OK;
  }
  sqlite3_stmt* compiled = nullptr;
  // PERSISTENT tells SQLite the statement is long-lived, so it does not take
  // memory from the lookaside pool meant for short-lived allocations.
  const int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &compiled, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(compiled);
    *stmt = nullptr;
    return rc;
  }
  statements_.emplace(sql, compiled);
  *stmt = compiled;
  return SQLITE_OK;
}

ScopedStatement::~ScopedStatement() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void ScopedStatement::Remember(int rc) {
  if (rc_ == SQLITE_OK && rc != SQLITE_OK) rc_ = rc;
}

void ScopedStatement::BindInt64(int index, int64_t value) {
  if (stmt_ == nullptr) return;
  Remember(sqlite3_bind_int64(stmt_, index, value));
}

void ScopedStatement::BindText(int index, std::string_view value) {
  if (stmt_ == nullptr) return;
  // A null data pointer would bind SQL NULL; an empty string must stay a string.
  const char* data = value.data() != nullptr ? value.data() : "";
  Remember(sqlite3_bind_text64(stmt_, index, data, value.size(), SQLITE_STATIC, SQLITE_UTF8));
}

void ScopedStatement::BindBlob(int index, std::string_view value) {
  if (stmt_ == nullptr) return;
  const char* data = value.data() != nullptr ? value.data() : "";
  Remember(sqlite3_bind_blob64(stmt_, index, data, value.size(), SQLITE_STATIC));
}

void ScopedStatement::BindNull(int index) {
  if (stmt_ == nullptr) return;
  Remember(sqlite3_bind_null(stmt_, index));
}

int ScopedStatement::Step() {
  if (rc_ != SQLITE_OK) return rc_;
  return sqlite3_step(stmt_);
}

bool ScopedStatement::ColumnIsNull(int index) const {
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

int64_t ScopedStatement::ColumnInt64(int index) const { return sqlite3_column_int64(stmt_, index); }

std::string_view ScopedStatement::ColumnText(int index) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, index));
  // Ask for the size after the pointer: the conversion may change the size.
  const int size = sqlite3_column_bytes(stmt_, index);
  if (data == nullptr) return {};
  return std::string_view(data, static_cast<size_t>(size));
}

std::string_view ScopedStatement::ColumnBlob(int index) const {
  const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_, index));
  const int size = sqlite3_column_bytes(stmt_, index);
  if (data == nullptr) return {};
  return std::string_view(data, static_cast<size_t>(size));
}

}  // namespace rtcstream
