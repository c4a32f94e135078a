#include "session/trace_decoder.h"

#include <gtest/gtest.h>

#include <map>

namespace rtcstream {
namespace {

// Records what the decoder reports.
class RecordingHandler : public TraceHandler {
 public:
  void OnRawTuple(std::string_view t) override { raw.emplace_back(t); }
  void OnIdentity(const SessionIdentity& id, double) override { identity = id; }
  void OnKeys(const std::vector<std::pair<std::string, std::vector<std::string>>>& k,
              double) override {
    keys = k;
  }
  void OnUserAgent(const UserAgentInfo& info, double) override { ua = info; }
  void OnLocalTrack(std::string_view kind, std::string_view label, double) override {
    tracks[std::string(kind)] = std::string(label);
  }
  void OnStats(std::string_view pc, const StatsSnapshot& s, double) override {
    last_pc = std::string(pc);
    last = s;
    stats_calls++;
  }
  void OnSetLocalDescription(std::string_view, double ts) override { sld_ts = ts; }
  void OnConnectionState(std::string_view, std::string_view state, double) override {
    states.emplace_back(state);
  }
  void OnIceConnectionState(std::string_view, std::string_view, double) override {}
  void OnPcClosed(std::string_view pc, double) override { closed.emplace_back(pc); }
  void OnPersistentCallEnd(double ts) override { call_ends.push_back(ts); }
  void OnClockSkew(int64_t skew) override { skew_ms = skew; }
  void OnTuple(std::string_view name, double) override { names.emplace_back(name); }

  std::vector<std::string> raw, names, states, closed;
  std::vector<double> call_ends;
  SessionIdentity identity;
  std::vector<std::pair<std::string, std::vector<std::string>>> keys;
  UserAgentInfo ua;
  std::map<std::string, std::string> tracks;
  std::string last_pc;
  StatsSnapshot last;
  int stats_calls = 0;
  double sld_ts = 0;
  int64_t skew_ms = 0;
};

double Num(const StatsSnapshot& s, const char* id, const char* field) {
  const StatsReport* r = s.Find(id);
  EXPECT_NE(r, nullptr) << id;
  if (r == nullptr) return -1;
  return GetNumber(*r, field).value_or(-1);
}

TEST(TraceDecoderTest, AppliesDeltasAgainstThePreviousState) {
  TraceDecoder decoder;
  RecordingHandler h;
  FrameDecodeResult result;
  // Full first report: every report has its type; timestamp 0 means "the top-level one".
  ASSERT_TRUE(
      decoder
          .DecodeFrameJson(
              R"([["getstats","PC_0",{"OT01":{"type":"outbound-rtp","kind":"audio","bytesSent":100,"packetsSent":10,"timestamp":0},"RI01":{"type":"remote-inbound-rtp","roundTripTime":0.05,"timestamp":1000.5},"timestamp":2000,"getStatsId":1},2001]])",
              &h, &result)
          .ok());
  EXPECT_EQ(result.tuples_accepted, 1u);
  EXPECT_EQ(Num(h.last, "OT01", "bytesSent"), 100);
  EXPECT_EQ(Num(h.last, "OT01", "timestamp"), 2000);
  EXPECT_EQ(Num(h.last, "RI01", "timestamp"), 1000.5);

  // Delta: only changed fields; an absent report is unchanged, not removed.
  ASSERT_TRUE(
      decoder
          .DecodeFrameJson(
              R"([["getstats","PC_0",{"OT01":{"bytesSent":300,"timestamp":0},"timestamp":4000,"getStatsId":2},4001]])",
              &h, &result)
          .ok());
  EXPECT_EQ(Num(h.last, "OT01", "bytesSent"), 300);
  EXPECT_EQ(Num(h.last, "OT01", "packetsSent"), 10);  // kept from the baseline
  EXPECT_EQ(Num(h.last, "OT01", "timestamp"), 4000);
  EXPECT_EQ(Num(h.last, "RI01", "roundTripTime"), 0.05);  // absent report kept
  EXPECT_EQ(h.last.timestamp_ms, 4000);
}

TEST(TraceDecoderTest, KeepsPeerConnectionsApart) {
  TraceDecoder decoder;
  RecordingHandler h;
  FrameDecodeResult result;
  ASSERT_TRUE(
      decoder
          .DecodeFrameJson(
              R"([["getstats","PC_0",{"A":{"type":"inbound-rtp","bytesReceived":1,"timestamp":0},"timestamp":1},1],["getstats","PC_1",{"A":{"type":"inbound-rtp","bytesReceived":7,"timestamp":0},"timestamp":1},1]])",
              &h, &result)
          .ok());
  EXPECT_EQ(decoder.PeerConnectionCount(), 2u);
  EXPECT_EQ(h.last_pc, "PC_1");
  EXPECT_EQ(Num(h.last, "A", "bytesReceived"), 7);
}

// A page that defines window.mozRTCPeerConnection makes the SDK key every report
// "<type>_<id>"; the ids inside the reports stay the browser's own.
TEST(TraceDecoderTest, TypePrefixedKeysBecomeTheBrowsersIds) {
  TraceDecoder decoder;
  RecordingHandler h;
  FrameDecodeResult result;
  ASSERT_TRUE(
      decoder
          .DecodeFrameJson(
              R"([["getstats","PC_0",{"outbound-rtp_4b6a00c0":{"type":"outbound-rtp","kind":"audio","codecId":"31bb5f04","remoteId":"bc23e40a","bytesSent":100,"timestamp":0},"remote-inbound-rtp_bc23e40a":{"type":"remote-inbound-rtp","localId":"4b6a00c0","roundTripTime":null,"timestamp":1500},"codec_31bb5f04":{"type":"codec","mimeType":"audio/opus","timestamp":0},"media-source_mediasource_audio_0{c9}":{"type":"media-source","kind":"audio","timestamp":0},"timestamp":2000,"getStatsId":1},2001]])",
              &h, &result)
          .ok());
  EXPECT_EQ(Num(h.last, "4b6a00c0", "bytesSent"), 100);
  EXPECT_NE(h.last.Find("bc23e40a"), nullptr);
  EXPECT_NE(h.last.Find("31bb5f04"), nullptr);
  EXPECT_NE(h.last.Find("mediasource_audio_0{c9}"), nullptr);
  EXPECT_EQ(h.last.Find("outbound-rtp_4b6a00c0"), nullptr);
  EXPECT_EQ(h.last.reports.size(), 4u);

  // Deltas carry no type: their keys are prefixed all the same.
  ASSERT_TRUE(
      decoder
          .DecodeFrameJson(
              R"([["getstats","PC_0",{"outbound-rtp_4b6a00c0":{"bytesSent":300,"timestamp":0},"remote-inbound-rtp_bc23e40a":{"roundTripTime":null},"timestamp":4000,"getStatsId":2},4001]])",
              &h, &result)
          .ok());
  EXPECT_EQ(result.tuples_rejected, 0u);
  EXPECT_EQ(Num(h.last, "4b6a00c0", "bytesSent"), 300);
  EXPECT_EQ(Num(h.last, "4b6a00c0", "timestamp"), 4000);
  EXPECT_EQ(Num(h.last, "bc23e40a", "timestamp"), 1500);
  EXPECT_EQ(h.last.reports.size(), 4u);
}

// Ids that merely contain '_' are kept whole when not every key is "<type>_<id>".
TEST(TraceDecoderTest, IdsWithUnderscoresAreNotPrefixes) {
  TraceDecoder decoder;
  RecordingHandler h;
  FrameDecodeResult result;
  ASSERT_TRUE(
      decoder
          .DecodeFrameJson(
              R"([["getstats","PC_0",{"codec_1":{"type":"codec","mimeType":"audio/opus"},"RTCInboundRTPAudioStream_1":{"type":"inbound-rtp","bytesReceived":5},"timestamp":1},1]])",
              &h, &result)
          .ok());
  EXPECT_NE(h.last.Find("codec_1"), nullptr);
  EXPECT_EQ(Num(h.last, "RTCInboundRTPAudioStream_1", "bytesReceived"), 5);
  ASSERT_TRUE(
      decoder
          .DecodeFrameJson(
              R"([["getstats","PC_0",{"codec_1":{"mimeType":"audio/PCMU"},"timestamp":2},2]])", &h,
              &result)
          .ok());
  EXPECT_EQ(GetString(*h.last.Find("codec_1"), "mimeType"), "audio/PCMU");
}

TEST(TraceDecoderTest, DeltaWithoutBaselineIsRejectedButOthersApply) {
  TraceDecoder decoder;
  RecordingHandler h;
  FrameDecodeResult result;
  Status s = decoder.DecodeFrameJson(
      R"([["getstats","PC_0",{"X":{"bytesSent":5},"Y":{"type":"outbound-rtp","bytesSent":9},"timestamp":1},1]])",
      &h, &result);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("without a baseline"), std::string::npos) << s.ToString();
  EXPECT_EQ(h.last.Find("X"), nullptr);
  EXPECT_EQ(Num(h.last, "Y", "bytesSent"), 9);
}

TEST(TraceDecoderTest, RejectsMalformedFramesWithReasons) {
  TraceDecoder decoder;
  RecordingHandler h;
  FrameDecodeResult result;
  EXPECT_FALSE(decoder.DecodeFrameJson("{\"a\":1}", &h, &result).ok());
  EXPECT_FALSE(decoder.DecodeFrameJson("[[\"getstats\"", &h, &result).ok());
  // One bad tuple in a batch does not lose the good one.
  Status s =
      decoder.DecodeFrameJson(R"([[1,null,{},5],["keys",null,{"plan":["gold"]},6]])", &h, &result);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("tuple 0"), std::string::npos);
  EXPECT_EQ(result.tuples_rejected, 1u);
  EXPECT_EQ(result.tuples_accepted, 1u);
  ASSERT_EQ(h.keys.size(), 1u);
  EXPECT_EQ(h.keys[0].second, std::vector<std::string>{"gold"});
}

TEST(TraceDecoderTest, UnknownNamesAreKeptRawAndIgnored) {
  TraceDecoder decoder;
  RecordingHandler h;
  FrameDecodeResult result;
  ASSERT_TRUE(
      decoder.DecodeFrameJson(R"([["somethingNew","PC_3",{"x":[1,2]},10]])", &h, &result).ok());
  ASSERT_EQ(h.raw.size(), 1u);
  EXPECT_EQ(h.raw[0], R"(["somethingNew","PC_3",{"x":[1,2]},10])");
  EXPECT_EQ(h.stats_calls, 0);
}

TEST(TraceDecoderTest, SingleTupleFrameAndIdentityWithoutSecrets) {
  TraceDecoder decoder;
  RecordingHandler h;
  FrameDecodeResult result;
  ASSERT_TRUE(
      decoder
          .DecodeFrameJson(
              R"(["watchrtc","PC_0",{"rtcApiKey":"staging:SECRET","rtcRoomId":"r1","rtcPeerId":"p1","keys":{"company":["acme"],"plan":"gold"},"sdkVersion":"1.43.1","collectionInterval":8000},99])",
              &h, &result)
          .ok());
  EXPECT_EQ(h.identity.room_id, "r1");
  EXPECT_EQ(h.identity.peer_id, "p1");
  EXPECT_EQ(h.identity.sdk_version, "1.43.1");
  ASSERT_EQ(h.identity.keys.size(), 2u);
  EXPECT_EQ(h.identity.keys[1].second, std::vector<std::string>{"gold"});
  ASSERT_EQ(h.raw.size(), 1u);
  EXPECT_EQ(h.raw[0].find("SECRET"), std::string::npos) << h.raw[0];
  EXPECT_EQ(h.raw[0].find("rtcApiKey"), std::string::npos);
  EXPECT_NE(h.raw[0].find("rtcRoomId"), std::string::npos);
}

TEST(TraceDecoderTest, EventsReachTheHandler) {
  TraceDecoder decoder;
  RecordingHandler h;
  FrameDecodeResult result;
  ASSERT_TRUE(
      decoder
          .DecodeFrameJson(
              R"([["setLocalDescription","PC_0",{"type":"offer"},100],["onconnectionstatechange","PC_0","connected",350],["onlocaltrack","PC_0","audio:abc state:live muted:false label:Fake Default Audio Input stream:s1",101],["onlocaltrack",null,"undefined:undefined state:undefined muted:undefined label:undefined",102],["onlocaltrack","PC_0","video:v1 state:live muted:false label:fake_device_0",103],["close","PC_0",{},900],["userAgentData",null,{"name":"Chrome","version":"120.0","os":"Linux","osVersion":"x"},5]])",
              &h, &result)
          .ok());
  EXPECT_EQ(h.sld_ts, 100);
  EXPECT_EQ(h.states, std::vector<std::string>{"connected"});
  EXPECT_EQ(h.tracks["audio"], "Fake Default Audio Input");
  EXPECT_EQ(h.tracks["video"], "fake_device_0");
  EXPECT_EQ(h.tracks.count("undefined"), 0u);
  EXPECT_EQ(h.closed, std::vector<std::string>{"PC_0"});
  EXPECT_EQ(h.ua.browser_name, "Chrome");
  EXPECT_EQ(h.names.size(), 7u);
}

// watchRTC.persistentEnd() sends ["nailUpCallEnd",null,null,T] as a signalling
// frame, and persistentEnd(true) the same tuple once more, compressed on its own.
TEST(TraceDecoderTest, PersistentCallEndReachesTheHandler) {
  TraceDecoder decoder;
  RecordingHandler h;
  FrameDecodeResult result;
  ASSERT_TRUE(
      decoder.DecodeFrameJson(R"(["nailUpCallEnd",null,null,1795652337580])", &h, &result).ok());
  ASSERT_TRUE(
      decoder.DecodeFrameJson(R"([["nailUpCallEnd",null,null,1795652337581]])", &h, &result).ok());
  EXPECT_EQ(h.call_ends, (std::vector<double>{1795652337580, 1795652337581}));
  EXPECT_EQ(h.raw.front(), R"(["nailUpCallEnd",null,null,1795652337580])");
  EXPECT_EQ(h.names, (std::vector<std::string>{"nailUpCallEnd", "nailUpCallEnd"}));
}

TEST(TraceDecoderTest, ClientsCannotSendRtcstreamRecords) {
  TraceDecoder decoder;
  RecordingHandler h;
  FrameDecodeResult result;
  Status s = decoder.DecodeFrameJson(
      R"([["rtcstream:connect",null,{"skewMs":99999999},10],["keys",null,{"a":["b"]},11]])", &h,
      &result);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("reserved"), std::string::npos) << s.ToString();
  EXPECT_EQ(h.skew_ms, 0);
  EXPECT_EQ(result.tuples_accepted, 1u);  // the honest tuple still counts
  EXPECT_FALSE(decoder
                   .DecodeTupleJson(R"(["rtcstream:import",null,{"getstats":"x"},1])", &h,
                                    TupleSource::kClient)
                   .ok());
  EXPECT_EQ(h.raw.size(), 1u);  // only the keys tuple reached the trace
}

TEST(TraceDecoderTest, ServerConnectTupleCarriesTheClockSkew) {
  TraceDecoder decoder;
  RecordingHandler h;
  ASSERT_TRUE(
      decoder.DecodeTupleJson(R"(["rtcstream:connect",null,{"skewMs":-1500},10])", &h).ok());
  EXPECT_EQ(h.skew_ms, -1500);
}

}  // namespace
}  // namespace rtcstream
