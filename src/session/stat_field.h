// StatField: the field names of getStats reports as small integers.
//
// A StatsReport keeps its fields by id rather than by name, so that finding a
// field compares integers instead of hashing strings. The named ids below are
// the fields rtcstream reads; the table in stat_field.cpp also gives ids to the
// other fields of the W3C webrtc-stats dictionaries and to the common
// browser-specific ones, so that nearly every field a browser sends has one.
// A name without an id is kept by name (see StatsReport).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace rtcstream {

// A known field name. Only the fields rtcstream reads are named here; the
// other known names have ids from kFirstUnnamed on.
enum class StatField : uint16_t {
  kType,
  kTimestamp,
  kKind,
  kMediaType,
  kSsrc,
  kIsRemote,
  kCodecId,
  kMimeType,
  kSdpFmtpLine,
  kLocalId,
  kRemoteId,
  kBytesSent,
  kPacketsSent,
  kFramesEncoded,
  kBytesReceived,
  kPacketsReceived,
  kPacketsLost,
  kFramesDecoded,
  kFrameWidth,
  kFrameHeight,
  kFramesPerSecond,
  kJitter,
  kJitterBufferDelay,
  kJitterBufferEmittedCount,
  kRoundTripTime,
  kTotalRoundTripTime,
  kRoundTripTimeMeasurements,
  kSelectedCandidatePairId,
  kSelected,
  kNominated,
  kState,
  kLocalCandidateId,
  kCurrentRoundTripTime,
  kCandidateType,
  kRelayProtocol,
  kProtocol,
  kUrl,
  kFirstUnnamed,
};

// Number of known field names (named and unnamed ids).
size_t StatFieldCount();

// Returns the id of `name` as an integer, or -1 for a name without one.
int FindStatFieldIndex(std::string_view name);

// Returns the id of `name`, or nullopt for a name without one. (Inline: made
// in the caller's registers, the optional costs nothing; returned from a call
// it would go through memory, and this runs for every field of every report.)
inline std::optional<StatField> FindStatField(std::string_view name) {
  const int index = FindStatFieldIndex(name);
  return index < 0 ? std::nullopt : std::optional<StatField>(static_cast<StatField>(index));
}

// Returns the name of a known field.
std::string_view StatFieldName(StatField field);

}  // namespace rtcstream
