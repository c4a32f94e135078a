// Minimal structured logging: one JSON object per line on stderr, with a
// level, a timestamp, a message and optional key/value fields. Callers must
// never pass secrets (API keys, S3 credentials) as fields or in messages.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace rtcstream {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// Messages below this level are dropped. Default: kInfo.
void SetLogLevel(LogLevel level);

// Parses "debug", "info", "warn" or "error"; returns false when unknown.
bool ParseLogLevel(std::string_view text, LogLevel* out);

using LogField = std::pair<std::string_view, std::string_view>;

// Writes {"ts":...,"level":...,"msg":...,<fields>} as one line, atomically.
void Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields = {});

inline void LogInfo(std::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kInfo, m, f);
}
inline void LogWarn(std::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kWarn, m, f);
}
inline void LogError(std::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kError, m, f);
}
inline void LogDebug(std::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kDebug, m, f);
}

}  // namespace rtcstream
