// PeerAnalyzer: turns one peer's getStats series and connection events into
// the quality figures of a data stream peer struct (docs/metrics.md has every
// formula).
//
// Its summary comes from running totals, not from the samples: apart from a
// few counters of the previous sample of each RTP report, the only thing that
// grows with the length of the call is the peer's time series (PeerSeries,
// about 100 bytes per getStats sample), which is what charts and the series
// endpoint show.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "analysis/call_setup.h"
#include "analysis/direction_accumulator.h"
#include "analysis/media_kind.h"
#include "analysis/media_summary.h"
#include "analysis/peer_series.h"
#include "analysis/running_stats.h"
#include "analysis/selected_pair.h"
#include "analysis/stream_counters.h"
#include "session/stats_snapshot.h"

namespace rtcstream {

// Accumulates one peer's quality figures from all its RTCPeerConnections.
class PeerAnalyzer {
 public:
  // A full (delta-decoded) getStats state of one peer connection, after each
  // getstats message. The same snapshot object may be passed again (mutated)
  // for later samples of that pc: nothing is kept by reference.
  void OnStats(std::string_view pc_id, const StatsSnapshot& snapshot);
  // A setLocalDescription() call.
  void OnSetLocalDescription(std::string_view pc_id, double client_ts_ms);
  // An onconnectionstatechange event.
  void OnConnectionStateChange(std::string_view pc_id, std::string_view state, double client_ts_ms);
  // An oniceconnectionstatechange event.
  void OnIceConnectionStateChange(std::string_view pc_id, std::string_view state,
                                  double client_ts_ms);
  // pc.close(): drops the previous samples of that pc's reports.
  void OnPcClosed(std::string_view pc_id, double client_ts_ms);

  // The peer's figures so far. Can be called at any time.
  MediaSummary Summarize() const;
  // Connection features from the selected candidate pair of the first pc
  // that connected, else of the first pc that had a selected pair.
  PeerFeatures Features() const;
  // Number of OnStats calls.
  size_t StatsSamples() const { return samples_; }
  // One sample per OnStats call, on the client's clock (the snapshots' time).
  const PeerSeries& series() const { return series_; }

 private:
  // The counters of a report's previous sample.
  struct PreviousSample {
    StreamCounters counters;
    size_t sample = 0;  // the OnStats call that read them (samples_)
  };

  // What is kept of one peer connection between samples.
  struct PcState {
    double last_snapshot_ms = 0;
    // The previous sample of each RTP report and of the selected pair, by id.
    // Looked up for every RTP report of every sample and never walked in
    // order: hashed, as report ids often share a long prefix
    // ("RTCInboundRTPVideoStream_").
    std::unordered_map<std::string, PreviousSample, StatNameHash, std::equal_to<>> previous;
    // Per remote-inbound-rtp report id: its outbound stream's packetsSent at
    // the time of that report's previous sample (the send loss baseline).
    std::map<std::string, double, std::less<>> sent_at_remote_report;
    std::optional<PeerFeatures> features;
  };

  // What one OnStats call is working on.
  struct Sample;

  // The report types analysis reads.
  enum class ReportType {
    kOther,
    kOutboundRtp,
    kInboundRtp,
    kRemoteInboundRtp,
    kTransport,
    kCandidatePair,
  };

  // An RTP report of the sample in progress.
  struct RtpReport {
    // Reads the counters of `report`, whose time is `time_ms`, straight into
    // the new entry.
    RtpReport(std::string_view id, const StatsReport& report, ReportType type, double time_ms,
              PreviousSample* kept)
        : id(id),
          report(&report),
          type(type),
          counters(ReadStreamCounters(report, time_ms)),
          kept(kept) {}

    std::string_view id;
    const StatsReport* report = nullptr;
    ReportType type = ReportType::kOther;
    StreamCounters counters;
    // The report's previous sample; nullptr for its first.
    PreviousSample* kept = nullptr;

    // The counters of the report's previous sample; nullptr for its first.
    const StreamCounters* previous() const { return kept ? &kept->counters : nullptr; }
  };

  // The type of `report`.
  static ReportType TypeOf(const StatsReport& report);

  DirectionAccumulator& Acc(MediaKind kind, Direction direction) {
    return acc_[static_cast<int>(kind)][static_cast<int>(direction)];
  }
  const DirectionAccumulator& Acc(MediaKind kind, Direction direction) const {
    return acc_[static_cast<int>(kind)][static_cast<int>(direction)];
  }

  // Lists the reports of `s` that analysis reads, by type, in the snapshot's
  // order: its RTP reports in rtp_, with their counters and those of their
  // previous sample, and the reports its selected pair is found among.
  void CollectReports(const Sample& s);
  // The part outbound and inbound RTP reports share: the audio codec, then the
  // bytes, video size and frame rate since the previous sample. Returns the
  // previous sample's counters when the report advanced, else nullptr.
  const StreamCounters* OnRtp(const Sample& s, const RtpReport& rtp, MediaKind kind,
                              Direction direction, StreamCounter bytes_counter,
                              StreamCounter frames_counter);
  void OnOutbound(const Sample& s, const RtpReport& rtp);
  void OnInbound(const Sample& s, const RtpReport& rtp);
  void OnRemoteInbound(const Sample& s, const RtpReport& rtp);
  // The outbound-rtp report a remote-inbound-rtp report describes: the one
  // its `localId` names, else one whose `remoteId` names it, else one with the
  // same SSRC and kind. nullptr when there is none.
  const RtpReport* OutboundFor(const Sample& s, const RtpReport& remote) const;
  void OnSelectedPair(const Sample& s, const std::optional<SelectedPair>& pair);
  // Keeps the counters of this sample's RTP reports and selected pair as the
  // baseline of the next sample, and drops those of reports that went away.
  void KeepAsPrevious(const Sample& s, const std::optional<SelectedPair>& pair);
  void MarkConnected(std::string_view pc_id);
  // Fills in the round trip of one sample's directions (docs/metrics.md,
  // "time series"); `samples` is indexed [MediaKind][Direction].
  void FillSampleRtt(DirectionSample (&samples)[2][2]) const;
  // Fills in the MOS of one sample's directions that carried media in it.
  void FillSampleMos(DirectionSample (&samples)[2][2]) const;
  // The peer's round trip: audio send RTT, else video send RTT, else the
  // selected candidate pairs' RTT.
  std::optional<double> PeerRtt() const;
  DirectionSummary SummarizeDirection(MediaKind kind, Direction direction,
                                      std::optional<double> peer_rtt) const;

  std::map<std::string, PcState, std::less<>> pcs_;
  std::vector<std::string> pc_order_;       // first seen first
  std::vector<std::string> connect_order_;  // first connected first
  DirectionAccumulator acc_[2][2];          // [MediaKind][Direction]
  RunningStats pair_rtt_ms_;
  std::optional<double> sample_pair_rtt_ms_;  // of the OnStats call in progress
  PeerSeries series_;
  CallSetupTracker call_setup_;
  size_t samples_ = 0;
  // The reports of the OnStats call in progress (CollectReports); kept between
  // calls only to reuse their storage.
  std::vector<RtpReport> rtp_;
  std::vector<IdentifiedReport> transports_;
  std::vector<IdentifiedReport> candidate_pairs_;
};

}  // namespace rtcstream
