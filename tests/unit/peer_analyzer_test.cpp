#include "analysis/peer_analyzer.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <utility>

#include "analysis/time_coverage.h"
#include "analysis/video_mos.h"

namespace rtcstream {
namespace {

// Builds a StatsReport field by field.
class Report {
 public:
  Report(std::string_view type, double timestamp) {
    Str("type", type);
    Num("timestamp", timestamp);
  }
  Report& Num(const std::string& field, double value) {
    report_[field] = StatValue{StatValue::Kind::kNumber, value, {}};
    return *this;
  }
  Report& Str(const std::string& field, std::string_view value) {
    report_[field] = StatValue{StatValue::Kind::kString, 0, std::string(value)};
    return *this;
  }
  Report& Bool(const std::string& field, bool value) {
    report_[field] = StatValue{StatValue::Kind::kBool, value ? 1.0 : 0.0, {}};
    return *this;
  }
  Report& Null(const std::string& field) {
    report_[field] = StatValue{};
    return *this;
  }
  operator StatsReport() const { return report_; }

 private:
  StatsReport report_;
};

Report Outbound(std::string_view kind, double ts, double bytes, double packets = 0) {
  Report r("outbound-rtp", ts);
  r.Str("kind", kind).Num("ssrc", kind == "audio" ? 1111 : 2222);
  r.Num("bytesSent", bytes).Num("packetsSent", packets);
  return r;
}

Report Inbound(std::string_view kind, double ts, double bytes, double packets = 0,
               double lost = 0) {
  Report r("inbound-rtp", ts);
  r.Str("kind", kind).Num("ssrc", kind == "audio" ? 3333 : 4444);
  r.Num("bytesReceived", bytes).Num("packetsReceived", packets).Num("packetsLost", lost);
  return r;
}

StatsSnapshot Snapshot(double ts, std::initializer_list<std::pair<std::string, StatsReport>> rs) {
  StatsSnapshot s;
  s.timestamp_ms = ts;
  for (const auto& [id, r] : rs) s.reports[id] = r;
  return s;
}

constexpr double kT0 = 1'700'000'000'000;  // an epoch-ms client clock
constexpr double kStep = 8000;             // the SDK's default getStats interval

double T(int i) { return kT0 + i * kStep; }

TEST(PeerAnalyzerTest, BitrateOverThreeSamples) {
  PeerAnalyzer a;
  // 40 000 bytes per 8 s = 40 kbit/s, the rate of Opus voice.
  for (int i = 0; i < 3; ++i) {
    a.OnStats("PC_0", Snapshot(T(i), {{"OA", Outbound("audio", T(i), 40000.0 * i)}}));
  }
  EXPECT_EQ(a.StatsSamples(), 3u);
  const MediaSummary m = a.Summarize();
  ASSERT_TRUE(m.audio.send.bitrate);
  EXPECT_NEAR(*m.audio.send.bitrate, 40, 1e-9);
  EXPECT_FALSE(m.audio.recv.bitrate);
}

TEST(PeerAnalyzerTest, TwoSsrcsAreSummed) {
  PeerAnalyzer a;
  for (int i = 0; i < 3; ++i) {
    // Two simulcast layers: 300 and 100 kbit/s.
    a.OnStats("PC_0", Snapshot(T(i), {{"OV1", Outbound("video", T(i), 300000.0 * i)},
                                      {"OV2", Outbound("video", T(i), 100000.0 * i)}}));
  }
  EXPECT_NEAR(*a.Summarize().video.send.bitrate, 400, 1e-9);
}

TEST(PeerAnalyzerTest, CounterResetIsNeverNegative) {
  PeerAnalyzer a;
  const double bytes[] = {0, 40000, 1000, 41000};
  for (int i = 0; i < 4; ++i) {
    a.OnStats("PC_0", Snapshot(T(i), {{"OA", Outbound("audio", T(i), bytes[i])}}));
  }
  // The reset interval has no delta and no active time: 80 000 bytes in 16 s.
  EXPECT_NEAR(*a.Summarize().audio.send.bitrate, 40, 1e-9);
}

TEST(PeerAnalyzerTest, StaleReportIsSkipped) {
  PeerAnalyzer a;
  StatsSnapshot s = Snapshot(T(0), {{"IA", Inbound("audio", T(0), 0, 0)}});
  s.reports["IA"]["jitter"] = StatValue{StatValue::Kind::kNumber, 0.010, {}};
  a.OnStats("PC_0", s);
  // The next sample repeats the report unchanged (the SDK left it out of the
  // delta): same timestamp, a jitter value that must not count again.
  s.timestamp_ms = T(1);
  a.OnStats("PC_0", s);
  // Then it advances, having received 80 000 bytes since it last changed,
  // which can only have happened during the last interval.
  s.timestamp_ms = T(2);
  s.reports["IA"] = Inbound("audio", T(2), 80000, 400).Num("jitter", 0.030);
  a.OnStats("PC_0", s);
  const MediaSummary m = a.Summarize();
  EXPECT_NEAR(*m.audio.recv.bitrate, 80, 1e-9);
  EXPECT_NEAR(*m.audio.recv.jitter, 30, 1e-9);
}

TEST(PeerAnalyzerTest, PacketLossInBothDirections) {
  PeerAnalyzer a;
  const double sent[] = {0, 200, 400};
  const double remote_lost[] = {0, 4, 10};
  const double received[] = {0, 45, 90};
  const double lost[] = {0, 5, 10};
  for (int i = 0; i < 3; ++i) {
    // The far end's receiver reports arrive 2 s before each sample.
    Report remote("remote-inbound-rtp", T(i) - 2000);
    remote.Str("kind", "audio").Str("localId", "OA").Num("ssrc", 1111);
    remote.Num("packetsLost", remote_lost[i]);
    a.OnStats("PC_0", Snapshot(T(i), {{"OA", Outbound("audio", T(i), 20000.0 * i, sent[i])},
                                      {"RIA", remote},
                                      {"IA", Inbound("audio", T(i), 0, received[i], lost[i])}}));
  }
  const MediaSummary m = a.Summarize();
  // Sent by the time of the reports: 0 (baseline), 150, 350.
  EXPECT_NEAR(*m.audio.send.packet_loss, 10.0 / 350 * 100, 1e-9);
  EXPECT_NEAR(*m.audio.recv.packet_loss, 10.0 / 100 * 100, 1e-9);
  EXPECT_NEAR(*m.audio.PacketLoss(), (10.0 / 350 * 100 + 10) / 2, 1e-9);
}

TEST(PeerAnalyzerTest, SendLossCoversTheSpanOfTheFarEndsReports) {
  // Chrome's audio receiver reports come about every 5 s, getStats runs every
  // 2 s: 50 packets/s sent, 8 % of them lost, reported at 5, 10, 15 and 20 s;
  // the call goes on until 24 s. Lost and sent must cover the same span, or
  // the packets sent after the last report dilute the loss (60 / 900).
  PeerAnalyzer a;
  const double t0 = kT0;
  for (int second = 2; second <= 24; second += 2) {
    const double t = t0 + second * 1000.0;
    const int report_second = second / 5 * 5;
    StatsSnapshot s = Snapshot(t, {{"OA", Outbound("audio", t, 4000.0 * second, 50.0 * second)}});
    if (report_second > 0) {
      Report remote("remote-inbound-rtp", t0 + report_second * 1000.0);
      remote.Str("kind", "audio").Str("localId", "OA").Num("ssrc", 1111);
      remote.Num("packetsLost", 0.08 * 50 * report_second);
      s.reports["RIA"] = remote;
    }
    a.OnStats("PC_0", s);
  }
  EXPECT_NEAR(*a.Summarize().audio.send.packet_loss, 8, 1e-9);
}

TEST(PeerAnalyzerTest, SendLossSkipsAResetOfPacketsSent) {
  // A re-created sender starts packetsSent again under the same ids: the
  // interval across the reset counts neither sent nor lost packets.
  PeerAnalyzer a;
  const double sent[] = {0, 400, 20, 420};
  const double remote_lost[] = {0, 20, 21, 41};
  for (int i = 0; i < 4; ++i) {
    Report remote("remote-inbound-rtp", T(i));
    remote.Str("kind", "audio").Str("localId", "OA").Num("packetsLost", remote_lost[i]);
    a.OnStats("PC_0", Snapshot(T(i), {{"OA", Outbound("audio", T(i), 40000.0 * i, sent[i])},
                                      {"RIA", remote}}));
  }
  EXPECT_NEAR(*a.Summarize().audio.send.packet_loss, 40.0 / 800 * 100, 1e-9);
}

TEST(PeerAnalyzerTest, PacketLossIsNullWithoutPackets) {
  PeerAnalyzer a;
  for (int i = 0; i < 2; ++i) {
    // No remote-inbound report: the far end never reported on our stream.
    a.OnStats("PC_0", Snapshot(T(i), {{"OA", Outbound("audio", T(i), 40000.0 * i, 50.0 * i)}}));
  }
  const MediaSummary m = a.Summarize();
  EXPECT_TRUE(m.audio.send.bitrate);
  EXPECT_FALSE(m.audio.send.packet_loss);
}

TEST(PeerAnalyzerTest, RttCountsOnlyNewMeasurements) {
  PeerAnalyzer a;
  struct {
    std::optional<double> rtt;
    double measurements;
  } const samples[] = {{0.100, 1}, {std::nullopt, 1}, {0.200, 2}, {0.200, 2}};
  for (int i = 0; i < 4; ++i) {
    Report remote("remote-inbound-rtp", T(i) - 100);
    remote.Str("localId", "OV").Num("packetsLost", 0);  // kind only through localId
    remote.Num("roundTripTimeMeasurements", samples[i].measurements);
    if (samples[i].rtt) {
      remote.Num("roundTripTime", *samples[i].rtt);
    } else {
      remote.Null("roundTripTime");
    }
    a.OnStats("PC_0", Snapshot(T(i), {{"OV", Outbound("video", T(i), 500000.0 * i, 400.0 * i)},
                                      {"RIV", remote}}));
  }
  const MediaSummary m = a.Summarize();
  EXPECT_NEAR(*m.video.send.rtt, 150, 1e-9);
  EXPECT_FALSE(m.audio.send.rtt);
}

// The SDK nulls roundTripTime while no RTCP report arrives and leaves it out of
// its delta when the next measurement equals the last one: the decoded report
// then shows a new measurement with the null still in place.
TEST(PeerAnalyzerTest, NewMeasurementWithNullRttUsesTotalRoundTripTime) {
  PeerAnalyzer a;
  struct {
    std::optional<double> rtt;
    double measurements, total;
  } const samples[] = {{0.010, 1, 0.010}, {std::nullopt, 1, 0.010}, {std::nullopt, 3, 0.050}};
  for (int i = 0; i < 3; ++i) {
    Report remote("remote-inbound-rtp", T(i) - 100);
    remote.Str("kind", "audio").Str("localId", "OA");
    remote.Num("roundTripTimeMeasurements", samples[i].measurements);
    remote.Num("totalRoundTripTime", samples[i].total);
    if (samples[i].rtt) {
      remote.Num("roundTripTime", *samples[i].rtt);
    } else {
      remote.Null("roundTripTime");
    }
    a.OnStats("PC_0",
              Snapshot(T(i), {{"OA", Outbound("audio", T(i), 40000.0 * i)}, {"RIA", remote}}));
  }
  // Sample 0: 10 ms. Sample 1: no new measurement. Sample 2: two measurements
  // of 20 ms on average.
  EXPECT_NEAR(*a.Summarize().audio.send.rtt, (10 + 20) / 2.0, 1e-9);
}

TEST(PeerAnalyzerTest, RttWithoutMeasurementCountFollowsTotalRoundTripTime) {
  PeerAnalyzer a;
  const double rtt[] = {0.050, 0.050, 0.050, 0.070};
  const double total[] = {0.050, 0.100, 0.100, 0.170};
  for (int i = 0; i < 4; ++i) {
    Report remote("remote-inbound-rtp", T(i));
    remote.Str("kind", "audio").Str("localId", "OA");
    remote.Num("roundTripTime", rtt[i]).Num("totalRoundTripTime", total[i]);
    a.OnStats("PC_0",
              Snapshot(T(i), {{"OA", Outbound("audio", T(i), 40000.0 * i)}, {"RIA", remote}}));
  }
  // Samples 0, 1 and 3 are new measurements; sample 2 repeats sample 1.
  EXPECT_NEAR(*a.Summarize().audio.send.rtt, (50 + 50 + 70) / 3.0, 1e-9);
}

TEST(PeerAnalyzerTest, RttFallsBackToTheSelectedCandidatePair) {
  PeerAnalyzer a;
  for (int i = 0; i < 3; ++i) {
    Report pair("candidate-pair", T(i));
    pair.Str("localCandidateId", "L1").Num("currentRoundTripTime", 0.020 + 0.010 * i);
    pair.Num("bytesSent", 1000.0 * i);
    a.OnStats(
        "PC_0",
        Snapshot(T(i), {{"OA", Outbound("audio", T(i), 40000.0 * i)},
                        {"T01", Report("transport", T(i)).Str("selectedCandidatePairId", "CP")},
                        {"CP", pair},
                        {"L1", Report("local-candidate", T(i))
                                   .Str("candidateType", "host")
                                   .Str("protocol", "udp")}}));
  }
  const MediaSummary m = a.Summarize();
  EXPECT_NEAR(*m.audio.send.rtt, 30, 1e-9);
  EXPECT_FALSE(m.video.send.rtt);  // no video sent: nothing to fall back for
}

TEST(PeerAnalyzerTest, JitterMeans) {
  PeerAnalyzer a;
  const double recv_jitter[] = {0.050, 0.010, 0.030};
  const double send_jitter[] = {0.004, 0.008, 0.012};
  for (int i = 0; i < 3; ++i) {
    Report remote("remote-inbound-rtp", T(i) - 500);
    remote.Str("kind", "audio").Str("localId", "OA").Num("packetsLost", 0);
    remote.Num("jitter", send_jitter[i]);
    a.OnStats("PC_0", Snapshot(T(i), {{"OA", Outbound("audio", T(i), 40000.0 * i, 400.0 * i)},
                                      {"RIA", remote},
                                      {"IA", Inbound("audio", T(i), 40000.0 * i, 400.0 * i)
                                                 .Num("jitter", recv_jitter[i])}}));
  }
  const MediaSummary m = a.Summarize();
  // The first inbound sample is the baseline: jitter of active intervals only.
  EXPECT_NEAR(*m.audio.recv.jitter, 20, 1e-9);
  EXPECT_NEAR(*m.audio.send.jitter, 8, 1e-9);
  EXPECT_NEAR(*m.audio.Jitter(), 14, 1e-9);
}

TEST(PeerAnalyzerTest, AudioOnlyPeerHasNullVideo) {
  PeerAnalyzer a;
  for (int i = 0; i < 3; ++i) {
    a.OnStats("PC_0", Snapshot(T(i), {{"OA", Outbound("audio", T(i), 40000.0 * i, 400.0 * i)},
                                      {"IA", Inbound("audio", T(i), 40000.0 * i, 400.0 * i)}}));
  }
  const MediaSummary m = a.Summarize();
  for (const DirectionSummary* d : {&m.video.send, &m.video.recv}) {
    EXPECT_FALSE(d->bitrate);
    EXPECT_FALSE(d->packet_loss);
    EXPECT_FALSE(d->jitter);
    EXPECT_FALSE(d->rtt);
    EXPECT_FALSE(d->mos);
    EXPECT_FALSE(d->score);
  }
  EXPECT_FALSE(m.video.Bitrate());
  EXPECT_FALSE(m.video.PacketLoss());
  EXPECT_FALSE(m.video.Jitter());
  ASSERT_TRUE(m.audio.send.mos);
  ASSERT_TRUE(m.audio.recv.mos);
  EXPECT_NEAR(*m.mos, (*m.audio.send.mos + *m.audio.recv.mos) / 2, 1e-12);
  EXPECT_GT(*m.mos, 4.3);
  ASSERT_TRUE(m.score);
  EXPECT_DOUBLE_EQ(*m.score, 10);
}

TEST(PeerAnalyzerTest, NoStatsMeansAllNull) {
  PeerAnalyzer a;
  const MediaSummary m = a.Summarize();
  EXPECT_FALSE(m.mos);
  EXPECT_FALSE(m.score);
  EXPECT_FALSE(m.call_setup_time);
  EXPECT_FALSE(m.audio.send.bitrate);
  EXPECT_FALSE(a.Features().connection_type);
  EXPECT_FALSE(a.Features().media_transport);
}

TEST(PeerAnalyzerTest, VideoMosAndScoreFromFrames) {
  PeerAnalyzer a;
  for (int i = 0; i < 3; ++i) {
    Report out = Outbound("video", T(i), 1382400.0 * i, 1000.0 * i);  // 1382.4 kbit/s
    out.Num("frameWidth", 1280).Num("frameHeight", 720).Num("framesPerSecond", 30);
    Report in = Inbound("video", T(i), 50000.0 * i, 100.0 * i);  // 50 kbit/s
    in.Num("frameWidth", 320).Num("frameHeight", 180).Num("framesDecoded", 40.0 * i);
    a.OnStats("PC_0", Snapshot(T(i), {{"OV", out}, {"IV", in}}));
  }
  const MediaSummary m = a.Summarize();
  EXPECT_NEAR(*m.video.send.mos, 4.5, 1e-9);
  EXPECT_NEAR(*m.video.send.score, 10, 1e-9);
  ASSERT_TRUE(m.video.recv.mos);
  EXPECT_LT(*m.video.recv.mos, *m.video.send.mos);
  // 5 fps from framesDecoded (40 frames in 8 s) and 50 kbit/s both cost.
  EXPECT_NEAR(*m.video.recv.score, 10 - 1.5 - 1.5, 1e-9);
  EXPECT_FALSE(m.mos);  // MOS is audio only
  EXPECT_NEAR(*m.score, (10 + 10 - 1.5 - 1.5) / 2, 1e-9);
}

TEST(PeerAnalyzerTest, CleanLoopbackCallScoresTen) {
  // The figures of tests/fixtures/sdk-recordings/two-peer-call.jsonl in 2 s
  // samples: Opus at 25 kbit/s and VP8 640x360 at 15 fps and 151 kbit/s both
  // ways, no loss, 1 ms jitter, 2 ms round trip. Nothing went wrong, so
  // nothing is penalized; the video MOS rates the small, 15 fps picture.
  PeerAnalyzer a;
  constexpr double kSample = 2000;
  for (int i = 0; i < 12; ++i) {
    const double t = kT0 + i * kSample;
    auto video = [&](Report r) {
      r.Num("frameWidth", 640).Num("frameHeight", 360).Num("framesPerSecond", 15);
      return r.Num("jitter", 0.001);
    };
    Report remote_audio("remote-inbound-rtp", t - 500);
    remote_audio.Str("kind", "audio").Str("localId", "OA").Num("packetsLost", 0);
    remote_audio.Num("jitter", 0.001).Num("roundTripTime", 0.002);
    remote_audio.Num("roundTripTimeMeasurements", i + 1);
    Report remote_video("remote-inbound-rtp", t - 500);
    remote_video.Str("kind", "video").Str("localId", "OV").Num("packetsLost", 0);
    remote_video.Num("jitter", 0.001).Num("roundTripTime", 0.002);
    remote_video.Num("roundTripTimeMeasurements", i + 1);
    a.OnStats("PC_0",
              Snapshot(t, {{"OA", Outbound("audio", t, 6250.0 * i, 100.0 * i)},
                           {"IA", Inbound("audio", t, 6250.0 * i, 100.0 * i).Num("jitter", 0.001)},
                           {"OV", video(Outbound("video", t, 37750.0 * i, 40.0 * i))},
                           {"IV", video(Inbound("video", t, 37750.0 * i, 40.0 * i))},
                           {"RIA", remote_audio},
                           {"RIV", remote_video}}));
  }
  const MediaSummary m = a.Summarize();
  EXPECT_NEAR(*m.audio.send.bitrate, 25, 1e-9);
  EXPECT_NEAR(*m.video.recv.bitrate, 151, 1e-9);
  for (const DirectionSummary* d : {&m.audio.send, &m.audio.recv, &m.video.send, &m.video.recv}) {
    EXPECT_DOUBLE_EQ(*d->score, 10);
  }
  EXPECT_DOUBLE_EQ(*m.score, 10);
  EXPECT_NEAR(*m.video.send.mos, 3.09, 0.005);
  EXPECT_NEAR(*m.video.recv.mos, 3.09, 0.005);
}

TEST(PeerAnalyzerTest, LongGapsGiveNoBitrate) {
  PeerAnalyzer a;
  const double times[] = {T(0), T(1), T(1) + 11 * 60 * 1000};
  const double bytes[] = {0, 40000, 90000};
  for (int i = 0; i < 3; ++i) {
    a.OnStats("PC_0", Snapshot(times[i], {{"OA", Outbound("audio", times[i], bytes[i])}}));
  }
  EXPECT_NEAR(*a.Summarize().audio.send.bitrate, 40, 1e-9);
}

TEST(PeerAnalyzerTest, CallSetupTime) {
  PeerAnalyzer a;
  EXPECT_FALSE(a.Summarize().call_setup_time);
  a.OnConnectionStateChange("PC_0", "connected", 500);  // before any offer: not ours
  a.OnSetLocalDescription("PC_0", 1000);
  a.OnConnectionStateChange("PC_0", "connecting", 1200);
  a.OnSetLocalDescription("PC_1", 1500);
  a.OnConnectionStateChange("PC_1", "connected", 2100);
  a.OnConnectionStateChange("PC_0", "connected", 1900);
  EXPECT_NEAR(*a.Summarize().call_setup_time, 900, 1e-9);
}

TEST(PeerAnalyzerTest, CallSetupTimeFallsBackToIceState) {
  PeerAnalyzer a;
  a.OnSetLocalDescription("PC_0", 1000);
  a.OnIceConnectionStateChange("PC_0", "checking", 1100);
  a.OnIceConnectionStateChange("PC_0", "completed", 1450);
  EXPECT_NEAR(*a.Summarize().call_setup_time, 450, 1e-9);

  // Once connectionState events exist, the ICE state no longer counts.
  a.OnConnectionStateChange("PC_0", "failed", 9000);
  EXPECT_FALSE(a.Summarize().call_setup_time);
}

TEST(PeerAnalyzerTest, CallSetupTimeNullWhenNeverConnected) {
  PeerAnalyzer a;
  a.OnSetLocalDescription("PC_0", 1000);
  a.OnConnectionStateChange("PC_0", "connecting", 1100);
  a.OnConnectionStateChange("PC_0", "failed", 30000);
  EXPECT_FALSE(a.Summarize().call_setup_time);
}

StatsSnapshot ChromePair(std::string_view candidate_type, std::string_view protocol,
                         std::optional<std::string_view> relay_protocol) {
  Report local("local-candidate", T(0));
  local.Str("candidateType", candidate_type).Str("protocol", protocol);
  if (relay_protocol) local.Str("relayProtocol", *relay_protocol);
  return Snapshot(
      T(0),
      {{"T01", Report("transport", T(0)).Str("selectedCandidatePairId", "CP1")},
       {"CP1", Report("candidate-pair", T(0)).Str("localCandidateId", "L1")},
       {"CP2", Report("candidate-pair", T(0)).Str("localCandidateId", "L2")},
       {"L1", local},
       {"L2",
        Report("local-candidate", T(0)).Str("candidateType", "host").Str("protocol", "tcp")}});
}

TEST(PeerAnalyzerTest, FeaturesDirectUdp) {
  PeerAnalyzer a;
  a.OnStats("PC_0", ChromePair("srflx", "udp", std::nullopt));
  const PeerFeatures f = a.Features();
  EXPECT_EQ(f.connection_type, "direct");
  EXPECT_EQ(f.media_transport, "udp");
}

TEST(PeerAnalyzerTest, FeaturesRelayTlsFromChromeTransport) {
  PeerAnalyzer a;
  a.OnStats("PC_0", ChromePair("relay", "udp", "TLS"));
  EXPECT_EQ(a.Features().connection_type, "TURN");
  EXPECT_EQ(a.Features().media_transport, "tls");
}

TEST(PeerAnalyzerTest, FeaturesRelayFromFirefoxSelectedFlag) {
  PeerAnalyzer a;
  a.OnStats(
      "PC_0",
      Snapshot(
          T(0),
          {{"p1", Report("candidate-pair", T(0))
                      .Str("localCandidateId", "host1")
                      .Bool("selected", false)
                      .Bool("nominated", false)
                      .Str("state", "failed")},
           {"p2", Report("candidate-pair", T(0))
                      .Str("localCandidateId", "relay1")
                      .Bool("selected", true)
                      .Bool("nominated", true)
                      .Str("state", "succeeded")},
           {"host1",
            Report("local-candidate", T(0)).Str("candidateType", "host").Str("protocol", "udp")},
           {"relay1", Report("local-candidate", T(0))
                          .Str("candidateType", "relay")
                          .Str("protocol", "udp")
                          .Str("relayProtocol", "tls")}}));
  EXPECT_EQ(a.Features().connection_type, "TURN");
  EXPECT_EQ(a.Features().media_transport, "tls");
}

TEST(PeerAnalyzerTest, FeaturesRelayWithoutRelayProtocolUsesTheTurnUrl) {
  // Safari has no relayProtocol.
  PeerAnalyzer a;
  StatsSnapshot s = ChromePair("relay", "udp", std::nullopt);
  s.reports["L1"]["url"] =
      StatValue{StatValue::Kind::kString, 0, "turns:turn.example.org:443?transport=tcp"};
  a.OnStats("PC_0", s);
  EXPECT_EQ(a.Features().media_transport, "tls");

  PeerAnalyzer b;
  b.OnStats("PC_0", ChromePair("relay", "udp", std::nullopt));
  EXPECT_EQ(b.Features().connection_type, "TURN");
  EXPECT_FALSE(b.Features().media_transport);  // unknown, not guessed
}

TEST(PeerAnalyzerTest, FeaturesOfTheFirstPcThatConnected) {
  PeerAnalyzer a;
  a.OnStats("PC_0", ChromePair("host", "udp", std::nullopt));
  a.OnStats("PC_1", ChromePair("relay", "udp", "tcp"));
  // Before any connection event: the first pc with a selected pair.
  EXPECT_EQ(a.Features().connection_type, "direct");
  a.OnConnectionStateChange("PC_1", "connected", 2000);
  a.OnConnectionStateChange("PC_0", "connected", 3000);
  EXPECT_EQ(a.Features().connection_type, "TURN");
  EXPECT_EQ(a.Features().media_transport, "tcp");
}

TEST(PeerAnalyzerTest, TwoPcsAreSummed) {
  PeerAnalyzer a;
  for (int i = 0; i < 3; ++i) {
    // The same report ids in both pcs: their counters must not mix.
    a.OnStats("PC_0", Snapshot(T(i), {{"OA", Outbound("audio", T(i), 40000.0 * i)}}));
    a.OnStats("PC_1", Snapshot(T(i), {{"OA", Outbound("audio", T(i), 1'000'000 + 40000.0 * i)}}));
  }
  EXPECT_NEAR(*a.Summarize().audio.send.bitrate, 80, 1e-9);
}

TEST(PeerAnalyzerTest, OverlappingPcsShareActiveTime) {
  PeerAnalyzer a;
  for (int i = 0; i < 3; ++i) {
    a.OnStats("PC_0", Snapshot(T(i), {{"OA", Outbound("audio", T(i), 40000.0 * i)}}));
    const double t1 = T(i) + kStep / 2;
    a.OnStats("PC_1", Snapshot(t1, {{"OA", Outbound("audio", t1, 40000.0 * i)}}));
  }
  // 160 000 bytes while at least one pc was active: T(0) .. T(2) + 4 s = 20 s.
  EXPECT_NEAR(*a.Summarize().audio.send.bitrate, 160000.0 * 8 / 20000, 1e-9);
}

TEST(PeerAnalyzerTest, ANewPcStartsFromItsOwnBaseline) {
  PeerAnalyzer a;
  for (int i = 0; i < 2; ++i) {
    a.OnStats("PC_0", Snapshot(T(i), {{"OA", Outbound("audio", T(i), 40000.0 * i)}}));
  }
  a.OnPcClosed("PC_0", T(1));
  // A reconnect: a new pc whose counters start again from zero.
  for (int i = 2; i < 4; ++i) {
    a.OnStats("PC_1", Snapshot(T(i), {{"OA", Outbound("audio", T(i), 40000.0 * (i - 2))}}));
  }
  EXPECT_NEAR(*a.Summarize().audio.send.bitrate, 40, 1e-9);
}

TEST(PeerAnalyzerTest, BitsPerPixelOfTwoPcsSumsTheirPixels) {
  // A mesh: the same 640x360@15 camera sent to two peers at 100 kbit/s each.
  // Each stream has 0.029 bits per pixel; the peer's 200 kbit/s must not be
  // set against the pixels of one stream only.
  PeerAnalyzer a;
  for (int i = 0; i < 3; ++i) {
    for (const char* pc : {"PC_0", "PC_1"}) {
      Report out = Outbound("video", T(i), 100000.0 * i, 100.0 * i);
      out.Num("frameWidth", 640).Num("frameHeight", 360).Num("framesPerSecond", 15);
      a.OnStats(pc, Snapshot(T(i), {{"OV", out}}));
    }
  }
  const MediaSummary m = a.Summarize();
  EXPECT_NEAR(*m.video.send.bitrate, 200, 1e-9);
  EXPECT_NEAR(*m.video.send.mos, VideoMos({100, 640 * 360 * 15, 640 * 360, 15, 0}), 1e-9);
}

TEST(PeerAnalyzerTest, SteadyPcsOfDifferentRatesShowNoVariation) {
  // A camera on PC_0 (1000 kbit/s) and a screen share on PC_1 (200 kbit/s),
  // both perfectly steady: their samples are two flat series, not one that
  // jumps between 1000 and 200.
  PeerAnalyzer a;
  for (int i = 0; i < 4; ++i) {
    Report camera = Outbound("video", T(i), 1000000.0 * i, 1000.0 * i);
    camera.Num("frameWidth", 1280).Num("frameHeight", 720).Num("framesPerSecond", 30);
    a.OnStats("PC_0", Snapshot(T(i), {{"OV", camera}}));
    Report screen = Outbound("video", T(i), 200000.0 * i, 200.0 * i);
    screen.Num("frameWidth", 1280).Num("frameHeight", 720).Num("framesPerSecond", 30);
    a.OnStats("PC_1", Snapshot(T(i), {{"OV", screen}}));
  }
  EXPECT_DOUBLE_EQ(*a.Summarize().video.send.score, 10);
}

TEST(PeerAnalyzerTest, TimeCoverageKeepsOnlyDisjointIntervals) {
  TimeCoverage c;
  // Four hours of back-to-back 2 s samples from two overlapping pcs.
  for (int i = 0; i < 7200; ++i) {
    c.Add(i * 2000.0, (i + 1) * 2000.0);
    c.Add(i * 2000.0 + 1000, (i + 1) * 2000.0 + 1000);
  }
  EXPECT_EQ(c.intervals(), 1u);
  EXPECT_DOUBLE_EQ(c.TotalMs(), 7200 * 2000.0 + 1000);

  // Out of order, nested and bridging intervals.
  TimeCoverage d;
  d.Add(50, 60);
  d.Add(10, 20);
  d.Add(30, 40);
  d.Add(12, 15);
  EXPECT_EQ(d.intervals(), 3u);
  EXPECT_DOUBLE_EQ(d.TotalMs(), 30);
  d.Add(20, 30);  // joins [10, 20] and [30, 40]
  EXPECT_EQ(d.intervals(), 2u);
  EXPECT_DOUBLE_EQ(d.TotalMs(), 40);
  d.Add(0, 100);
  EXPECT_EQ(d.intervals(), 1u);
  EXPECT_DOUBLE_EQ(d.TotalMs(), 100);
  d.Add(100, 100);  // empty
  d.Add(120, 110);  // inverted
  EXPECT_DOUBLE_EQ(d.TotalMs(), 100);
}

TEST(PeerAnalyzerTest, JitterBufferDelayLowersReceiveMos) {
  auto run = [](double buffer_delay_s) {
    PeerAnalyzer a;
    for (int i = 0; i < 3; ++i) {
      Report in = Inbound("audio", T(i), 40000.0 * i, 400.0 * i);
      in.Num("jitter", 0.005)
          .Num("jitterBufferDelay", buffer_delay_s * 384000 * i)
          .Num("jitterBufferEmittedCount", 384000.0 * i);
      a.OnStats("PC_0", Snapshot(T(i), {{"IA", in}}));
    }
    return *a.Summarize().audio.recv.mos;
  };
  EXPECT_GT(run(0.040), run(0.400));
}

}  // namespace
}  // namespace rtcstream
