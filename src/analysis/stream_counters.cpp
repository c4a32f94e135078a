#include "analysis/stream_counters.h"

namespace rtcstream {

namespace {

// GetNumber, inlined here: a dozen counters are read from every RTP report of
// every sample, and a call each that builds its optional in memory costs
// more than the lookup.
std::optional<double> NumberOf(const StatsReport& report, StatField field) {
  const StatValue* value = report.Find(field);
  if (value == nullptr || value->kind != StatValue::Kind::kNumber) return std::nullopt;
  return value->number;
}

}  // namespace

StreamCounters ReadStreamCounters(const StatsReport& report, double time_ms) {
  StreamCounters c;
  c.time_ms = time_ms;
  c.bytes_sent = NumberOf(report, StatField::kBytesSent);
  c.packets_sent = NumberOf(report, StatField::kPacketsSent);
  c.frames_encoded = NumberOf(report, StatField::kFramesEncoded);
  c.bytes_received = NumberOf(report, StatField::kBytesReceived);
  c.packets_received = NumberOf(report, StatField::kPacketsReceived);
  c.packets_lost = NumberOf(report, StatField::kPacketsLost);
  c.frames_decoded = NumberOf(report, StatField::kFramesDecoded);
  c.jitter_buffer_delay = NumberOf(report, StatField::kJitterBufferDelay);
  c.jitter_buffer_emitted_count = NumberOf(report, StatField::kJitterBufferEmittedCount);
  c.round_trip_time = NumberOf(report, StatField::kRoundTripTime);
  c.total_round_trip_time = NumberOf(report, StatField::kTotalRoundTripTime);
  c.round_trip_time_measurements = NumberOf(report, StatField::kRoundTripTimeMeasurements);
  return c;
}

}  // namespace rtcstream
