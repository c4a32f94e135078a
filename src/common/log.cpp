#include "common/log.h"

#include <atomic>
#include <cstdio>

#include "common/json_writer.h"
#include "common/time_util.h"

namespace rtcstream {

namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}
}  // namespace

void SetLogLevel(LogLevel level) { g_level.store(static_cast<int>(level)); }

bool ParseLogLevel(std::string_view text, LogLevel* out) {
  for (LogLevel l : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
    if (text == LevelName(l)) {
      *out = l;
      return true;
    }
  }
  return false;
}

void Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) {
  if (static_cast<int>(level) < g_level.load(std::memory_order_relaxed)) return;
  JsonWriter w;
  w.BeginObject();
  w.Key("ts");
  w.String(FormatIso8601(NowMs()));
  w.Key("level");
  w.String(LevelName(level));
  w.Key("msg");
  w.String(message);
  for (const auto& [key, value] : fields) {
    w.Key(key);
    w.String(value);
  }
  w.EndObject();
  std::string line = w.Release();
  line.push_back('\n');
  // One fwrite per line: stdio locks the stream, so lines from threads never interleave.
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace rtcstream
