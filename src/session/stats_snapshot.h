// The decoded state of one RTCPeerConnection's getStats() result.
//
// The SDK sends getStats as deltas; session::DeltaDecoder applies them and keeps
// one StatsSnapshot per (sessionId, pcId). Later stages read it through the
// small accessors below and never see the wire format.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace rtcstream {

// One field of a stats report. Arrays and objects are kept as their JSON text.
struct StatValue {
  enum class Kind { kNull, kNumber, kString, kBool, kJson };
  Kind kind = Kind::kNull;
  double number = 0;  // kNumber, and kBool (0 or 1)
  std::string text;   // kString, kJson

  bool operator==(const StatValue& other) const = default;
};

// Hashes std::string and std::string_view alike, so that the maps below are
// searched by string_view without building a temporary string. Deliberately
// not noexcept: libstdc++ then stores each key's hash in its node, so copying
// a report (the analyzer keeps the previous sample) does not hash it again.
struct StatNameHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// One RTCStats dictionary (e.g. an "inbound-rtp"), field name -> value. Includes
// "type" and "timestamp" (epoch ms) like the browser's report; "id" is the map key
// of the snapshot instead.
using StatsReport = std::unordered_map<std::string, StatValue, StatNameHash, std::equal_to<>>;

// Returns the numeric field, or nullopt when absent, null or not a number.
std::optional<double> GetNumber(const StatsReport& report, std::string_view field);
// Returns the string field, or nullopt when absent or not a string.
std::optional<std::string_view> GetString(const StatsReport& report, std::string_view field);
// Returns the boolean field, or nullopt when absent or not a boolean.
std::optional<bool> GetBool(const StatsReport& report, std::string_view field);

// Every report of one getStats() call, keyed by report id.
struct StatsSnapshot {
  // The top-level timestamp of the most recent getstats message (browser clock, epoch ms).
  double timestamp_ms = 0;
  std::unordered_map<std::string, StatsReport, StatNameHash, std::equal_to<>> reports;

  // Returns the report with this id, or nullptr.
  const StatsReport* Find(std::string_view id) const;
};

}  // namespace rtcstream
