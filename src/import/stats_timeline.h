// Rebuilding getStats samples from per-stat time series.
//
// chrome://webrtc-internals keeps each stat of each report as a series of its
// own ("<report id>-<stat>": values, first and last time). The series of one
// report line up with the report's "timestamp" series, and every report of a
// peer connection is sampled by the same polls; this file puts the values back
// together into one full getStats result per poll.
#pragma once

#include <string>
#include <vector>

namespace rtcstream {

// One stat of one report: its values (each as JSON text) from start_ms to end_ms.
struct StatSeries {
  std::string name;
  double start_ms = 0;
  double end_ms = 0;
  std::vector<std::string> values;
};

// Every series of one report.
struct ReportSeries {
  std::string id;
  std::string type;  // "outbound-rtp", ...
  std::vector<StatSeries> stats;
};

// One poll of a peer connection: a getstats data object with every report
// present at that poll in full, each with its "type" and "timestamp", and the
// poll's own "timestamp".
struct StatsSample {
  double timestamp_ms = 0;
  std::string json;
};

// Rebuilds the polls of one peer connection, oldest first.
//
// A report's sample times are its "timestamp" series, else times spread evenly
// between the first and last time of its longest series. A stat series with
// fewer values than its report (a stat that appeared or vanished during the
// call) is matched to the report's samples by its first and last time. Local
// reports are assigned to polls by their timestamps; a "remote-*" report's
// timestamp is the far end's, so its samples are counted back from the last
// poll of the local report it names (`localId`), else from the last poll.
std::vector<StatsSample> BuildStatsSamples(const std::vector<ReportSeries>& reports);

}  // namespace rtcstream
