#include "analysis/stream_counters.h"

namespace rtcstream {

StreamCounters ReadStreamCounters(const StatsReport& report, double time_ms) {
  StreamCounters c;
  c.time_ms = time_ms;
  c.bytes_sent = GetNumber(report, StatField::kBytesSent);
  c.packets_sent = GetNumber(report, StatField::kPacketsSent);
  c.frames_encoded = GetNumber(report, StatField::kFramesEncoded);
  c.bytes_received = GetNumber(report, StatField::kBytesReceived);
  c.packets_received = GetNumber(report, StatField::kPacketsReceived);
  c.packets_lost = GetNumber(report, StatField::kPacketsLost);
  c.frames_decoded = GetNumber(report, StatField::kFramesDecoded);
  c.jitter_buffer_delay = GetNumber(report, StatField::kJitterBufferDelay);
  c.jitter_buffer_emitted_count = GetNumber(report, StatField::kJitterBufferEmittedCount);
  c.round_trip_time = GetNumber(report, StatField::kRoundTripTime);
  c.total_round_trip_time = GetNumber(report, StatField::kTotalRoundTripTime);
  c.round_trip_time_measurements = GetNumber(report, StatField::kRoundTripTimeMeasurements);
  return c;
}

}  // namespace rtcstream
