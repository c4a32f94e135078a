// Importing recorded dumps: the rtcstats-server dumps of jitsi/rtcstats-server's
// own test suite (../shared/fixtures/rtcstats-dumps, with upstream's expected
// results) and a chrome://webrtc-internals dump of a real call
// (tests/fixtures/webrtc-internals). docs/import.md explains every difference
// from upstream checked here.

#include <gtest/gtest.h>
#include <simdjson.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "analysis/peer_analyzer.h"
#include "analysis/selected_pair.h"
#include "cli/commands.h"
#include "import/dump_file.h"
#include "import/dump_format.h"
#include "import/dump_names.h"
#include "import/legacy_stats.h"
#include "import/stats_timeline.h"
#include "rooms/imported_peer.h"
#include "rooms/peer_state.h"
#include "service/history_import.h"
#include "session/trace_decoder.h"
#include "session/user_agent.h"
#include "store/history_store.h"
#include "streams/window.h"

namespace rtcstream {
namespace {

const std::string kRtcstatsDir =
    std::string(RTCSTREAM_SOURCE_DIR) + "/../shared/fixtures/rtcstats-dumps";
const std::string kInternalsDir =
    std::string(RTCSTREAM_SOURCE_DIR) + "/tests/fixtures/webrtc-internals";

// The 15 dumps in the standard getStats format, and the legacy one.
const std::vector<std::string> kStandardDumps = {
    "59c86272-03ea-42e9-a62d-1c8a272e8ab0",
    "9c93a447-c9f8-489d-87ca-21263dec0642",
    "chrome-relay",
    "chrome-standard-multiple-p2p",
    "chrome-standard-pc-failed",
    "chrome-standard-pc-reconnect",
    "firefox-relay",
    "firefox-standard-stats-sfu",
    "firefox97-standard-stats-sfu",
    "google-standard-stats-p2p",
    "google-standard-stats-relay-p2p",
    "google-standard-stats-sfu",
    "safari-relay",
    "safari-standard-stats",
    "undefined-ice-candidate",
};
const std::string kLegacyDump = "chrome96-standard-stats-p2p-add-transceiver";

std::string DumpPath(const std::string& name) { return kRtcstatsDir + "/dumps/" + name; }

// The upstream result file of a dump, or "" when upstream has none.
std::string ResultPath(const std::string& name) {
  for (const std::string& candidate : {kRtcstatsDir + "/results/" + name + ".json",
                                       kRtcstatsDir + "/results/" + name + "-result.json"}) {
    if (std::filesystem::exists(candidate)) return candidate;
  }
  return "";
}

ImportedTrace ParseFile(const std::string& path) {
  std::string content;
  ImportedTrace trace;
  Status s = ReadDumpFile(path, kMaxDumpBytes, &content);
  EXPECT_TRUE(s.ok()) << path << ": " << s.ToString();
  s = ParseDump(content, &trace);
  EXPECT_TRUE(s.ok()) << path << ": " << s.ToString();
  return trace;
}

ImportedPeer ImportFile(const std::string& path, std::string_view room = {}) {
  ImportedPeer peer;
  const ImportedTrace trace = ParseFile(path);
  Status s = AnalyzeImportedTrace(trace, path, room, &peer);
  EXPECT_TRUE(s.ok()) << path << ": " << s.ToString();
  return peer;
}

bool PrintComparison() { return std::getenv("RTCSTREAM_PRINT_COMPARISON") != nullptr; }

// ---------------------------------------------------------------------------
// Reading the dumps

TEST(ImportTest, AllStandardRtcstatsDumpsImport) {
  ASSERT_TRUE(std::filesystem::exists(kRtcstatsDir)) << kRtcstatsDir;
  for (const std::string& name : kStandardDumps) {
    SCOPED_TRACE(name);
    const ImportedPeer peer = ImportFile(DumpPath(name));
    EXPECT_EQ(peer.format, "rtcstats");
    EXPECT_GT(peer.tuples, 40u);
    EXPECT_EQ(peer.rejected, 0u) << peer.first_rejection;
    EXPECT_FALSE(peer.room_id.empty());
    EXPECT_FALSE(peer.record.peer_id.empty());
    EXPECT_GT(peer.record.start_ms, 1600000000000);  // 2020, the oldest capture
    EXPECT_GE(peer.record.end_ms, peer.record.start_ms);
    EXPECT_LT(peer.record.end_ms - peer.record.start_ms, 10 * 60 * 1000);
    EXPECT_TRUE(peer.record.browser.has_value());
    EXPECT_TRUE(peer.record.features.connection_type.has_value());
    // The stored trace opens with the import record that names the delta semantics.
    EXPECT_EQ(peer.trace.rfind("[\"rtcstream:import\",null,{\"format\":\"rtcstats\"", 0), 0u)
        << peer.trace.substr(0, 120);
    EXPECT_NE(peer.trace.find("\"getstats\":\"missing-means-removed\""), std::string::npos);
  }
}

TEST(ImportTest, LegacyStatsAreRefusedWithAClearMessage) {
  std::string content;
  ASSERT_TRUE(ReadDumpFile(DumpPath(kLegacyDump), kMaxDumpBytes, &content).ok());
  ImportedTrace trace;
  const Status s = ParseDump(content, &trace);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("refused: legacy (pre-standard) getStats"), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("report type \"goog"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("line 45"), std::string::npos) << s.message();

  // Detection is by report type, never by a field name or the header.
  EXPECT_EQ(FindLegacyStatsType(R"({"a":{"type" : "ssrc","ssrc":1}})"), "ssrc");
  EXPECT_EQ(
      FindLegacyStatsType(R"({"a":{"type":"inbound-rtp","ssrc":1,"googTimingFrameInfo":"x"}})"),
      std::nullopt);
  EXPECT_EQ(FindLegacyStatsType(R"(["setLocalDescription",null,"{\"type\":\"ssrc\"}",1])"),
            std::nullopt);
  EXPECT_TRUE(IsLegacyStatsType("googCandidatePair"));
  EXPECT_TRUE(IsLegacyStatsType("VideoBwe"));
  EXPECT_FALSE(IsLegacyStatsType("candidate-pair"));
}

TEST(ImportTest, RoomAndPeerComeFromIdentityElseTheHeaderElseTheFile) {
  // identity: confName and displayName.
  ImportedPeer p = ImportFile(DumpPath("59c86272-03ea-42e9-a62d-1c8a272e8ab0"));
  EXPECT_EQ(p.room_id, "ThrilledFirmsTellImmensely");
  EXPECT_EQ(p.record.peer_id, "Kelton-nfn");
  EXPECT_EQ(p.session_id, "import:59c86272-03ea-42e9-a62d-1c8a272e8ab0");
  // The header of this dump comes from another capture; identity's confID is right.
  p = ImportFile(DumpPath("firefox-standard-stats-sfu"));
  EXPECT_EQ(p.room_id, "closeoutfitsusefast");
  EXPECT_EQ(p.record.peer_id, "andrei-mac-firefox");
  // --room wins.
  p = ImportFile(DumpPath("chrome-relay"), "standup");
  EXPECT_EQ(p.room_id, "standup");
  EXPECT_EQ(p.record.browser, "Chrome");
  EXPECT_EQ(p.record.browser_version, "117.0.0.0");

  // No identity: the header's URL, then the file name. The header may be a string.
  const std::string dump =
      R"(["connectionInfo",null,"{\"path\":\"/team/Weekly%20Sync?x=1\",\"url\":\"https://meet.example.com/team/Weekly%20Sync?x=1\",\"userAgent\":\"Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0\"}",1700000000000])"
      "\n"
      R"(["onconnectionstatechange","PC_0","connected",1700000001000])"
      "\n";
  ImportedTrace trace;
  ASSERT_TRUE(ParseDump(dump, &trace).ok());
  EXPECT_EQ(trace.room_id, "Weekly Sync");
  EXPECT_EQ(trace.peer_id, "");
  EXPECT_EQ(trace.user_agent.find("Firefox/120.0") != std::string::npos, true);
  // The header's own time is the server's: it is not a time of the peer.
  EXPECT_EQ(trace.tuples.substr(0, trace.tuples.find('\n')).find("1700000000000"),
            std::string::npos);
  ASSERT_TRUE(AnalyzeImportedTrace(trace, "/tmp/bob.json.gz", "", &p).ok());
  EXPECT_EQ(p.record.peer_id, "bob");
  EXPECT_EQ(p.record.start_ms, 1700000001000);
  EXPECT_EQ(p.record.browser, "Firefox");

  EXPECT_EQ(RoomIdFromUrl("//ThrilledFirmsTellImmensely"), "ThrilledFirmsTellImmensely");
  EXPECT_EQ(RoomIdFromUrl("george.jitsi.net/hello"), "hello");
  EXPECT_EQ(RoomIdFromUrl("https://example.com/"), "");
  EXPECT_EQ(DumpFileStem("/a/b/webrtc_internals_dump.txt"), "webrtc_internals_dump");
}

TEST(ImportTest, MalformedInputIsRejectedWithReasons) {
  ImportedTrace trace;
  EXPECT_FALSE(ParseDump("", &trace).ok());
  EXPECT_FALSE(ParseDump("hello", &trace).ok());
  EXPECT_FALSE(ParseDump("{\"x\":1}", &trace).ok());
  EXPECT_FALSE(ParseDump("{\"PeerConnections\":{}}", &trace).ok());  // no stats
  // Lines the session stage cannot decode are counted, not fatal.
  ASSERT_TRUE(ParseDump("[\"create\",\"PC_0\",{},1700000000000]\nnot json\n", &trace).ok());
  ImportedPeer peer;
  ASSERT_TRUE(AnalyzeImportedTrace(trace, "x", "", &peer).ok());
  EXPECT_EQ(peer.rejected, 1u);
  EXPECT_NE(peer.first_rejection.find("entry 2"), std::string::npos) << peer.first_rejection;
  // Nothing with a time: nothing to import.
  ASSERT_TRUE(ParseDump("[\"create\",\"PC_0\",{}]\n", &trace).ok());
  EXPECT_FALSE(AnalyzeImportedTrace(trace, "x", "", &peer).ok());
  std::string out;
  EXPECT_EQ(ReadDumpFile("/nonexistent/dump", kMaxDumpBytes, &out).code(), Status::Code::kNotFound);
  EXPECT_EQ(ReadDumpFile(DumpPath("chrome-relay"), 1000, &out).code(),
            Status::Code::kResourceExhausted);
}

// ---------------------------------------------------------------------------
// getstats delta semantics

class StatsRecorder : public IgnoringTraceHandler {
 public:
  void OnStats(std::string_view, const StatsSnapshot& s, double) override { last = s; }
  StatsSnapshot last;
};

TEST(ImportTest, RtcstatsDeltasRemoveMissingReportsSdkDeltasKeepThem) {
  const char* first =
      R"(["getstats","PC_0",{"A":{"type":"inbound-rtp","timestamp":0,"packetsReceived":10},)"
      R"("B":{"type":"codec","timestamp":0,"mimeType":"audio/opus"},"timestamp":1000},1000])";
  const char* second = R"(["getstats","PC_0",{"A":{"packetsReceived":20},"timestamp":2000},2000])";
  for (DeltaSemantics semantics :
       {DeltaSemantics::kMissingMeansUnchanged, DeltaSemantics::kMissingMeansRemoved}) {
    TraceDecoder decoder(semantics);
    StatsRecorder h;
    ASSERT_TRUE(decoder.DecodeTupleJson(first, &h).ok());
    ASSERT_TRUE(decoder.DecodeTupleJson(second, &h).ok());
    ASSERT_NE(h.last.Find("A"), nullptr);
    EXPECT_EQ(GetNumber(*h.last.Find("A"), "packetsReceived"), 20);
    // A report without a timestamp keeps its baseline's; 0 meant the top-level one.
    EXPECT_EQ(GetNumber(*h.last.Find("A"), "timestamp"), 1000);
    EXPECT_EQ(h.last.Find("B") != nullptr, semantics == DeltaSemantics::kMissingMeansUnchanged);
  }
  // The import record of a stored trace switches a default decoder, so a replay
  // decodes the trace the way the import did.
  TraceDecoder decoder;
  StatsRecorder h;
  ASSERT_TRUE(decoder
                  .DecodeTupleJson(R"(["rtcstream:import",null,{"format":"rtcstats",)"
                                   R"("getstats":"missing-means-removed"},0])",
                                   &h)
                  .ok());
  EXPECT_EQ(decoder.delta_semantics(), DeltaSemantics::kMissingMeansRemoved);
  ASSERT_TRUE(decoder.DecodeTupleJson(first, &h).ok());
  ASSERT_TRUE(decoder.DecodeTupleJson(second, &h).ok());
  EXPECT_EQ(h.last.Find("B"), nullptr);
}

TEST(ImportTest, RtcstatsDeltasInAnyOrderOrWithARepeatedKeyRemoveWhatTheyLeaveOut) {
  // The decoder finds a message's reports from the previous message's order
  // when it is the same; any other order, or a key given twice, must still
  // remove exactly the reports the message leaves out.
  TraceDecoder decoder(DeltaSemantics::kMissingMeansRemoved);
  StatsRecorder h;
  auto feed = [&](const std::string& reports, int ts) {
    const std::string tuple = R"(["getstats","PC_0",{)" + reports + R"("timestamp":)" +
                              std::to_string(ts) + "}," + std::to_string(ts) + "]";
    EXPECT_TRUE(decoder.DecodeTupleJson(tuple, &h).ok()) << tuple;
  };
  auto ids = [&] {
    std::set<std::string> out;
    for (const auto& [id, report] : h.last.reports) out.insert(id);
    return out;
  };
  feed(R"("A":{"type":"inbound-rtp","packetsReceived":1},"B":{"type":"codec"},)"
       R"("C":{"type":"transport"},)",
       1000);
  EXPECT_EQ(ids(), (std::set<std::string>{"A", "B", "C"}));
  feed(R"("A":{"packetsReceived":2},"B":{},"C":{},)", 2000);  // same order
  EXPECT_EQ(ids(), (std::set<std::string>{"A", "B", "C"}));
  EXPECT_EQ(GetNumber(*h.last.Find("A"), "packetsReceived"), 2);
  feed(R"("C":{},"A":{"packetsReceived":3},"B":{},)", 3000);  // reordered
  EXPECT_EQ(ids(), (std::set<std::string>{"A", "B", "C"}));
  EXPECT_EQ(GetNumber(*h.last.Find("A"), "packetsReceived"), 3);
  feed(R"("C":{},"A":{"packetsReceived":4},"A":{},)", 4000);  // as many keys, B left out
  EXPECT_EQ(ids(), (std::set<std::string>{"A", "C"}));
  feed(R"("C":{},"A":{"packetsReceived":5},)", 5000);  // the same reports again
  EXPECT_EQ(ids(), (std::set<std::string>{"A", "C"}));
  EXPECT_EQ(GetNumber(*h.last.Find("A"), "packetsReceived"), 5);
  feed(R"("C":{},"A":{},"D":{"type":"codec"},)", 6000);  // a new report
  EXPECT_EQ(ids(), (std::set<std::string>{"A", "C", "D"}));
  feed(R"("C":{},"D":{},)", 7000);  // the last but one left out
  EXPECT_EQ(ids(), (std::set<std::string>{"C", "D"}));
  feed(R"("C":{},"D":{},)", 8000);
  EXPECT_EQ(ids(), (std::set<std::string>{"C", "D"}));
}

TEST(ImportTest, StoredTraceReplaysToTheSameFigures) {
  for (const std::string& name :
       {std::string("google-standard-stats-p2p"), std::string("safari-relay")}) {
    SCOPED_TRACE(name);
    const ImportedPeer peer = ImportFile(DumpPath(name));
    // What the collector does with a stored trace (Collector::Restore).
    PeerState replay(peer.session_id, peer.user_agent);
    std::istringstream lines(peer.trace);
    std::string line;
    while (std::getline(lines, line)) replay.FeedTupleJson(line);
    replay.SetIdentityIfMissing(peer.room_id, peer.record.peer_id);
    const PeerRecord again = replay.ToRecord();
    EXPECT_EQ(again.start_ms, peer.record.start_ms);
    EXPECT_EQ(again.end_ms, peer.record.end_ms);
    EXPECT_EQ(again.stats.mos, peer.record.stats.mos);
    EXPECT_EQ(again.stats.score, peer.record.stats.score);
    EXPECT_EQ(again.stats.video.recv.bitrate, peer.record.stats.video.recv.bitrate);
    EXPECT_EQ(again.stats.audio.send.rtt, peer.record.stats.audio.send.rtt);
    EXPECT_EQ(again.features.connection_type, peer.record.features.connection_type);
    // The time series too: what a history without stored series recomputes.
    const PeerSeries series = replay.Series();
    EXPECT_GT(peer.series.size(), 5u);
    EXPECT_EQ(series.size(), peer.series.size());
    EXPECT_EQ(series.time_ms(), peer.series.time_ms());
    EXPECT_EQ(series.start_ms(), peer.series.start_ms());
  }
}

// ---------------------------------------------------------------------------
// Agreement with rtcstats-server's expected results
//
// The dumps are decoded with the session stage and analysed with one
// PeerAnalyzer per peer connection (a peer's figures pool its connections;
// upstream reports each connection). From the same decoded snapshots the
// handler also computes upstream's definitions (README of the fixtures):
// last cumulative counters per SSRC, and the plain mean RTT.

// The last cumulative counters of one SSRC, as upstream reads them.
struct TrackCounters {
  double packets = 0;
  double lost = 0;
};

// One peer connection, analysed both ways.
struct PcFigures {
  PeerAnalyzer analyzer;
  std::vector<double> upstream_rtt_s;  // upstream's samples (0 dropped)
  std::map<double, TrackCounters> send, recv;
};

double Truthy(const StatsReport& r, std::string_view field) {
  return GetNumber(r, field).value_or(0);
}

class PerPcAnalysis : public IgnoringTraceHandler {
 public:
  explicit PerPcAnalysis(bool firefox) : firefox_(firefox) {}

  void OnSetLocalDescription(std::string_view pc, double ts) override {
    if (!pc.empty()) pcs[std::string(pc)].analyzer.OnSetLocalDescription(pc, ts);
  }
  void OnConnectionState(std::string_view pc, std::string_view state, double ts) override {
    if (!pc.empty()) pcs[std::string(pc)].analyzer.OnConnectionStateChange(pc, state, ts);
  }
  void OnIceConnectionState(std::string_view pc, std::string_view state, double ts) override {
    if (!pc.empty()) pcs[std::string(pc)].analyzer.OnIceConnectionStateChange(pc, state, ts);
  }
  void OnPcClosed(std::string_view pc, double ts) override {
    if (!pc.empty()) pcs[std::string(pc)].analyzer.OnPcClosed(pc, ts);
  }

  void OnStats(std::string_view pc_id, const StatsSnapshot& snapshot, double) override {
    PcFigures& pc = pcs[std::string(pc_id)];
    pc.analyzer.OnStats(pc_id, snapshot);
    for (const auto& [id, r] : snapshot.reports) {
      const std::optional<std::string_view> type = GetString(r, "type");
      // RTT: Firefox from remote-inbound-rtp, others from the transport's selected pair.
      if (firefox_ && type == "remote-inbound-rtp") {
        if (const double rtt = Truthy(r, "roundTripTime"); rtt != 0) {
          pc.upstream_rtt_s.push_back(rtt);
        }
      }
      if (!firefox_ && type == "transport") {
        if (std::optional<std::string_view> pair_id = GetString(r, "selectedCandidatePairId")) {
          const StatsReport* pair = snapshot.Find(*pair_id);
          if (pair != nullptr) {
            if (const double rtt = Truthy(*pair, "currentRoundTripTime"); rtt != 0) {
              pc.upstream_rtt_s.push_back(rtt);
            }
          }
        }
      }
      // Packet counters.
      const double ssrc = Truthy(r, "ssrc");
      const double sent = Truthy(r, "packetsSent");
      const double received = Truthy(r, "packetsReceived");
      if (firefox_) {
        if (type == "remote-inbound-rtp") pc.send[ssrc] = {sent, Truthy(r, "packetsLost")};
      } else if (std::optional<std::string_view> remote_id = GetString(r, "remoteId");
                 type == "outbound-rtp" && remote_id && snapshot.Find(*remote_id) != nullptr) {
        pc.send[ssrc] = {sent, Truthy(*snapshot.Find(*remote_id), "packetsLost")};
      } else if (sent != 0 && received == 0 && ssrc != 0) {
        pc.send[ssrc] = {sent, Truthy(r, "packetsLost")};
      }
      if (received != 0 && sent == 0 && ssrc != 0) {
        pc.recv[ssrc] = {received, Truthy(r, "packetsLost")};
      }
    }
  }

  bool firefox() const { return firefox_; }

  std::map<std::string, PcFigures> pcs;

 private:
  bool firefox_;
};

// Decodes `name` like the import does and analyses it per peer connection.
std::unique_ptr<PerPcAnalysis> AnalysePerPc(const std::string& name) {
  const ImportedTrace trace = ParseFile(DumpPath(name));
  // Upstream chooses its Firefox rules from the header's user agent.
  auto analysis =
      std::make_unique<PerPcAnalysis>(ParseUserAgent(trace.user_agent).browser == "Firefox");
  TraceDecoder decoder(DeltaSemantics::kMissingMeansRemoved);
  std::istringstream lines(trace.tuples);
  std::string line;
  while (std::getline(lines, line)) decoder.DecodeTupleJson(line, analysis.get());
  return analysis;
}

double Round2(double v) { return std::round(v * 100) / 100; }

// Upstream's loss percentage: round2(lost / packets * 100) when 0 < lost < packets.
double UpstreamLossPct(double lost, double packets) {
  return lost > 0 && lost < packets ? Round2(lost / packets * 100) : 0;
}

// Our per-connection RTT: the audio send figure, else the video one (each falls
// back to the selected pair's currentRoundTripTime).
std::optional<double> OurRttMs(const MediaSummary& m) {
  return m.audio.send.rtt ? m.audio.send.rtt : m.video.send.rtt;
}

std::string Fmt(std::optional<double> v, int decimals = 1) {
  if (!v) return "null";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, *v);
  return buf;
}

// Upstream's expected per-connection figures.
struct ExpectedPc {
  std::optional<bool> relay;                   // candidatePairData.isUsingRelay
  std::string local_protocol;                  // candidatePairData.localProtocol
  double mean_rtt_s = 0;                       // transportAggregates.meanRtt
  std::map<double, TrackCounters> send, recv;  // the largest counters per SSRC
  std::map<double, bool> video;                // SSRC -> whether mediaType is video*

  // Upstream's receive counters of one kind turned into our definition:
  // lost / (received + lost), in percent; nullopt without packets. For Firefox
  // upstream lists our own SSRCs among the received ones (the far end's
  // remote-inbound-rtp count): `firefox` skips them.
  std::optional<double> RecvLossPct(bool want_video, bool firefox) const {
    double lost = 0, expected = 0;
    for (const auto& [ssrc, c] : recv) {
      if ((firefox && send.count(ssrc)) || video.at(ssrc) != want_video) continue;
      lost += c.lost;
      expected += c.packets + c.lost;
    }
    if (expected <= 0) return std::nullopt;
    return 100 * lost / expected;
  }

  // The same for what the peer sends: lost / sent. Firefox's sender tracks
  // have no packet count upstream (remote-inbound-rtp has no packetsSent).
  std::optional<double> SendLossPct(bool want_video) const {
    double lost = 0, sent = 0;
    for (const auto& [ssrc, c] : send) {
      if (video.at(ssrc) != want_video) continue;
      lost += c.lost;
      sent += c.packets;
    }
    if (sent <= 0) return std::nullopt;
    return 100 * lost / sent;
  }
};

std::map<std::string, ExpectedPc> ReadExpected(const std::string& path) {
  std::map<std::string, ExpectedPc> out;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  EXPECT_EQ(parser.load(path).get(doc), simdjson::SUCCESS) << path;
  simdjson::dom::object aggregates;
  EXPECT_EQ(doc.at(0)["features"]["aggregates"].get_object().get(aggregates), simdjson::SUCCESS);
  for (auto [pc_id, pc] : aggregates) {
    ExpectedPc& e = out[std::string(pc_id)];
    simdjson::dom::object pair;
    bool relay = false;
    std::string_view protocol;
    if (pc["candidatePairData"].get_object().get(pair) == simdjson::SUCCESS &&
        pair["isUsingRelay"].get_bool().get(relay) == simdjson::SUCCESS) {
      e.relay = relay;
      if (pair["localProtocol"].get_string().get(protocol) == simdjson::SUCCESS) {
        e.local_protocol = std::string(protocol);
      }
    }
    double rtt = 0;
    if (pc["transportAggregates"]["meanRtt"].get_double().get(rtt) == simdjson::SUCCESS) {
      e.mean_rtt_s = rtt;
    }
    for (auto [side, target] :
         {std::pair{"senderTracks", &e.send}, std::pair{"receiverTracks", &e.recv}}) {
      simdjson::dom::array tracks;
      if (pc["tracks"][side].get_array().get(tracks) != simdjson::SUCCESS) continue;
      for (simdjson::dom::element t : tracks) {
        const double ssrc = t["ssrc"].get_double().value_unsafe();
        const double packets = t["packets"].get_double().value_unsafe();
        const double lost = t["packetsLost"].get_double().value_unsafe();
        std::string_view media_type;
        e.video[ssrc] = t["mediaType"].get_string().get(media_type) == simdjson::SUCCESS &&
                        media_type.starts_with("video");
        TrackCounters& c = (*target)[ssrc];
        if (packets >= c.packets) c = {packets, lost};
      }
    }
  }
  return out;
}

TEST(ImportTest, AgreesWithUpstreamResults) {
  size_t dumps = 0, connections = 0, tracks = 0;
  for (const std::string& name : kStandardDumps) {
    const std::string result = ResultPath(name);
    if (result.empty()) continue;
    SCOPED_TRACE(name);
    ++dumps;
    const std::unique_ptr<PerPcAnalysis> ours = AnalysePerPc(name);
    for (const auto& [pc_id, expected] : ReadExpected(result)) {
      SCOPED_TRACE(pc_id);
      auto it = ours->pcs.find(pc_id);
      if (it == ours->pcs.end()) {
        // A connection without stats: upstream lists it with nothing in it.
        EXPECT_FALSE(expected.relay.has_value());
        EXPECT_EQ(expected.mean_rtt_s, 0);
        continue;
      }
      ++connections;
      const PcFigures& pc = it->second;
      const PeerFeatures features = pc.analyzer.Features();
      const MediaSummary summary = pc.analyzer.Summarize();

      // Relay flag and transport protocol of the selected pair.
      if (expected.relay) {
        ASSERT_TRUE(features.connection_type.has_value());
        EXPECT_EQ(*features.connection_type == "TURN", *expected.relay);
        if (!expected.local_protocol.empty()) {
          EXPECT_EQ(features.media_transport.value_or(""), expected.local_protocol);
        }
      } else {
        EXPECT_FALSE(features.connection_type.has_value());
      }

      // RTT: upstream's definition from our decoded stats gives upstream's value.
      double sum = 0;
      for (double v : pc.upstream_rtt_s) sum += v;
      const double upstream_def = pc.upstream_rtt_s.empty()
                                      ? 0
                                      : Round2(sum / static_cast<double>(pc.upstream_rtt_s.size()));
      EXPECT_DOUBLE_EQ(upstream_def, expected.mean_rtt_s);
      // Ours (remote-inbound-rtp RTCP measurements first) is within 20 ms of it.
      const std::optional<double> rtt_ms = OurRttMs(summary);
      if (rtt_ms && expected.mean_rtt_s > 0) {
        EXPECT_NEAR(*rtt_ms, expected.mean_rtt_s * 1000, 20) << "ours " << *rtt_ms << " ms";
      }

      // Per-track counters and loss %, with upstream's definition.
      for (auto [dir, exp_tracks, our_tracks] : {std::tuple{"send", &expected.send, &pc.send},
                                                 std::tuple{"recv", &expected.recv, &pc.recv}}) {
        for (const auto& [ssrc, e] : *exp_tracks) {
          SCOPED_TRACE(std::string(dir) + " ssrc " + Fmt(ssrc, 0));
          auto t = our_tracks->find(ssrc);
          ASSERT_NE(t, our_tracks->end());
          ++tracks;
          EXPECT_EQ(t->second.packets, e.packets);
          EXPECT_EQ(t->second.lost, e.lost);
          EXPECT_EQ(UpstreamLossPct(t->second.lost, t->second.packets),
                    UpstreamLossPct(e.lost, e.packets));
        }
      }

      // Receive loss per kind: upstream's last counters over the whole call
      // against our deltas from the first sample (docs/import.md).
      const std::optional<double> audio_loss = expected.RecvLossPct(false, ours->firefox());
      const std::optional<double> video_loss = expected.RecvLossPct(true, ours->firefox());
      if (audio_loss && summary.audio.recv.packet_loss) {
        EXPECT_NEAR(*summary.audio.recv.packet_loss, *audio_loss, 0.5);
      }
      if (video_loss && summary.video.recv.packet_loss) {
        EXPECT_NEAR(*summary.video.recv.packet_loss, *video_loss, 0.5);
      }
      const std::optional<double> audio_sent_loss = expected.SendLossPct(false);
      const std::optional<double> video_sent_loss = expected.SendLossPct(true);
      if (audio_sent_loss && summary.audio.send.packet_loss) {
        EXPECT_NEAR(*summary.audio.send.packet_loss, *audio_sent_loss, 0.5);
      }
      if (video_sent_loss && summary.video.send.packet_loss) {
        EXPECT_NEAR(*summary.video.send.packet_loss, *video_sent_loss, 0.5);
      }

      if (PrintComparison()) {
        std::printf(
            "| `%s` | %s | %s / %s | %s / %s | %.0f | %s | %s / %s | %s / %s | %s / %s | %s / %s "
            "|\n",
            name.c_str(), pc_id.c_str(),
            expected.relay ? (*expected.relay ? "TURN" : "direct") : "—",
            expected.local_protocol.empty() ? "—" : expected.local_protocol.c_str(),
            features.connection_type.value_or("null").c_str(),
            features.media_transport.value_or("null").c_str(), expected.mean_rtt_s * 1000,
            Fmt(rtt_ms, 0).c_str(), Fmt(audio_loss, 2).c_str(), Fmt(video_loss, 2).c_str(),
            Fmt(summary.audio.recv.packet_loss, 2).c_str(),
            Fmt(summary.video.recv.packet_loss, 2).c_str(), Fmt(audio_sent_loss, 2).c_str(),
            Fmt(video_sent_loss, 2).c_str(), Fmt(summary.audio.send.packet_loss, 2).c_str(),
            Fmt(summary.video.send.packet_loss, 2).c_str());
      }
    }
  }
  EXPECT_EQ(dumps, 11u);
  EXPECT_GT(connections, 15u);
  EXPECT_EQ(tracks, 89u);
}

// The TURN dumps have no results file; upstream's turn.test.js asserts these.
TEST(ImportTest, AgreesWithUpstreamTurnTable) {
  struct Row {
    const char* dump;
    const char* pc;
    bool relay;
    const char* upstream_protocol;
    const char* ours;  // Safari has no relayProtocol: ours comes from the TURN url
  };
  for (const Row& row : {Row{"google-standard-stats-relay-p2p", "PC_0", true, "tls", "tls"},
                         Row{"google-standard-stats-relay-p2p", "PC_1", false, "udp", "udp"},
                         Row{"chrome-relay", "PC_0", true, "tls", "tls"},
                         Row{"firefox-relay", "PC_0", true, "tls", "tls"},
                         Row{"safari-relay", "PC_0", true, "", "tls"}}) {
    SCOPED_TRACE(std::string(row.dump) + " " + row.pc);
    const std::unique_ptr<PerPcAnalysis> ours = AnalysePerPc(row.dump);
    ASSERT_TRUE(ours->pcs.count(row.pc));
    const PeerFeatures f = ours->pcs[row.pc].analyzer.Features();
    EXPECT_EQ(f.connection_type, row.relay ? "TURN" : "direct");
    EXPECT_EQ(f.media_transport, row.ours);
    if (PrintComparison()) {
      std::printf(
          "| `%s` | %s | %s / %s | %s / %s |\n", row.dump, row.pc, row.relay ? "relay" : "direct",
          *row.upstream_protocol ? row.upstream_protocol : "\"\"",
          f.connection_type.value_or("null").c_str(), f.media_transport.value_or("null").c_str());
    }
  }
}

// ---------------------------------------------------------------------------
// chrome://webrtc-internals dumps

// Counts the occurrences of `needle` in `text`.
size_t Count(std::string_view text, std::string_view needle) {
  size_t n = 0;
  for (size_t pos = text.find(needle); pos != std::string_view::npos;
       pos = text.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}

TEST(ImportTest, WebrtcInternalsDumpOfARealCall) {
  const ImportedTrace trace = ParseFile(kInternalsDir + "/two-peer-call.json");
  EXPECT_EQ(trace.format, DumpFormat::kWebrtcInternals);
  EXPECT_FALSE(trace.missing_report_removed);
  EXPECT_EQ(trace.getstats_count, 19u);  // one per stats poll
  EXPECT_EQ(trace.room_id, "call.html");
  // Each getstats tuple is a full getStats result: every report with its type.
  std::istringstream lines(trace.tuples);
  std::string line;
  size_t getstats = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("[\"getstats\"", 0) != 0) continue;
    ++getstats;
    EXPECT_EQ(Count(line, "\"type\":\"outbound-rtp\""), 2u);
    EXPECT_EQ(Count(line, "\"type\":\"transport\""), 1u);
    EXPECT_EQ(Count(line, "-["), 0u);  // webrtc-internals' derived series are left out
  }
  EXPECT_EQ(getstats, 19u);
  EXPECT_NE(trace.tuples.find("[\"setLocalDescription\",\"6-1\",{\"type\":\"offer\""),
            std::string::npos);
  EXPECT_NE(trace.tuples.find("[\"onconnectionstatechange\",\"6-1\",\"connected\","),
            std::string::npos);

  ImportedPeer peer;
  ASSERT_TRUE(AnalyzeImportedTrace(trace, kInternalsDir + "/two-peer-call.json", "", &peer).ok());
  EXPECT_EQ(peer.rejected, 0u) << peer.first_rejection;
  const PeerRecord& r = peer.record;
  EXPECT_EQ(r.peer_id, "two-peer-call");
  EXPECT_EQ(r.browser, "Chrome");
  EXPECT_EQ(r.os, "Linux");
  EXPECT_EQ(r.audio_device, "Fake Default Audio Input");
  EXPECT_EQ(r.video_device, "fake_device_0");
  EXPECT_EQ(r.features.connection_type, "direct");
  EXPECT_EQ(r.features.media_transport, "udp");
  EXPECT_EQ(r.start_ms, 1795612841378);  // getUserMedia
  EXPECT_EQ(r.end_ms, 1795612861207);    // the last stats poll
  // setLocalDescription 13:20:42.048393 -> connected 13:20:42.197908.
  ASSERT_TRUE(r.stats.call_setup_time.has_value());
  EXPECT_NEAR(*r.stats.call_setup_time, 149.5, 0.1);
  // The same fake devices and page as the SDK recordings (docs/metrics.md, section 18).
  EXPECT_NEAR(r.stats.audio.send.bitrate.value_or(0), 25, 3);
  EXPECT_NEAR(r.stats.audio.recv.bitrate.value_or(0), 25, 3);
  EXPECT_NEAR(r.stats.video.send.bitrate.value_or(0), 152, 20);
  EXPECT_NEAR(r.stats.video.recv.bitrate.value_or(0), 152, 20);
  EXPECT_EQ(r.stats.audio.recv.packet_loss, 0);
  EXPECT_EQ(r.stats.video.send.packet_loss, 0);
  EXPECT_LT(r.stats.audio.send.rtt.value_or(99), 5);
  EXPECT_GT(r.stats.mos.value_or(0), 4.3);
  EXPECT_EQ(r.stats.score, 10);
}

TEST(ImportTest, CompressedWebrtcInternalsDumpGivesTheSameFigures) {
  const ImportedPeer plain = ImportFile(kInternalsDir + "/two-peer-call.json");
  const ImportedPeer gz = ImportFile(kInternalsDir + "/two-peer-call.json.gz");
  EXPECT_EQ(gz.format, "webrtc-internals");
  EXPECT_EQ(gz.record.peer_id, "two-peer-call");
  EXPECT_EQ(gz.record.start_ms, plain.record.start_ms);
  EXPECT_EQ(gz.record.features.connection_type, plain.record.features.connection_type);
  EXPECT_EQ(gz.record.stats.call_setup_time, plain.record.stats.call_setup_time);
  EXPECT_EQ(gz.record.audio_device, plain.record.audio_device);
  // Chromium took the compressed dump a moment later: it may hold a poll more.
  EXPECT_NEAR(gz.record.stats.video.send.bitrate.value_or(0),
              plain.record.stats.video.send.bitrate.value_or(-1), 10);
  EXPECT_EQ(gz.record.stats.score, plain.record.stats.score);
}

StatSeries Series(std::string name, double start, double end, std::vector<std::string> values) {
  return StatSeries{std::move(name), start, end, std::move(values)};
}

TEST(ImportTest, StatsSeriesAreRebuiltIntoPolls) {
  std::vector<ReportSeries> reports(3);
  // A local report: its timestamps are the polls. remoteId appears at the third poll.
  reports[0].id = "OT1";
  reports[0].type = "outbound-rtp";
  reports[0].stats = {Series("timestamp", 1000, 4000, {"1000.5", "2000.5", "3000.5", "4000.5"}),
                      Series("bytesSent", 1000, 4000, {"10", "20", "30", "40"}),
                      Series("remoteId", 3000, 4000, {"\"RI1\"", "\"RI1\""})};
  // A remote report: its timestamps are the far end's; it ends with its local report.
  reports[1].id = "RI1";
  reports[1].type = "remote-inbound-rtp";
  reports[1].stats = {Series("timestamp", 2500, 3600, {"2500", "2500", "3600"}),
                      Series("localId", 2500, 3600, {"\"OT1\"", "\"OT1\"", "\"OT1\""}),
                      Series("packetsLost", 2500, 3600, {"0", "1", "2"})};
  // No timestamp series (older Chromium): sample times spread over start..end.
  reports[2].id = "T1";
  reports[2].type = "transport";
  reports[2].stats = {Series("bytesSent", 1000, 4000, {"1", "2", "3", "4"})};

  const std::vector<StatsSample> samples = BuildStatsSamples(reports);
  ASSERT_EQ(samples.size(), 4u);
  EXPECT_EQ(samples[0].timestamp_ms, 1000);
  EXPECT_EQ(samples[0].json,
            R"({"OT1":{"type":"outbound-rtp","timestamp":1000.5,"bytesSent":10},)"
            R"("T1":{"type":"transport","timestamp":1000,"bytesSent":1},"timestamp":1000})");
  EXPECT_EQ(
      samples[1].json,
      R"({"OT1":{"type":"outbound-rtp","timestamp":2000.5,"bytesSent":20},)"
      R"("RI1":{"type":"remote-inbound-rtp","timestamp":2500,"localId":"OT1","packetsLost":0},)"
      R"("T1":{"type":"transport","timestamp":2000,"bytesSent":2},"timestamp":2000})");
  EXPECT_NE(samples[3].json.find(R"("OT1":{"type":"outbound-rtp","timestamp":4000.5,)"
                                 R"("bytesSent":40,"remoteId":"RI1"})"),
            std::string::npos);
  EXPECT_NE(samples[3].json.find(R"("RI1":{"type":"remote-inbound-rtp","timestamp":3600,)"),
            std::string::npos);
}

// A dump of an older Chromium: update times are local time strings.
std::string LocaleTimeDump(const std::string& sld_time, const std::string& connected_time) {
  return R"({"getUserMedia":[],"UserAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) )"
         R"(AppleWebKit/537.36 (KHTML, like Gecko) Chrome/110.0.0.0 Safari/537.36",)"
         R"("PeerConnections":{"12-3":{"url":"https://meet.example.com/standup",)"
         R"("updateLog":[{"time":")" +
         sld_time +
         R"(","type":"setLocalDescription","value":"type: offer, sdp: v=0"},)"
         R"({"time":")" +
         connected_time +
         R"(","type":"connectionstatechange","value":"connected"}],)"
         R"("stats":{"T1-bytesSent":{"startTime":"2026-11-25T13:20:43.000Z",)"
         R"("endTime":"2026-11-25T13:20:45.000Z","statsType":"transport",)"
         R"("values":"[10,20,30]"}}}}})";
}

TEST(ImportTest, OldWebrtcInternalsLocalTimesArePlacedOnTheStatsClock) {
  for (const auto& [sld, connected, expected_ms] :
       {std::tuple{"11/25/2026, 1:20:41 PM", "11/25/2026, 1:20:42 PM", 1795612842000.0},
        // The same instants written in UTC+1 (the zone is not in the dump).
        std::tuple{"11/25/2026, 2:20:41 PM", "11/25/2026, 2:20:42 PM", 1795612842000.0}}) {
    ImportedTrace trace;
    ASSERT_TRUE(ParseDump(LocaleTimeDump(sld, connected), &trace).ok());
    EXPECT_EQ(trace.room_id, "standup");
    EXPECT_EQ(trace.getstats_count, 3u);
    // Second resolution cannot time a call setup: setLocalDescription is left out.
    EXPECT_EQ(trace.tuples.find("setLocalDescription"), std::string::npos);
    EXPECT_NE(trace.tuples.find("[\"onconnectionstatechange\",\"12-3\",\"connected\"," +
                                Fmt(expected_ms, 0) + "]"),
              std::string::npos)
        << trace.tuples;
  }
}

// ---------------------------------------------------------------------------
// The command: import, then export

class ImportCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rtcstream-import-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  int Import(std::vector<std::string> args, std::string* out, std::string* err) {
    testing::internal::CaptureStdout();
    testing::internal::CaptureStderr();
    const int rc = RunImport(args);
    *out = testing::internal::GetCapturedStdout();
    *err = testing::internal::GetCapturedStderr();
    return rc;
  }

  // The rooms `rtcstream export` writes for [2020, 2027).
  std::vector<std::string> ExportRoomIds() {
    const std::string file = dir_ + "/export.json";
    testing::internal::CaptureStderr();
    const int rc = RunExport({"--data-dir", dir_ + "/data", "--from", "2020-01-01T00:00:00Z",
                              "--to", "2027-01-01T00:00:00Z", "--project", "acme", "--out", file});
    testing::internal::GetCapturedStderr();
    EXPECT_EQ(rc, 0);
    simdjson::dom::parser parser;
    simdjson::dom::array rooms;
    EXPECT_EQ(parser.load(file).get_array().get(rooms), simdjson::SUCCESS);
    std::vector<std::string> ids;
    for (simdjson::dom::element room : rooms) {
      ids.emplace_back(std::string_view(room["room_id"]));
    }
    return ids;
  }

  std::string dir_;
};

TEST_F(ImportCommandTest, ImportsABatchRefusesLegacyAndExportsTheRooms) {
  std::vector<std::string> args = {"--data-dir", dir_ + "/data", "--project",
                                   "acme",       "--public-url", "https://rtc.example.com/"};
  for (const std::string& name : kStandardDumps) args.push_back(DumpPath(name));
  args.push_back(DumpPath(kLegacyDump));
  args.push_back(kInternalsDir + "/two-peer-call.json.gz");
  std::string out, err;
  EXPECT_EQ(Import(args, &out, &err), 1);  // one file refused
  EXPECT_NE(err.find(kLegacyDump + ": refused: legacy (pre-standard) getStats"), std::string::npos)
      << err;
  EXPECT_NE(err.find("16 of 17 files read, 14 rooms imported, 1 file(s) not imported"),
            std::string::npos)
      << err;
  EXPECT_EQ(Count(out, ": imported, data stream window "), 14u) << out;

  std::vector<std::string> ids = ExportRoomIds();
  EXPECT_EQ(ids.size(), 14u);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), "absentbreakdownspicturesame"), 3);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), "ProblematicLandmarksAssociateAbout"), 1);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), "call.html"), 1);

  // Importing the same files again stores nothing twice.
  EXPECT_EQ(Import(args, &out, &err), 1);
  EXPECT_EQ(Count(out, ": already imported, skipped"), 14u) << out;
  EXPECT_EQ(ExportRoomIds().size(), 14u);

  // The rooms are in the data stream window of the import, a window no
  // collector had sealed; the one before it was sealed (empty) so that the
  // collector's sealing reaches it.
  std::unique_ptr<HistoryStore> store;
  ASSERT_TRUE(OpenSqliteStore(dir_ + "/data/history.sqlite", &store).ok());
  const int64_t hour = 3600000;
  const EpochMs window = ImportWindow(0, NowMs(), hour, std::nullopt);
  std::vector<std::string> in_window;
  ASSERT_TRUE(store->RoomsInWindow("acme", window, &in_window).ok());
  EXPECT_EQ(in_window.size(), 14u);
  EXPECT_NE(in_window[0].find("\"room_url\":\"https://rtc.example.com/rooms/"), std::string::npos);
  std::optional<EpochMs> sealed;
  ASSERT_TRUE(store->LastSealedWindowEnd("acme", &sealed).ok());
  EXPECT_EQ(sealed, WindowStart(NowMs(), hour));
}

TEST_F(ImportCommandTest, ParallelImportGivesTheSameRoomsInTheSameOrder) {
  // The files are analysed on several threads; what is stored and printed must
  // not depend on which thread finished first.
  std::vector<std::string> files;
  for (const std::string& name : kStandardDumps) files.push_back(DumpPath(name));
  files.push_back(DumpPath(kLegacyDump));
  std::string exported[2], printed[2], errors[2];
  const std::string jobs[2] = {"1", "3"};
  for (int run = 0; run < 2; ++run) {
    const std::string data = dir_ + "/data" + jobs[run];
    std::vector<std::string> args = {"--data-dir", data, "--project", "acme", "--jobs", jobs[run]};
    args.insert(args.end(), files.begin(), files.end());
    EXPECT_EQ(Import(args, &printed[run], &errors[run]), 1);  // the legacy dump
    testing::internal::CaptureStderr();
    EXPECT_EQ(RunExport({"--data-dir", data, "--from", "2020-01-01T00:00:00Z", "--to",
                         "2027-01-01T00:00:00Z", "--project", "acme", "--out",
                         dir_ + "/export" + jobs[run] + ".json"}),
              0);
    testing::internal::GetCapturedStderr();
    std::ifstream in(dir_ + "/export" + jobs[run] + ".json");
    exported[run].assign(std::istreambuf_iterator<char>(in), {});
  }
  EXPECT_EQ(Count(printed[1], ": imported, data stream window "), 13u) << printed[1];
  EXPECT_EQ(printed[0], printed[1]);
  EXPECT_EQ(errors[0], errors[1]);
  EXPECT_GT(exported[0].size(), 10000u);
  // room_url has no public URL here, and the figures are the same.
  EXPECT_EQ(exported[0], exported[1]);

  // Each peer's raw trace, compressed on the import's threads, reads back as
  // the trace its analysis made, under that peer.
  std::map<std::string, std::string> expected;  // session id -> trace
  for (const std::string& name : kStandardDumps) {
    std::string content;
    ImportedTrace trace;
    ImportedPeer peer;
    ASSERT_TRUE(ReadDumpFile(DumpPath(name), kMaxDumpBytes, &content).ok());
    ASSERT_TRUE(ParseDump(content, &trace).ok());
    ASSERT_TRUE(AnalyzeImportedTrace(trace, DumpPath(name), {}, &peer).ok());
    expected[peer.session_id] = peer.trace;
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(
      sqlite3_open_v2((dir_ + "/data3/history.sqlite").c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
      SQLITE_OK);
  std::map<std::string, int64_t> peer_keys;  // session id -> peer key
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT session_id, peer_key FROM peers", -1, &stmt, nullptr),
            SQLITE_OK);
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    peer_keys[reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))] =
        sqlite3_column_int64(stmt, 1);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  ASSERT_EQ(peer_keys.size(), expected.size());
  std::unique_ptr<HistoryStore> store;
  ASSERT_TRUE(OpenSqliteStore(dir_ + "/data3/history.sqlite", &store).ok());
  for (const auto& [session_id, trace] : expected) {
    ASSERT_TRUE(peer_keys.count(session_id)) << session_id;
    std::string lines;
    ASSERT_TRUE(store->ReadTrace(peer_keys[session_id], &lines).ok());
    EXPECT_TRUE(lines == trace) << session_id;
  }

  std::string out, err;
  for (const char* bad : {"0", "-1", "two", ""}) {
    EXPECT_EQ(Import({"--data-dir", dir_ + "/data", "--project", "acme", "--jobs", bad,
                      DumpPath("chrome-relay")},
                     &out, &err),
              2)
        << bad;
    EXPECT_NE(err.find("--jobs must be a whole number"), std::string::npos) << err;
  }
}

TEST_F(ImportCommandTest, SealedWindowsNeverChange) {
  std::unique_ptr<HistoryStore> store;
  std::filesystem::create_directories(dir_ + "/data");
  ASSERT_TRUE(OpenSqliteStore(dir_ + "/data/history.sqlite", &store).ok());
  const int64_t minute = 60000;
  // A collector sealed windows up to two minutes from now.
  const EpochMs sealed_end = WindowStart(NowMs(), minute) + 2 * minute;
  ASSERT_TRUE(store->SealWindow("acme", sealed_end - minute, sealed_end).ok());
  std::string out, err;
  ASSERT_EQ(Import({"--data-dir", dir_ + "/data", "--project", "acme", "--stream-interval", "1m",
                    "--room", "r1", DumpPath("chrome-relay")},
                   &out, &err),
            0)
      << err;
  std::vector<std::string> rooms;
  ASSERT_TRUE(store->RoomsInWindow("acme", sealed_end - minute, &rooms).ok());
  EXPECT_TRUE(rooms.empty());
  ASSERT_TRUE(store->RoomsInWindow("acme", sealed_end, &rooms).ok());
  EXPECT_EQ(rooms.size(), 1u);

  EXPECT_EQ(Import({"--data-dir", dir_ + "/data", "--project", "acme", DumpPath("chrome-relay"),
                    "--stream-interval", "fast"},
                   &out, &err),
            2);
  EXPECT_EQ(Import({"--data-dir", dir_ + "/data", DumpPath("chrome-relay")}, &out, &err), 2);
  EXPECT_EQ(Import({"--data-dir", dir_ + "/data", "--project", "acme"}, &out, &err), 2);
}

TEST(ImportTest, ImportWindowIsTheFirstUnsealedOneAfterTheImport) {
  const int64_t hour = 3600000;
  const EpochMs now = 1795612842000;  // 13:20:42
  const EpochMs current = WindowStart(now, hour);
  EXPECT_EQ(ImportWindow(1600000000000, now, hour, std::nullopt), current);
  EXPECT_EQ(ImportWindow(1600000000000, now, hour, current - hour), current);
  EXPECT_EQ(ImportWindow(1600000000000, now, hour, current + hour), current + hour);
  // A window that ends within seconds is left to the collector that seals it.
  EXPECT_EQ(ImportWindow(1600000000000, current + hour - 5000, hour, current), current + hour);
}

}  // namespace
}  // namespace rtcstream
