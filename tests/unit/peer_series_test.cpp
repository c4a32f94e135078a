// The per-getStats time series: synthetic samples through PeerAnalyzer, and the
// real SDK's traffic (tests/fixtures/sdk-recordings/) through PeerState.

#include "analysis/peer_series.h"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <stdlib.h>

#include <cmath>
#include <fstream>
#include <map>
#include <string>

#include "analysis/peer_analyzer.h"
#include "rooms/peer_state.h"
#include "wire/frame.h"

namespace rtcstream {
namespace {

StatsReport Report(std::string_view type, double ts) {
  StatsReport r;
  r["type"] = StatValue{StatValue::Kind::kString, 0, std::string(type)};
  r["timestamp"] = StatValue{StatValue::Kind::kNumber, ts, {}};
  return r;
}

void Num(StatsReport* r, const std::string& field, double value) {
  (*r)[field] = StatValue{StatValue::Kind::kNumber, value, {}};
}

void Str(StatsReport* r, const std::string& field, std::string_view value) {
  (*r)[field] = StatValue{StatValue::Kind::kString, 0, std::string(value)};
}

constexpr double kT0 = 1'700'000'000'000;
constexpr double kStep = 2000;

// One pc sending audio at 40 kbit/s and video 640x360 at 15 fps, 400 kbit/s.
StatsSnapshot Sending(int i) {
  const double t = kT0 + i * kStep;
  StatsSnapshot s;
  s.timestamp_ms = t;
  StatsReport audio = Report("outbound-rtp", t);
  Str(&audio, "kind", "audio");
  Num(&audio, "ssrc", 1);
  Num(&audio, "bytesSent", 10000.0 * i);
  Num(&audio, "packetsSent", 100.0 * i);
  s.reports["OA"] = audio;
  StatsReport video = Report("outbound-rtp", t);
  Str(&video, "kind", "video");
  Num(&video, "ssrc", 2);
  Num(&video, "bytesSent", 100000.0 * i);
  Num(&video, "frameWidth", 640);
  Num(&video, "frameHeight", 360);
  Num(&video, "framesPerSecond", 15);
  s.reports["OV"] = video;
  return s;
}

TEST(PeerSeriesTest, OneSamplePerGetStatsWithNullsWhereUnknown) {
  PeerAnalyzer a;
  for (int i = 0; i < 4; ++i) a.OnStats("PC_0", Sending(i));
  const PeerSeries& series = a.series();
  ASSERT_EQ(series.size(), 4u);
  EXPECT_EQ(series.time_ms()[3], static_cast<int64_t>(kT0 + 3 * kStep));
  ASSERT_EQ(series.pc_ids().size(), 1u);
  EXPECT_EQ(series.pc_ids()[0], "PC_0");

  const auto& audio = series.Column(MediaKind::kAudio, Direction::kSend, SeriesField::kBitrate);
  const auto& video = series.Column(MediaKind::kVideo, Direction::kSend, SeriesField::kBitrate);
  ASSERT_EQ(audio.size(), 4u);
  // The first sample is only the baseline: unknown, not 0.
  EXPECT_TRUE(std::isnan(audio[0]));
  EXPECT_TRUE(std::isnan(video[0]));
  for (int i = 1; i < 4; ++i) {
    EXPECT_NEAR(audio[i], 40, 1e-4);  // 10 000 bytes per 2 s
    EXPECT_NEAR(video[i], 400, 1e-3);
    EXPECT_EQ(series.Column(MediaKind::kVideo, Direction::kSend, SeriesField::kFrameWidth)[i], 640);
    EXPECT_EQ(series.Column(MediaKind::kVideo, Direction::kSend, SeriesField::kFrameHeight)[i],
              360);
    EXPECT_EQ(series.Column(MediaKind::kVideo, Direction::kSend, SeriesField::kFps)[i], 15);
  }
  // Nothing received, no receiver report, no round trip: all unknown.
  for (float v : series.Column(MediaKind::kAudio, Direction::kRecv, SeriesField::kBitrate)) {
    EXPECT_TRUE(std::isnan(v));
  }
  for (SeriesField f : {SeriesField::kPacketLoss, SeriesField::kJitter, SeriesField::kRtt}) {
    for (float v : series.Column(MediaKind::kAudio, Direction::kSend, f))
      EXPECT_TRUE(std::isnan(v));
  }
  // A MOS only for intervals in which media flowed.
  const auto& mos = series.Column(MediaKind::kAudio, Direction::kSend, SeriesField::kMos);
  EXPECT_TRUE(std::isnan(mos[0]));
  EXPECT_GT(mos[1], 4);
  EXPECT_TRUE(std::isnan(series.Column(MediaKind::kAudio, Direction::kRecv, SeriesField::kMos)[1]));
  EXPECT_GT(series.Column(MediaKind::kVideo, Direction::kSend, SeriesField::kMos)[1], 1);
  // Audio has no frame columns.
  EXPECT_TRUE(series.Column(MediaKind::kAudio, Direction::kSend, SeriesField::kFps).empty());
}

TEST(PeerSeriesTest, LossJitterAndRttPerSample) {
  PeerAnalyzer a;
  for (int i = 0; i < 3; ++i) {
    const double t = kT0 + i * kStep;
    StatsSnapshot s = Sending(i);
    StatsReport remote = Report("remote-inbound-rtp", t);
    Str(&remote, "kind", "audio");
    Str(&remote, "localId", "OA");
    Num(&remote, "ssrc", 1);
    Num(&remote, "packetsLost", 10.0 * i);  // 10 of 100 sent per interval
    Num(&remote, "jitter", 0.004 * (i + 1));
    Num(&remote, "roundTripTime", 0.05 * (i + 1));
    Num(&remote, "roundTripTimeMeasurements", i + 1);
    s.reports["RA"] = remote;
    a.OnStats("PC_0", s);
  }
  const PeerSeries& series = a.series();
  const auto& loss = series.Column(MediaKind::kAudio, Direction::kSend, SeriesField::kPacketLoss);
  const auto& jitter = series.Column(MediaKind::kAudio, Direction::kSend, SeriesField::kJitter);
  const auto& rtt = series.Column(MediaKind::kAudio, Direction::kSend, SeriesField::kRtt);
  // The first sample is the baseline: no media yet, so nothing is known.
  EXPECT_TRUE(std::isnan(loss[0]));
  EXPECT_TRUE(std::isnan(rtt[0]));
  EXPECT_NEAR(loss[1], 10, 1e-4);
  EXPECT_NEAR(loss[2], 10, 1e-4);
  EXPECT_NEAR(jitter[2], 12, 1e-4);
  EXPECT_NEAR(rtt[1], 100, 1e-4);
  EXPECT_NEAR(rtt[2], 150, 1e-4);
  // The summary's figures are the means of the same measurements.
  const MediaSummary m = a.Summarize();
  EXPECT_NEAR(*m.audio.send.packet_loss, 10, 1e-9);
}

TEST(PeerSeriesTest, SamplesOfSeveralPcsNameTheirPc) {
  PeerAnalyzer a;
  for (int i = 0; i < 3; ++i) {
    a.OnStats("PC_0", Sending(i));
    a.OnStats("PC_1", Sending(i));
  }
  const PeerSeries& series = a.series();
  ASSERT_EQ(series.size(), 6u);
  ASSERT_EQ(series.pc_ids().size(), 2u);
  EXPECT_EQ(series.pc_ids()[1], "PC_1");
  EXPECT_EQ(series.pc_index()[4], 0u);
  EXPECT_EQ(series.pc_index()[5], 1u);
  // Each sample has its own pc's streams only.
  EXPECT_NEAR(series.Column(MediaKind::kAudio, Direction::kSend, SeriesField::kBitrate)[5], 40,
              1e-4);
}

// ---- The real SDK's traffic ----

std::string Fixture(const std::string& name) {
  return std::string(RTCSTREAM_SOURCE_DIR) + "/tests/fixtures/sdk-recordings/" + name;
}

std::string SessionIdOf(std::string_view url) {
  const size_t pos = url.find("sessionId=");
  if (pos == std::string_view::npos) return {};
  const size_t start = pos + 10;
  return std::string(url.substr(start, url.find('&', start) - start));
}

// Each SDK session of a recording, decoded and analysed, with the number of
// getstats tuples it sent.
struct RecordedPeer {
  std::unique_ptr<PeerState> state;
  size_t getstats = 0;
};

size_t CountGetstats(simdjson::dom::element tuples) {
  simdjson::dom::array array = tuples.get_array().value();
  // A single tuple starts with its name; a batch is an array of tuples.
  if (array.size() > 0 && array.at(0).is_string()) {
    return array.at(0).get_string().value() == "getstats" ? 1 : 0;
  }
  size_t n = 0;
  for (simdjson::dom::element tuple : array) {
    simdjson::dom::array t;
    if (tuple.get_array().get(t) != simdjson::SUCCESS || t.size() == 0) continue;
    std::string_view name;
    if (t.at(0).get_string().get(name) == simdjson::SUCCESS && name == "getstats") ++n;
  }
  return n;
}

std::map<std::string, RecordedPeer> ReplayRecording(const std::string& name) {
  std::map<std::string, RecordedPeer> peers;  // by peer id
  std::map<int64_t, RecordedPeer*> by_conn;
  std::map<std::string, RecordedPeer> by_session;
  std::ifstream in(Fixture(name));
  EXPECT_TRUE(in) << Fixture(name);
  simdjson::dom::parser parser;
  simdjson::dom::parser frame_parser;
  std::string line;
  while (std::getline(in, line)) {
    simdjson::dom::element e = parser.parse(line).value();
    std::string_view event;
    if (e["event"].get_string().get(event) != simdjson::SUCCESS) event = "frame";
    int64_t conn = 0;
    if (e["conn"].get_int64().get(conn) != simdjson::SUCCESS) continue;
    if (event == "open") {
      RecordedPeer& peer = by_session[SessionIdOf(e["url"].get_string().value())];
      if (!peer.state) peer.state = std::make_unique<PeerState>("session", "");
      by_conn[conn] = &peer;
    } else if (event == "frame" && by_conn.count(conn) != 0) {
      DecodedFrame frame;
      if (!DecodeFrame(e["frame"].get_string().value(), FrameLimits{}, &frame).ok()) continue;
      RecordedPeer& peer = *by_conn[conn];
      FrameDecodeResult result;
      EXPECT_TRUE(peer.state->FeedFrameJson(frame.json, &result).ok());
      simdjson::dom::element tuples;
      if (frame_parser.parse(frame.json).get(tuples) == simdjson::SUCCESS) {
        peer.getstats += CountGetstats(tuples);
      }
    }
  }
  for (auto& [session, peer] : by_session) {
    if (peer.state && peer.state->has_identity()) {
      const std::string id = peer.state->peer_id();
      peers[id] = std::move(peer);
    }
  }
  return peers;
}

// Mean of the known values of a column; NaN when none is known.
double MeanOfKnown(const std::vector<float>& column, size_t* known) {
  double sum = 0;
  *known = 0;
  for (float v : column) {
    if (std::isnan(v)) continue;
    sum += v;
    ++*known;
  }
  return *known == 0 ? NAN : sum / static_cast<double>(*known);
}

TEST(PeerSeriesRecordingTest, TwoPeerCallMatchesTheSummary) {
  std::map<std::string, RecordedPeer> peers = ReplayRecording("two-peer-call.jsonl");
  ASSERT_EQ(peers.size(), 2u);
  for (auto& [peer_id, peer] : peers) {
    SCOPED_TRACE(peer_id);
    const PeerSeries series = peer.state->Series();
    const PeerRecord record = peer.state->ToRecord();
    // One sample per getstats message, about 25 s at one per 2 s.
    EXPECT_GE(peer.getstats, 10u);
    EXPECT_EQ(series.size(), peer.getstats);
    EXPECT_EQ(series.start_ms(), record.start_ms);
    for (size_t i = 0; i < series.size(); ++i) {
      EXPECT_GE(series.time_ms()[i], record.start_ms);
      EXPECT_LE(series.time_ms()[i], record.end_ms);
      if (i > 0) {
        EXPECT_GE(series.time_ms()[i], series.time_ms()[i - 1]);
      }
    }

    struct Check {
      MediaKind kind;
      Direction direction;
      std::optional<double> summary;
    };
    const Check checks[] = {
        {MediaKind::kAudio, Direction::kSend, record.stats.audio.send.bitrate},
        {MediaKind::kAudio, Direction::kRecv, record.stats.audio.recv.bitrate},
        {MediaKind::kVideo, Direction::kSend, record.stats.video.send.bitrate},
        {MediaKind::kVideo, Direction::kRecv, record.stats.video.recv.bitrate},
    };
    for (const Check& c : checks) {
      const std::vector<float>& bitrate = series.Column(c.kind, c.direction, SeriesField::kBitrate);
      size_t known = 0;
      const double mean = MeanOfKnown(bitrate, &known);
      ASSERT_TRUE(c.summary);
      // Samples come at a steady interval while media flows, so their plain
      // mean is the time-weighted average the summary is.
      EXPECT_GE(known, series.size() / 2);
      EXPECT_NEAR(mean, *c.summary, *c.summary * 0.1);
      for (float v : bitrate) {
        // Unknown is null, never 0.
        if (!std::isnan(v)) {
          EXPECT_GT(v, 0);
        }
      }
      // Before the first interval (the baseline) nothing is known.
      EXPECT_TRUE(std::isnan(bitrate[0]));
    }
    // The fake camera: 640x360 at about 15 fps, in both directions.
    for (Direction d : {Direction::kSend, Direction::kRecv}) {
      size_t known = 0;
      EXPECT_EQ(MeanOfKnown(series.Column(MediaKind::kVideo, d, SeriesField::kFrameWidth), &known),
                640);
      EXPECT_EQ(MeanOfKnown(series.Column(MediaKind::kVideo, d, SeriesField::kFrameHeight), &known),
                360);
      EXPECT_NEAR(MeanOfKnown(series.Column(MediaKind::kVideo, d, SeriesField::kFps), &known), 15,
                  2);
    }
    // The per-sample MOS averages to the summary's: the call was steady.
    const std::pair<Direction, const DirectionSummary*> directions[] = {
        {Direction::kSend, &record.stats.audio.send}, {Direction::kRecv, &record.stats.audio.recv}};
    for (const auto& [d, summary] : directions) {
      size_t mos_known = 0;
      const double mos =
          MeanOfKnown(series.Column(MediaKind::kAudio, d, SeriesField::kMos), &mos_known);
      ASSERT_TRUE(summary->mos);
      EXPECT_GE(mos_known, series.size() / 2);
      EXPECT_NEAR(mos, *summary->mos, 0.05);
    }
    const std::pair<Direction, const DirectionSummary*> video_directions[] = {
        {Direction::kSend, &record.stats.video.send}, {Direction::kRecv, &record.stats.video.recv}};
    for (const auto& [d, summary] : video_directions) {
      size_t mos_known = 0;
      const double mos =
          MeanOfKnown(series.Column(MediaKind::kVideo, d, SeriesField::kMos), &mos_known);
      ASSERT_TRUE(summary->mos);
      EXPECT_GE(mos_known, series.size() / 2);
      EXPECT_NEAR(mos, *summary->mos, 0.1);
    }
    // Loopback: no loss, a round trip of about a millisecond in most samples.
    size_t known = 0;
    EXPECT_EQ(
        MeanOfKnown(series.Column(MediaKind::kAudio, Direction::kRecv, SeriesField::kPacketLoss),
                    &known),
        0);
    EXPECT_GE(known, series.size() / 2);
    const double rtt =
        MeanOfKnown(series.Column(MediaKind::kAudio, Direction::kSend, SeriesField::kRtt), &known);
    EXPECT_GE(known, series.size() / 2);
    EXPECT_GT(rtt, 0);
    EXPECT_LT(rtt, 20);
  }
}

TEST(PeerSeriesRecordingTest, MeshPeersHaveOneSeriesAcrossTheirPcs) {
  std::map<std::string, RecordedPeer> peers = ReplayRecording("three-peer-mesh.jsonl");
  ASSERT_EQ(peers.size(), 3u);
  for (auto& [peer_id, peer] : peers) {
    SCOPED_TRACE(peer_id);
    const PeerSeries series = peer.state->Series();
    EXPECT_EQ(series.size(), peer.getstats);
    EXPECT_EQ(series.pc_ids().size(), 2u);
  }
}

}  // namespace
}  // namespace rtcstream
