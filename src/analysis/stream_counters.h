// The cumulative counters of one RTP report that analysis compares between two
// samples of that report.
//
// Reading them once per sample, and keeping only them for the next one, spares
// each later comparison a field lookup and the previous sample a copy of every
// field of the report.
#pragma once

#include <optional>

#include "session/stats_report.h"

namespace rtcstream {

// The numbers of one report sample that a later sample is compared with.
// Every field is read whatever the report's type, as a report id keeps its
// values across samples whatever it claims to be.
struct StreamCounters {
  // The report's `timestamp`, or the time of its snapshot when it had none.
  double time_ms = 0;
  std::optional<double> bytes_sent;
  std::optional<double> packets_sent;
  std::optional<double> frames_encoded;
  std::optional<double> bytes_received;
  std::optional<double> packets_received;
  std::optional<double> packets_lost;
  std::optional<double> frames_decoded;
  std::optional<double> jitter_buffer_delay;
  std::optional<double> jitter_buffer_emitted_count;
  std::optional<double> round_trip_time;
  std::optional<double> total_round_trip_time;
  std::optional<double> round_trip_time_measurements;
};

// One counter of StreamCounters, for code shared by several of them.
using StreamCounter = std::optional<double> StreamCounters::*;

// Reads the counters of `report`, whose time is `time_ms`.
StreamCounters ReadStreamCounters(const StatsReport& report, double time_ms);

}  // namespace rtcstream
