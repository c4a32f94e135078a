#include "streams/room_json.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <optional>
#include <string>
#include <vector>

#include "common/time_util.h"

namespace rtcstream {
namespace {

EpochMs At(const char* iso) {
  EpochMs t = 0;
  EXPECT_TRUE(ParseIso8601(iso, &t).ok()) << iso;
  return t;
}

DirectionSummary Direction(std::optional<double> bitrate, std::optional<double> packet_loss,
                           std::optional<double> jitter, std::optional<double> rtt,
                           std::optional<double> mos, std::optional<double> score) {
  DirectionSummary d;
  d.bitrate = bitrate;
  d.packet_loss = packet_loss;
  d.jitter = jitter;
  d.rtt = rtt;
  d.mos = mos;
  d.score = score;
  return d;
}

// A peer with every figure known.
PeerRecord FullPeer() {
  PeerRecord p;
  p.peer_id = "alice";
  p.os = "Linux";
  p.os_version = "64-bit";
  p.browser = "Chrome";
  p.browser_version = "102.0.5005.61";
  p.location.city = "Frankfurt am Main";
  p.location.country = "Germany";
  p.location.organization = "Google";
  p.sdk_version = "1.34.1-beta.1";
  p.start_ms = At("2022-06-24T06:37:35.547Z");
  p.end_ms = p.start_ms + 392000;
  p.keys = {{"plan", {"gold"}}};
  p.features.connection_type = "TURN";
  p.features.media_transport = "udp";
  MediaSummary& m = p.stats;
  m.mos = 3.29;
  m.score = 5.9;
  m.call_setup_time = 164;
  // Each direction as in the seed's example peer.
  m.audio.send = Direction(13, 3.6, 8, 428, 3.29, 5.9);
  m.audio.recv = Direction(24, 0.1, 4, std::nullopt, 3.29, 5.9);
  m.video.send = Direction(1596, 2.7, 15, 159, 3.29, std::nullopt);
  m.video.recv = Direction(68, 0.1, 13, std::nullopt, 3.29, std::nullopt);
  p.audio_device = "Fake Default Audio Input";
  p.video_device = "/video/KrankyGeek-1080p.y4m";
  return p;
}

RoomRecord TwoPeerRoom() {
  RoomRecord room;
  room.project = "acme";
  room.room_id = "roomid";
  room.start_ms = At("2022-09-04T00:09:22.885Z");
  room.end_ms = At("2022-09-04T00:17:06.149Z");
  room.peers.push_back(FullPeer());
  PeerRecord bob;  // everything unknown
  bob.peer_id = "bob";
  bob.start_ms = room.start_ms + 1000;
  bob.end_ms = room.end_ms;
  room.peers.push_back(bob);
  return room;
}

class RoomJsonTest : public ::testing::Test {
 protected:
  // Parses `json` into doc_, failing the test when it is not valid JSON.
  void Parse(const std::string& json) {
    json_ = json;
    ASSERT_EQ(parser_.parse(json_).get(doc_), simdjson::SUCCESS) << json_;
  }

  simdjson::dom::element At(const std::string& pointer) {
    simdjson::dom::element e;
    EXPECT_EQ(doc_.at_pointer(pointer).get(e), simdjson::SUCCESS) << pointer << " in " << json_;
    return e;
  }

  bool IsNull(const std::string& pointer) { return At(pointer).is_null(); }

  double Number(const std::string& pointer) {
    double v = -1;
    EXPECT_EQ(At(pointer).get_double().get(v), simdjson::SUCCESS) << pointer << " in " << json_;
    return v;
  }

  std::string Text(const std::string& pointer) {
    std::string_view v;
    EXPECT_EQ(At(pointer).get_string().get(v), simdjson::SUCCESS) << pointer << " in " << json_;
    return std::string(v);
  }

  // The object's keys, in document order.
  std::vector<std::string> KeysOf(const std::string& pointer) {
    std::vector<std::string> keys;
    simdjson::dom::object object;
    EXPECT_EQ(At(pointer).get_object().get(object), simdjson::SUCCESS) << pointer;
    for (auto field : object) keys.emplace_back(field.key);
    return keys;
  }

  std::string json_;
  simdjson::dom::parser parser_;
  simdjson::dom::element doc_;
};

using KeyList = std::vector<std::string>;

TEST_F(RoomJsonTest, LayoutAndKeyOrderFollowTheSeed) {
  Parse(RoomToJson(TwoPeerRoom(), "https://example.com/room/1"));
  EXPECT_EQ(KeysOf(""), (KeyList{"room_url", "room_id", "start_time", "end_time", "duration",
                                 "users", "stats", "peers"}));
  EXPECT_EQ(KeysOf("/stats"), (KeyList{"mos", "score", "call_setup_time", "audio", "video"}));
  for (const char* kind : {"/stats/audio", "/stats/video"}) {
    const std::string k = kind;
    EXPECT_EQ(KeysOf(k), (KeyList{"send", "recv", "bitrate", "packet_loss", "jitter"}));
    EXPECT_EQ(KeysOf(k + "/send"), (KeyList{"bitrate", "packet_loss", "jitter", "rtt"}));
    EXPECT_EQ(KeysOf(k + "/recv"), (KeyList{"bitrate", "packet_loss", "jitter"}));
  }
  for (const char* peer : {"/peers/0", "/peers/1"}) {
    const std::string p = peer;
    EXPECT_EQ(KeysOf(p), (KeyList{"peer_id", "os", "os_version", "browser", "browser_version",
                                  "location", "sdk_version", "start_time", "duration", "keys",
                                  "features", "stats", "audio_device", "video_device"}));
    EXPECT_EQ(KeysOf(p + "/location"), (KeyList{"city", "country", "organization"}));
    EXPECT_EQ(KeysOf(p + "/features"), (KeyList{"connection_type", "media_transport"}));
    EXPECT_EQ(KeysOf(p + "/stats"), (KeyList{"mos", "score", "call_setup_time", "audio", "video"}));
    EXPECT_EQ(KeysOf(p + "/stats/audio"),
              (KeyList{"send", "recv", "bitrate", "packet_loss", "jitter"}));
    EXPECT_EQ(KeysOf(p + "/stats/audio/send"),
              (KeyList{"mos", "score", "bitrate", "packet_loss", "jitter", "rtt"}));
    EXPECT_EQ(KeysOf(p + "/stats/audio/recv"),
              (KeyList{"mos", "score", "bitrate", "packet_loss", "jitter"}));
    EXPECT_EQ(KeysOf(p + "/stats/video"),
              (KeyList{"send", "recv", "bitrate", "packet_loss", "jitter"}));
    EXPECT_EQ(KeysOf(p + "/stats/video/send"),
              (KeyList{"mos", "bitrate", "packet_loss", "jitter", "rtt"}));
    EXPECT_EQ(KeysOf(p + "/stats/video/recv"),
              (KeyList{"mos", "bitrate", "packet_loss", "jitter"}));
  }
}

TEST_F(RoomJsonTest, RoomFields) {
  Parse(RoomToJson(TwoPeerRoom(), "https://example.com/room/1"));
  EXPECT_EQ(Text("/room_url"), "https://example.com/room/1");
  EXPECT_EQ(Text("/room_id"), "roomid");
  EXPECT_EQ(Text("/start_time"), "2022-09-04T00:09:22.885Z");
  EXPECT_EQ(Text("/end_time"), "2022-09-04T00:17:06.149Z");
  EXPECT_EQ(Number("/duration"), 463);  // 463.264 s
  EXPECT_EQ(Number("/users"), 2);
  EXPECT_EQ(At("/peers").get_array().size(), 2u);
}

TEST_F(RoomJsonTest, KnownPeerFields) {
  Parse(RoomToJson(TwoPeerRoom(), "u"));
  EXPECT_EQ(Text("/peers/0/peer_id"), "alice");
  EXPECT_EQ(Text("/peers/0/os"), "Linux");
  EXPECT_EQ(Text("/peers/0/os_version"), "64-bit");
  EXPECT_EQ(Text("/peers/0/browser"), "Chrome");
  EXPECT_EQ(Text("/peers/0/browser_version"), "102.0.5005.61");
  EXPECT_EQ(Text("/peers/0/location/city"), "Frankfurt am Main");
  EXPECT_EQ(Text("/peers/0/location/country"), "Germany");
  EXPECT_EQ(Text("/peers/0/location/organization"), "Google");
  EXPECT_EQ(Text("/peers/0/sdk_version"), "1.34.1-beta.1");
  EXPECT_EQ(Text("/peers/0/start_time"), "2022-06-24T06:37:35.547Z");
  EXPECT_EQ(Number("/peers/0/duration"), 392);
  EXPECT_EQ(Text("/peers/0/keys/plan"), "gold");
  EXPECT_EQ(Text("/peers/0/features/connection_type"), "TURN");
  EXPECT_EQ(Text("/peers/0/features/media_transport"), "udp");
  EXPECT_EQ(Number("/peers/0/stats/mos"), 3.29);
  EXPECT_EQ(Number("/peers/0/stats/score"), 5.9);
  EXPECT_EQ(Number("/peers/0/stats/call_setup_time"), 164);
  EXPECT_EQ(Number("/peers/0/stats/audio/send/mos"), 3.29);
  EXPECT_EQ(Number("/peers/0/stats/audio/send/score"), 5.9);
  EXPECT_EQ(Number("/peers/0/stats/audio/send/bitrate"), 13);
  EXPECT_EQ(Number("/peers/0/stats/audio/send/packet_loss"), 3.6);
  EXPECT_EQ(Number("/peers/0/stats/audio/send/jitter"), 8);
  EXPECT_EQ(Number("/peers/0/stats/audio/send/rtt"), 428);
  EXPECT_EQ(Number("/peers/0/stats/audio/recv/bitrate"), 24);
  // Kind level: the mean of send and recv, as in the seed (13, 24 -> 18.5 -> 19).
  EXPECT_EQ(Number("/peers/0/stats/audio/bitrate"), 19);
  EXPECT_EQ(Number("/peers/0/stats/audio/packet_loss"), 1.9);  // 1.85
  EXPECT_EQ(Number("/peers/0/stats/audio/jitter"), 6);
  EXPECT_EQ(Number("/peers/0/stats/video/send/bitrate"), 1596);
  EXPECT_EQ(Number("/peers/0/stats/video/send/rtt"), 159);
  EXPECT_EQ(Number("/peers/0/stats/video/recv/mos"), 3.29);
  EXPECT_EQ(Number("/peers/0/stats/video/bitrate"), 832);
  EXPECT_EQ(Number("/peers/0/stats/video/packet_loss"), 1.4);
  EXPECT_EQ(Number("/peers/0/stats/video/jitter"), 14);
  EXPECT_EQ(Text("/peers/0/audio_device"), "Fake Default Audio Input");
  EXPECT_EQ(Text("/peers/0/video_device"), "/video/KrankyGeek-1080p.y4m");
}

TEST_F(RoomJsonTest, UnknownValuesAreNull) {
  Parse(RoomToJson(TwoPeerRoom(), "u"));
  EXPECT_EQ(Text("/peers/1/peer_id"), "bob");
  for (const char* field :
       {"os", "os_version", "browser", "browser_version", "location/city", "location/country",
        "location/organization", "sdk_version", "features/connection_type",
        "features/media_transport", "stats/mos", "stats/score", "stats/call_setup_time",
        "audio_device", "video_device"}) {
    EXPECT_TRUE(IsNull(std::string("/peers/1/") + field)) << field;
  }
  for (const char* kind : {"audio", "video"}) {
    const std::string k = std::string("/peers/1/stats/") + kind;
    for (const char* field : {"bitrate", "packet_loss", "jitter"}) {
      EXPECT_TRUE(IsNull(k + "/" + field)) << k << field;
      EXPECT_TRUE(IsNull(k + "/send/" + field)) << k << field;
      EXPECT_TRUE(IsNull(k + "/recv/" + field)) << k << field;
    }
    EXPECT_TRUE(IsNull(k + "/send/rtt"));
    EXPECT_TRUE(IsNull(k + "/send/mos"));
    EXPECT_TRUE(IsNull(k + "/recv/mos"));
  }
  EXPECT_TRUE(IsNull("/peers/1/stats/audio/send/score"));
  EXPECT_TRUE(IsNull("/peers/1/stats/audio/recv/score"));
  EXPECT_EQ(KeysOf("/peers/1/keys"), KeyList{});
  EXPECT_EQ(Number("/peers/1/duration"), 462);  // 462.264 s
}

TEST_F(RoomJsonTest, RoomFiguresAreTheMeanOfKnownPeerFigures) {
  RoomRecord room = TwoPeerRoom();
  MediaSummary& bob = room.peers[1].stats;
  bob.mos = 4.0;                     // alice 3.29 -> 3.645 -> 3.65
  bob.audio.send.bitrate = 20;       // alice 13 -> 16.5 -> 17
  bob.audio.send.packet_loss = 0.5;  // alice 3.6 -> 2.05 -> 2.1
  bob.video.recv.jitter = 20;        // alice 13 -> 16.5 -> 17
  // Everything else of bob is unknown, so the room takes alice's value.
  Parse(RoomToJson(room, "u"));
  EXPECT_EQ(Number("/stats/mos"), 3.65);
  EXPECT_EQ(Number("/stats/score"), 5.9);
  EXPECT_EQ(Number("/stats/call_setup_time"), 164);
  EXPECT_EQ(Number("/stats/audio/send/bitrate"), 17);
  EXPECT_EQ(Number("/stats/audio/send/packet_loss"), 2.1);
  EXPECT_EQ(Number("/stats/audio/send/rtt"), 428);
  EXPECT_EQ(Number("/stats/audio/recv/bitrate"), 24);
  // Room kind level: mean of the room's send (16.5) and recv (24) = 20.25.
  EXPECT_EQ(Number("/stats/audio/bitrate"), 20);
  EXPECT_EQ(Number("/stats/video/recv/jitter"), 17);
}

TEST_F(RoomJsonTest, RoomWithNoFiguresIsAllNull) {
  RoomRecord room;
  room.room_id = "empty";
  room.start_ms = 0;
  room.end_ms = 1500;
  Parse(RoomToJson(room, "u"));
  EXPECT_EQ(Number("/users"), 0);
  EXPECT_EQ(Number("/duration"), 2);  // 1.5 s rounds half away from zero
  EXPECT_TRUE(IsNull("/stats/mos"));
  EXPECT_TRUE(IsNull("/stats/audio/send/rtt"));
  EXPECT_TRUE(IsNull("/stats/video/bitrate"));
  EXPECT_EQ(At("/peers").get_array().size(), 0u);
}

TEST_F(RoomJsonTest, UsersCountsDistinctPeerIds) {
  RoomRecord room = TwoPeerRoom();
  PeerRecord again = room.peers[0];  // alice rejoined with a new page load
  room.peers.push_back(again);
  Parse(RoomToJson(room, "u"));
  EXPECT_EQ(Number("/users"), 2);
  EXPECT_EQ(At("/peers").get_array().size(), 3u);
}

// Rounding is half away from zero on the decimal value as written: 3.15 and
// 4.405 are not exact in binary (3.1499..., 4.4049...), but read as decimals
// they round up, and the output must match what a person computes by hand.
TEST_F(RoomJsonTest, Rounding) {
  RoomRecord room;
  room.room_id = "r";
  PeerRecord p;
  p.peer_id = "p";
  p.stats.mos = 4.405;
  p.stats.score = 5.95;
  p.stats.call_setup_time = 899.5;
  p.stats.audio.send.packet_loss = 3.15;
  p.stats.audio.send.bitrate = 15.5;
  p.stats.audio.send.jitter = 2.4999;
  p.stats.audio.send.rtt = 0.4;
  p.stats.audio.send.mos = 4.0;
  room.peers.push_back(p);
  const std::string json = RoomToJson(room, "u");
  Parse(json);
  EXPECT_NE(json.find("\"mos\":4.41,\"score\":6,\"call_setup_time\":900,"), std::string::npos)
      << json;
  EXPECT_NE(json.find("\"send\":{\"mos\":4,\"score\":null,\"bitrate\":16,\"packet_loss\":3.2,"
                      "\"jitter\":2,\"rtt\":0}"),
            std::string::npos)
      << json;
}

TEST_F(RoomJsonTest, KeysSingleMultipleAndEmpty) {
  RoomRecord room;
  room.room_id = "r";
  PeerRecord p;
  p.peer_id = "p";
  p.keys = {{"plan", {"gold"}}, {"tags", {"a", "b"}}, {"none", {}}, {"plan", {"extra"}}};
  room.peers.push_back(p);
  const std::string json = RoomToJson(room, "u");
  Parse(json);
  EXPECT_EQ(KeysOf("/peers/0/keys"), (KeyList{"plan", "tags", "none"}));
  // A name given twice is merged, so the object never repeats a key.
  EXPECT_NE(json.find("\"keys\":{\"plan\":[\"gold\",\"extra\"],\"tags\":[\"a\",\"b\"],"
                      "\"none\":[]}"),
            std::string::npos)
      << json;

  room.peers[0].keys = {{"plan", {"gold"}}};
  Parse(RoomToJson(room, "u"));
  EXPECT_EQ(Text("/peers/0/keys/plan"), "gold");
}

TEST_F(RoomJsonTest, StringsAreEscapedForHtml) {
  RoomRecord room;
  room.room_id = "<script>alert(\"x\")</script>&";
  PeerRecord p;
  p.peer_id = "line\nbreak";
  p.keys = {{"<k>", {"</v>"}}};
  room.peers.push_back(p);
  const std::string json = RoomToJson(room, "https://example.com/?a=1&b=2");
  EXPECT_EQ(json.find('<'), std::string::npos) << json;
  EXPECT_EQ(json.find('>'), std::string::npos) << json;
  EXPECT_EQ(json.find('&'), std::string::npos) << json;
  EXPECT_NE(json.find("\\u003cscript\\u003e"), std::string::npos) << json;
  Parse(json);
  EXPECT_EQ(Text("/room_id"), "<script>alert(\"x\")</script>&");
  EXPECT_EQ(Text("/room_url"), "https://example.com/?a=1&b=2");
  EXPECT_EQ(Text("/peers/0/peer_id"), "line\nbreak");
  EXPECT_EQ(Text("/peers/0/keys/<k>"), "</v>");
}

TEST_F(RoomJsonTest, DurationBeforeStartIsNull) {
  RoomRecord room;
  room.room_id = "r";
  room.start_ms = 10000;
  room.end_ms = 20000;
  PeerRecord p;
  p.peer_id = "p";
  p.start_ms = 15000;  // end unknown (0)
  room.peers.push_back(p);
  Parse(RoomToJson(room, "u"));
  EXPECT_EQ(Number("/duration"), 10);
  EXPECT_TRUE(IsNull("/peers/0/duration"));
}

TEST(StreamFileBodyTest, JoinsStructsIntoOneArray) {
  EXPECT_EQ(StreamFileBody({}), "[]\n");
  EXPECT_EQ(StreamFileBody({"{\"a\":1}"}), "[{\"a\":1}]\n");
  const std::string body =
      StreamFileBody({RoomToJson(TwoPeerRoom(), "u1"), RoomToJson(TwoPeerRoom(), "u2")});
  ASSERT_EQ(body.back(), '\n');
  simdjson::dom::parser parser;
  simdjson::dom::array rooms;
  ASSERT_EQ(parser.parse(body).get_array().get(rooms), simdjson::SUCCESS);
  ASSERT_EQ(rooms.size(), 2u);
  std::string_view url;
  ASSERT_EQ(rooms.at(1)["room_url"].get_string().get(url), simdjson::SUCCESS);
  EXPECT_EQ(url, "u2");
}

}  // namespace
}  // namespace rtcstream
