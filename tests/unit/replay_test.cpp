// Replays frames recorded from real calls (headless Chromium running the real
// watchRTC SDK, tests/fixtures/sdk-recordings/) through the whole collector:
// wire decoding, session decoding, analysis, rooms, the SQLite history and the
// room struct. No browser needed; every byte is what the SDK really sent.

#include <gtest/gtest.h>
#include <simdjson.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "common/percent_encoding.h"
#include "service/collector.h"
#include "store/history_store.h"

namespace rtcstream {
namespace {

std::string Fixture(const std::string& name) {
  return std::string(RTCSTREAM_SOURCE_DIR) + "/tests/fixtures/sdk-recordings/" + name;
}

constexpr char kToken[] = "token-of-default-0123456789";
constexpr char kOtherToken[] = "token-of-other-0123456789";

class ReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rtcstream-replay-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    OpenCollector();
  }

  void OpenCollector() {
    ServiceConfig config;
    config.data_dir = dir_;
    config.room_close_grace_ms = room_close_grace_ms_;
    config.limits.idle_timeout_ms = idle_timeout_ms_;
    ProjectConfig project;
    project.id = "default";
    project.api_keys = {"rec-key-1"};
    project.collection_interval_ms = 2000;
    project.stream.interval_ms = stream_interval_ms_;
    project.access_tokens = {{"inline", kToken}};
    config.projects.push_back(project);
    ProjectConfig other;
    other.id = "other";
    other.api_keys = {"other-key"};
    other.access_tokens = {{"inline", kOtherToken}};
    config.projects.push_back(other);
    ASSERT_TRUE(Collector::Open(config, &collector_).ok());
  }

  void TearDown() override {
    collector_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Feeds lines [first, last) of a recording to the collector as the server would.
  void Replay(const std::string& name, size_t first = 0, size_t last = SIZE_MAX) {
    std::ifstream in(Fixture(name));
    ASSERT_TRUE(in) << Fixture(name);
    simdjson::dom::parser parser;
    std::string line;
    for (size_t n = 0; std::getline(in, line); ++n) {
      if (n < first || n >= last) continue;
      simdjson::dom::element e;
      ASSERT_EQ(parser.parse(line).get(e), simdjson::SUCCESS);
      std::string_view event;
      if (e["event"].get_string().get(event) != simdjson::SUCCESS) event = "frame";
      int64_t conn = 0;
      if (e["conn"].get_int64().get(conn) != simdjson::SUCCESS) conn = 0;
      if (event == "open") {
        std::string_view url = e["url"].get_string().value();
        ConnectRequest request;
        request.api_key = QueryParam(url, "apiKey");
        request.session_id = QueryParam(url, "sessionId");
        request.new_connection = QueryParam(url, "newConnection") != "false";
        request.client_timestamp_ms = std::atoll(QueryParam(url, "timestamp").c_str());
        request.remote_address = "127.0.0.1";
        std::string_view ua;
        if (e["headers"]["user-agent"].get_string().get(ua) == simdjson::SUCCESS) {
          request.user_agent = std::string(ua);
        }
        std::string reply;
        Status s = collector_->Connect(request, &connections_[conn], &reply);
        replies_.push_back(reply);
        if (s.ok()) {
          requests_[conn] = request;
        } else {
          connections_.erase(conn);
        }
      } else if (event == "frame") {
        auto it = connections_.find(conn);
        if (it == connections_.end()) continue;  // frames of a rejected socket
        Status s = collector_->OnFrame(*it->second, e["frame"].get_string().value());
        EXPECT_TRUE(s.ok()) << s.ToString();
      } else if (event == "close" || event == "drop") {
        auto it = connections_.find(conn);
        if (it != connections_.end()) {
          collector_->Disconnect(*it->second);
          connections_.erase(it);
        }
      } else if (event == "http") {
        std::string_view method = e["method"].get_string().value();
        std::string_view body;
        if (method == "POST" && e["body"].get_string().get(body) == simdjson::SUCCESS) {
          Status s = collector_->OnHttpTrace(body, "127.0.0.1", "");
          http_statuses_.push_back(s);
        }
      }
    }
  }

  // Stops the collector as a clean shutdown does, starts a new one on the same
  // data directory, and reconnects every open socket like the SDK would.
  void Restart() {
    collector_->Flush();
    collector_.reset();
    OpenCollector();
    Reconnect(/*only_open=*/true);
  }

  // Connects the recorded sockets again (newConnection=false), as the SDK does
  // after a drop: all of them, or only those still open.
  void Reconnect(bool only_open) {
    for (auto& [conn, request] : requests_) {
      if (only_open && connections_.count(conn) == 0) continue;
      ConnectRequest again = request;
      again.new_connection = false;
      std::string reply;
      ASSERT_TRUE(collector_->Connect(again, &connections_[conn], &reply).ok());
    }
  }

  // Closes every room and returns the structs stored for the room id.
  std::vector<std::string> CloseAndRead(const std::string& room_id) {
    collector_->Tick(NowMs() + 5000);
    std::string json;
    Status s = collector_->RoomJson(kToken, room_id, &json);
    EXPECT_TRUE(s.ok()) << s.ToString();
    doc_ = json;
    simdjson::dom::element arr;
    EXPECT_EQ(parser_.parse(doc_).get(arr), simdjson::SUCCESS);
    std::vector<std::string> rooms;
    for (simdjson::dom::element room : arr.get_array()) rooms.push_back(simdjson::minify(room));
    return rooms;
  }

  std::string dir_;
  int64_t room_close_grace_ms_ = 1000;
  int64_t stream_interval_ms_ = 3600000;
  int64_t idle_timeout_ms_ = 120000;
  std::unique_ptr<Collector> collector_;
  std::map<int64_t, std::shared_ptr<Collector::Connection>> connections_;
  std::map<int64_t, ConnectRequest> requests_;
  std::vector<std::string> replies_;
  std::vector<Status> http_statuses_;
  simdjson::dom::parser parser_;
  std::string doc_;
};

double Number(simdjson::dom::element e) {
  double d = -1;
  if (e.get_double().get(d) != simdjson::SUCCESS) {
    int64_t i;
    if (e.get_int64().get(i) == simdjson::SUCCESS) d = static_cast<double>(i);
  }
  return d;
}

// `call_setup`: whether the peer's data covers the set-up of its connection.
void ExpectPlausibleMedia(simdjson::dom::element peer, bool call_setup = true) {
  for (const char* dir : {"send", "recv"}) {
    const double audio = Number(peer["stats"]["audio"][dir]["bitrate"].value());
    const double video = Number(peer["stats"]["video"][dir]["bitrate"].value());
    EXPECT_GT(audio, 5) << dir;
    EXPECT_LT(audio, 200) << dir;
    EXPECT_GT(video, 20) << dir;
    EXPECT_LT(video, 5000) << dir;
    EXPECT_EQ(Number(peer["stats"]["audio"][dir]["packet_loss"].value()), 0) << dir;
  }
  const double mos = Number(peer["stats"]["mos"].value());
  EXPECT_GE(mos, 1);
  EXPECT_LE(mos, 5);
  if (!call_setup) {
    EXPECT_TRUE(peer["stats"]["call_setup_time"].is_null());
    return;
  }
  const double setup = Number(peer["stats"]["call_setup_time"].value());
  EXPECT_GT(setup, 0);
  EXPECT_LT(setup, 10000);
}

TEST_F(ReplayTest, TwoPeerCall) {
  Replay("two-peer-call.jsonl");
  auto rooms = CloseAndRead("rec-room-2p");
  ASSERT_EQ(rooms.size(), 1u);
  simdjson::dom::parser p;
  simdjson::dom::element room = p.parse(rooms[0]).value();
  EXPECT_EQ(std::string_view(room["room_id"]), "rec-room-2p");
  EXPECT_EQ(int64_t(room["users"]), 2);
  EXPECT_GT(int64_t(room["duration"]), 20);
  simdjson::dom::array peers = room["peers"].get_array();
  ASSERT_EQ(peers.size(), 2u);
  std::map<std::string, simdjson::dom::element> by_id;
  for (auto peer : peers) by_id[std::string(std::string_view(peer["peer_id"]))] = peer;
  ASSERT_EQ(by_id.count("alice"), 1u);
  ASSERT_EQ(by_id.count("bob"), 1u);
  // Keys from the config, plus one added with addKeys during the call.
  EXPECT_EQ(std::string_view(by_id["alice"]["keys"]["company"]), "acme");
  EXPECT_EQ(std::string_view(by_id["alice"]["keys"]["region"]), "eu-west");
  EXPECT_EQ(simdjson::minify(by_id["bob"]["keys"]["plan"]), R"(["gold","trial"])");
  for (auto& [id, peer] : by_id) {
    SCOPED_TRACE(id);
    ExpectPlausibleMedia(peer);
    EXPECT_EQ(std::string_view(peer["browser"]), "Chrome");
    // GREASE brand in userAgentData: name from the User-Agent header, full version kept.
    EXPECT_EQ(std::string_view(peer["browser_version"]), "156.0.8078.108");
    EXPECT_EQ(std::string_view(peer["os"]), "Linux");
    EXPECT_EQ(std::string_view(peer["sdk_version"]), "1.43.1");
    EXPECT_EQ(std::string_view(peer["features"]["connection_type"]), "direct");
    EXPECT_EQ(std::string_view(peer["features"]["media_transport"]), "udp");
    EXPECT_EQ(std::string_view(peer["audio_device"]), "Fake Default Audio Input");
    EXPECT_EQ(std::string_view(peer["video_device"]), "fake_device_0");
  }
  // The SDK's plain API key is never stored, not even in the raw trace.
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream f(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    EXPECT_EQ(ss.str().find("rec-key-1"), std::string::npos) << entry.path();
  }
}

TEST_F(ReplayTest, ThreePeerMeshWithIntervalChange) {
  Replay("three-peer-mesh.jsonl");
  auto rooms = CloseAndRead("rec-room-mesh");
  ASSERT_EQ(rooms.size(), 1u);
  simdjson::dom::parser p;
  simdjson::dom::element room = p.parse(rooms[0]).value();
  EXPECT_EQ(int64_t(room["users"]), 3);
  for (auto peer : room["peers"].get_array()) ExpectPlausibleMedia(peer);
  EXPECT_EQ(collector_->Stats().tuples_rejected, 0u);
}

TEST_F(ReplayTest, ReconnectContinuesTheDeltaStream) {
  Replay("reconnect.jsonl");
  // Keys and rating posted over HTTP while the socket was down were accepted.
  ASSERT_EQ(http_statuses_.size(), 2u);
  for (const Status& s : http_statuses_) EXPECT_TRUE(s.ok()) << s.ToString();
  const CollectorStats stats = collector_->Stats();
  EXPECT_EQ(stats.frames_rejected, 0u);
  EXPECT_EQ(stats.tuples_rejected, 0u);  // no delta lost its baseline
  auto rooms = CloseAndRead("rec-room-reconnect");
  ASSERT_EQ(rooms.size(), 1u);
  simdjson::dom::parser p;
  simdjson::dom::element room = p.parse(rooms[0]).value();
  EXPECT_EQ(int64_t(room["users"]), 2);
  for (auto peer : room["peers"].get_array()) {
    ExpectPlausibleMedia(peer);
    if (std::string_view(peer["peer_id"]) == "alice") {
      EXPECT_EQ(std::string_view(peer["keys"]["phase"]), "reconnecting");
    }
  }
}

// Firefox ESR 153 (alice) and Chromium (bob). Firefox's reports differ from
// Chromium's: some reports carry their own timestamps instead of 0, the SDK
// sends remote-outbound-rtp with "roundTripTime": null in every delta, and there
// are no certificate or media-playout reports.
void ExpectFirefoxChromiumCall(simdjson::dom::element room) {
  EXPECT_EQ(int64_t(room["users"]), 2);
  std::map<std::string, simdjson::dom::element> by_id;
  for (auto peer : room["peers"].get_array()) {
    by_id[std::string(std::string_view(peer["peer_id"]))] = peer;
  }
  ASSERT_EQ(by_id.count("alice"), 1u);
  ASSERT_EQ(by_id.count("bob"), 1u);
  EXPECT_EQ(std::string_view(by_id["alice"]["browser"]), "Firefox");
  EXPECT_EQ(std::string_view(by_id["alice"]["browser_version"]), "153.0");
  EXPECT_TRUE(by_id["alice"]["os_version"].is_null());  // the SDK sent the browser's
  EXPECT_EQ(std::string_view(by_id["alice"]["audio_device"]), "Default Audio Device");
  EXPECT_EQ(std::string_view(by_id["alice"]["video_device"]), "Fake Firefox Camera");
  EXPECT_EQ(std::string_view(by_id["bob"]["browser"]), "Chrome");
  for (auto& [id, peer] : by_id) {
    SCOPED_TRACE(id);
    ExpectPlausibleMedia(peer);
    EXPECT_EQ(std::string_view(peer["os"]), "Linux");
    EXPECT_EQ(std::string_view(peer["features"]["connection_type"]), "direct");
    EXPECT_EQ(std::string_view(peer["features"]["media_transport"]), "udp");
    for (const char* kind : {"audio", "video"}) {
      SCOPED_TRACE(kind);
      const double rtt = Number(peer["stats"][kind]["send"]["rtt"].value());
      EXPECT_GE(rtt, 0);
      EXPECT_LT(rtt, 100);
      for (const char* dir : {"send", "recv"}) {
        const double jitter = Number(peer["stats"][kind][dir]["jitter"].value());
        EXPECT_GE(jitter, 0) << dir;
        EXPECT_LT(jitter, 50) << dir;
        const double mos = Number(peer["stats"][kind][dir]["mos"].value());
        EXPECT_GE(mos, 1) << dir;
        EXPECT_LE(mos, 4.5) << dir;
      }
    }
    const double score = Number(peer["stats"]["score"].value());
    EXPECT_GE(score, 8);
    EXPECT_LE(score, 10);
  }
}

TEST_F(ReplayTest, FirefoxAndChromium) {
  Replay("firefox-chromium.jsonl");
  EXPECT_EQ(collector_->Stats().tuples_rejected, 0u);
  auto rooms = CloseAndRead("rec-room-firefox");
  ASSERT_EQ(rooms.size(), 1u);
  simdjson::dom::parser p;
  ExpectFirefoxChromiumCall(p.parse(rooms[0]).value());
}

// The page defined window.mozRTCPeerConnection: alice's SDK keyed her reports
// "<type>_<id>" while their references (codecId, localId, remoteId,
// selectedCandidatePairId, localCandidateId) stayed unprefixed.
TEST_F(ReplayTest, FirefoxTypePrefixedReportKeys) {
  Replay("firefox-moz-keys.jsonl");
  EXPECT_EQ(collector_->Stats().tuples_rejected, 0u);
  auto rooms = CloseAndRead("rec-room-firefox-moz");
  ASSERT_EQ(rooms.size(), 1u);
  simdjson::dom::parser p;
  ExpectFirefoxChromiumCall(p.parse(rooms[0]).value());
}

// Every data stream file of project "default" written so far: path -> contents.
// (Project "other" has hourly windows, which these tests may cross at any time.)
std::map<std::string, std::string> StreamFiles(const std::string& dir) {
  std::map<std::string, std::string> files;
  const std::string root = dir + "/streams/default";
  if (!std::filesystem::exists(root)) return files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream f(entry.path());
    std::stringstream ss;
    ss << f.rdbuf();
    files[entry.path().string()] = ss.str();
  }
  return files;
}

size_t Occurrences(const std::map<std::string, std::string>& files, const std::string& what) {
  size_t n = 0;
  for (const auto& [path, body] : files) {
    for (size_t pos = body.find(what); pos != std::string::npos; pos = body.find(what, pos + 1)) {
      ++n;
    }
  }
  return n;
}

TEST_F(ReplayTest, EveryRoomLandsInExactlyOneWindowEvenWhenLate) {
  collector_.reset();
  stream_interval_ms_ = 60000;
  OpenCollector();
  Replay("two-peer-call.jsonl");
  const EpochMs now = NowMs();
  collector_->Tick(now + 5000);  // closes the room
  // Seal and deliver every window up to well after the room ended.
  collector_->Tick(now + 5 * 60000);
  collector_->Deliver(now + 5 * 60000);
  auto files = StreamFiles(dir_);
  ASSERT_GE(files.size(), 4u);
  EXPECT_EQ(Occurrences(files, "\"room_id\":\"rec-room-2p\""), 1u);
  size_t empty = 0;
  for (const auto& [path, body] : files) {
    EXPECT_NE(path.find("/streams/default/"), std::string::npos);
    if (body == "[]\n") ++empty;
  }
  EXPECT_EQ(empty, files.size() - 1);  // an empty window writes []

  // A room whose end falls in an already delivered window goes into the next
  // window to be delivered, never into a rewritten old one.
  Replay("reconnect.jsonl");
  collector_->Tick(now + 5 * 60000 + 5000);
  auto before = StreamFiles(dir_);
  collector_->Tick(now + 7 * 60000);
  collector_->Deliver(now + 7 * 60000);
  auto after = StreamFiles(dir_);
  for (const auto& [path, body] : before) EXPECT_EQ(after[path], body) << path;
  EXPECT_EQ(Occurrences(after, "\"room_id\":\"rec-room-reconnect\""), 1u);
  EXPECT_EQ(Occurrences(after, "\"room_id\":\"rec-room-2p\""), 1u);
}

size_t LineCount(const std::string& name) {
  std::ifstream in(Fixture(name));
  size_t n = 0;
  std::string line;
  while (std::getline(in, line)) ++n;
  return n;
}

TEST_F(ReplayTest, ARoomStaysOpenForTheCloseGraceAndKeepsPeersThatReturnWithinIt) {
  collector_.reset();
  room_close_grace_ms_ = 30000;
  OpenCollector();
  const size_t half = LineCount("two-peer-call.jsonl") / 2;
  Replay("two-peer-call.jsonl", 0, half);
  ASSERT_EQ(connections_.size(), 2u);
  for (auto& [conn, connection] : connections_) collector_->Disconnect(*connection);
  const EpochMs left = NowMs();
  collector_->Tick(left + 20000);  // both peers gone, but within the grace
  EXPECT_EQ(collector_->Stats().open_rooms, 1u);
  Reconnect(/*only_open=*/false);
  Replay("two-peer-call.jsonl", half);  // the rest of the call, then the sockets close
  EXPECT_EQ(collector_->Stats().tuples_rejected, 0u);
  const EpochMs left_again = NowMs();
  collector_->Tick(left_again + 29000);
  EXPECT_EQ(collector_->Stats().open_rooms, 1u);
  collector_->Tick(left_again + 31000);
  EXPECT_EQ(collector_->Stats().open_rooms, 0u);
  std::string json;
  ASSERT_TRUE(collector_->RoomJson(kToken, "rec-room-2p", &json).ok());
  EXPECT_EQ(Occurrences({{"rooms", json}}, "\"room_id\":\"rec-room-2p\""), 1u);  // one session
  EXPECT_NE(json.find("\"users\":2"), std::string::npos) << json;
}

TEST_F(ReplayTest, AnOpenRoomIsServedAsItStandsThenAsStored) {
  Replay("two-peer-call.jsonl", 0, LineCount("two-peer-call.jsonl") / 2);
  std::string live;
  ASSERT_TRUE(collector_->RoomJson(kToken, "rec-room-2p", &live).ok());
  EXPECT_EQ(Occurrences({{"live", live}}, "\"room_id\":\"rec-room-2p\""), 1u);
  EXPECT_NE(live.find("\"users\":2"), std::string::npos) << live;
  EXPECT_NE(live.find("\"peer_id\":\"alice\""), std::string::npos) << live;
  std::string other;
  EXPECT_EQ(collector_->RoomJson(kOtherToken, "rec-room-2p", &other).code(),
            Status::Code::kNotFound);  // never another project's room

  Replay("two-peer-call.jsonl", LineCount("two-peer-call.jsonl") / 2);
  auto closed = CloseAndRead("rec-room-2p");
  EXPECT_EQ(closed.size(), 1u);  // once stored, served once, from the history
}

TEST_F(ReplayTest, AnHttpTraceAfterTheRoomClosedIsKeptInThePeersHistory) {
  Replay("two-peer-call.jsonl");
  ASSERT_EQ(CloseAndRead("rec-room-2p").size(), 1u);
  const std::string session = "6jdu6xb2qqlsrrrjbsgcjg";  // alice's page
  // The SDK names our project id once its socket was accepted.
  const std::string late =
      R"({"sessionId":")" + session +
      R"(","projectId":"default","rtcRoomId":"rec-room-2p","rtcPeerId":"alice",)"
      R"("data":["userRating",null,{"rating":4,"ratingComment":"late"},1]})";
  EXPECT_TRUE(collector_->OnHttpTrace(late, "127.0.0.1", "").ok());
  const std::string bad =
      R"({"sessionId":")" + session + R"(","projectId":"default","data":["userRating"]})";
  EXPECT_FALSE(collector_->OnHttpTrace(bad, "127.0.0.1", "").ok());
  const std::string unknown = R"({"sessionId":"no-such-session","projectId":"default",)"
                              R"("data":["userRating",null,{"rating":1},1]})";
  EXPECT_EQ(collector_->OnHttpTrace(unknown, "127.0.0.1", "").code(),
            Status::Code::kPermissionDenied);

  std::unique_ptr<HistoryStore> store;
  ASSERT_TRUE(OpenSqliteStore(dir_ + "/history.sqlite", &store).ok());
  int64_t peer_key = 0;
  ASSERT_TRUE(store->LastClosedPeerOfSession("default", session, &peer_key).ok());
  ASSERT_NE(peer_key, 0);
  std::string trace;
  ASSERT_TRUE(store->ReadTrace(peer_key, &trace).ok());
  EXPECT_NE(trace.find(R"("ratingComment":"late")"), std::string::npos);
  EXPECT_EQ(trace.find(R"(["userRating"])"), std::string::npos);
  EXPECT_EQ(Occurrences({{"trace", trace}}, "userRating"), 1u);
  // The stored room struct is final, and no new room session was started.
  EXPECT_EQ(collector_->Stats().open_rooms, 0u);
  EXPECT_EQ(CloseAndRead("rec-room-2p").size(), 1u);
}

TEST_F(ReplayTest, AGetUserMediaFailureReportedOverHttpBeforeAnySocket) {
  Replay("http-error.jsonl");
  ASSERT_EQ(http_statuses_.size(), 1u);
  EXPECT_TRUE(http_statuses_[0].ok()) << http_statuses_[0].ToString();
  auto rooms = CloseAndRead("rec-room-error");
  ASSERT_EQ(rooms.size(), 1u);
  EXPECT_NE(rooms[0].find("\"peer_id\":\"alice\""), std::string::npos) << rooms[0];
}

// The value of a string field of a room struct.
std::string StringField(const std::string& json, const std::string& name) {
  const std::string field = "\"" + name + "\":\"";
  const size_t begin = json.find(field);
  if (begin == std::string::npos) return "";
  const size_t value = begin + field.size();
  return json.substr(value, json.find('"', value) - value);
}

TEST_F(ReplayTest, ARoomThatClosesAfterItsWindowEndedIsStillWrittenInThatWindow) {
  collector_.reset();
  stream_interval_ms_ = 60000;
  room_close_grace_ms_ = 10 * 60000;  // the room closes long after its window ended
  OpenCollector();
  Replay("two-peer-call.jsonl");
  const EpochMs now = NowMs();
  // The room's window has ended, but the room is still in its close grace: the
  // window waits for it instead of being sealed without it.
  collector_->Tick(now + 2 * 60000);
  collector_->Deliver(now + 2 * 60000);
  EXPECT_EQ(Occurrences(StreamFiles(dir_), "\"room_id\":\"rec-room-2p\""), 0u);
  collector_->Tick(now + 11 * 60000);  // closes the room, then seals
  collector_->Deliver(now + 11 * 60000);
  auto files = StreamFiles(dir_);
  ASSERT_EQ(Occurrences(files, "\"room_id\":\"rec-room-2p\""), 1u);
  for (const auto& [path, body] : files) {
    if (body.find("rec-room-2p") == std::string::npos) continue;
    EpochMs end = 0;
    ASSERT_TRUE(ParseIso8601(StringField(body, "end_time"), &end).ok()) << body;
    const EpochMs start = end - end % stream_interval_ms_;
    const std::string name =
        FormatCompactUtc(start) + "_" + FormatCompactUtc(start + stream_interval_ms_) + ".json";
    EXPECT_EQ(std::filesystem::path(path).filename().string(), name);
  }
}

TEST_F(ReplayTest, ASilentOpenRoomHoldsBackDeliveryOnlyForALimitedTime) {
  collector_.reset();
  stream_interval_ms_ = 60000;
  room_close_grace_ms_ = 60000;
  idle_timeout_ms_ = 120000;
  OpenCollector();
  Replay("two-peer-call.jsonl", 0, LineCount("two-peer-call.jsonl") / 2);  // sockets stay open
  const EpochMs now = NowMs();
  collector_->Tick(now + 2 * 60000);
  collector_->Deliver(now + 2 * 60000);
  EXPECT_TRUE(StreamFiles(dir_).empty());  // the room may still end in those windows
  // After the close grace and the idle timeout, the windows go out without it.
  const EpochMs later = now + 2 * 60000 + room_close_grace_ms_ + idle_timeout_ms_ + 10000;
  collector_->Tick(later);
  collector_->Deliver(later);
  auto files = StreamFiles(dir_);
  EXPECT_GE(files.size(), 5u);
  EXPECT_EQ(Occurrences(files, "rec-room-2p"), 0u);
  EXPECT_EQ(collector_->Stats().open_rooms, 1u);
}

// Blanks the ISO times: replays place the recorded client clock on the server's
// clock of the moment, so two replays differ there and nowhere else.
std::string WithoutTimes(std::string json) {
  for (const char* field : {"\"start_time\":\"", "\"end_time\":\""}) {
    for (size_t pos = json.find(field); pos != std::string::npos; pos = json.find(field, pos + 1)) {
      const size_t begin = pos + std::strlen(field);
      json.erase(begin, json.find('"', begin) - begin);
    }
  }
  return json;
}

TEST_F(ReplayTest, RestartMidCallLosesNothing) {
  const size_t lines = LineCount("two-peer-call.jsonl");
  Replay("two-peer-call.jsonl", 0, lines / 2);
  Restart();
  EXPECT_EQ(collector_->Stats().open_rooms, 1u);  // restored from the history
  Replay("two-peer-call.jsonl", lines / 2);
  EXPECT_EQ(collector_->Stats().tuples_rejected, 0u);  // deltas continued after the restart
  auto restarted = CloseAndRead("rec-room-2p");
  ASSERT_EQ(restarted.size(), 1u);

  // The same traffic without a restart gives the same struct.
  collector_.reset();
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  connections_.clear();
  requests_.clear();
  OpenCollector();
  Replay("two-peer-call.jsonl");
  auto uninterrupted = CloseAndRead("rec-room-2p");
  ASSERT_EQ(uninterrupted.size(), 1u);
  EXPECT_NE(restarted[0].find("\"start_time\":\"2"), std::string::npos);
  EXPECT_EQ(WithoutTimes(restarted[0]), WithoutTimes(uninterrupted[0]));
}

TEST_F(ReplayTest, PeersReturningAfterTheirRoomClosedKeepTheirDeltaBaselines) {
  // Both peers lose their sockets for longer than the room close grace: the
  // room session closes. When the SDKs come back (newConnection=false), their
  // getstats deltas continue from what they sent before the outage.
  const size_t lines = LineCount("two-peer-call.jsonl");
  const size_t outage = 29;  // between two getstats frames, in the middle of the call
  ASSERT_LT(outage, lines);
  Replay("two-peer-call.jsonl", 0, outage);
  for (auto& [conn, connection] : connections_) collector_->Disconnect(*connection);
  collector_->Tick(NowMs() + 5000);
  EXPECT_EQ(collector_->Stats().open_rooms, 0u);
  Reconnect(/*only_open=*/false);
  // Like the SDK, each peer says again who it is (its `watchrtc` message).
  Replay("two-peer-call.jsonl", 5, 6);
  Replay("two-peer-call.jsonl", 7, 8);
  Replay("two-peer-call.jsonl", outage);
  EXPECT_EQ(collector_->Stats().tuples_rejected, 0u);  // no delta without its baseline

  auto rooms = CloseAndRead("rec-room-2p");
  ASSERT_EQ(rooms.size(), 2u);  // before and after the outage
  simdjson::dom::parser p;
  for (const std::string& json : rooms) {
    simdjson::dom::element room = p.parse(json).value();
    EXPECT_EQ(int64_t(room["users"]), 2);
    for (auto peer : room["peers"].get_array()) {
      SCOPED_TRACE(std::string(std::string_view(peer["peer_id"])));
      for (const char* kind : {"audio", "video"}) {
        for (const char* dir : {"send", "recv"}) {
          const double bitrate = Number(peer["stats"][kind][dir]["bitrate"].value());
          EXPECT_GT(bitrate, kind == std::string("audio") ? 5 : 20) << kind << " " << dir;
        }
      }
    }
  }
}

// Counts the stored trace chunks of every peer of the history in `dir`.
std::vector<int64_t> ChunksPerPeer(const std::string& dir) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open((dir + "/history.sqlite").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db,
                     "SELECT COUNT(c.seq) FROM peers p LEFT JOIN trace_chunks c "
                     "ON c.peer_key = p.peer_key GROUP BY p.peer_key ORDER BY p.peer_key",
                     -1, &stmt, nullptr);
  std::vector<int64_t> counts;
  while (sqlite3_step(stmt) == SQLITE_ROW) counts.push_back(sqlite3_column_int64(stmt, 0));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return counts;
}

TEST_F(ReplayTest, ClosedRoomsTracesAreCompactedIntoOneChunk) {
  const size_t lines = LineCount("two-peer-call.jsonl");
  // Journal passes during the call store each peer's trace as many chunks.
  for (size_t i = 0; i < 10; ++i) {
    Replay("two-peer-call.jsonl", lines * i / 10, lines * (i + 1) / 10);
    ASSERT_TRUE(collector_->PersistTraces().ok());
  }
  auto before = CloseAndRead("rec-room-2p");
  ASSERT_EQ(before.size(), 1u);
  std::vector<int64_t> chunks = ChunksPerPeer(dir_);
  ASSERT_EQ(chunks.size(), 2u);
  for (int64_t n : chunks) EXPECT_GT(n, 5);

  collector_->Tick(NowMs() + 6000);  // the next tick compacts the closed room's traces
  for (int64_t n : ChunksPerPeer(dir_)) EXPECT_EQ(n, 1);
  const std::string metrics = collector_->RenderMetrics();
  EXPECT_NE(metrics.find("rtcstream_trace_compactions_total{result=\"ok\"} 2"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("rtcstream_journal_lag_seconds"), std::string::npos);
}

TEST_F(ReplayTest, RoomsAreVisibleOnlyWithTheirProjectsToken) {
  Replay("two-peer-call.jsonl");
  ASSERT_EQ(CloseAndRead("rec-room-2p").size(), 1u);
  std::string json;
  // Project "other" has no such room: its token must not reveal project default's.
  EXPECT_EQ(collector_->RoomJson(kOtherToken, "rec-room-2p", &json).code(),
            Status::Code::kNotFound);
  EXPECT_EQ(collector_->RoomJson("token-of-nobody-0123456789", "rec-room-2p", &json).code(),
            Status::Code::kPermissionDenied);
  EXPECT_EQ(collector_->RoomJson("", "rec-room-2p", &json).code(), Status::Code::kPermissionDenied);
  // The SDK's API key is not an HTTP API credential.
  EXPECT_EQ(collector_->RoomJson("rec-key-1", "rec-room-2p", &json).code(),
            Status::Code::kPermissionDenied);
}

TEST_F(ReplayTest, StreamsStatusShowsOnlyTheTokensProjectAndItsDeliveries) {
  const EpochMs now = NowMs();
  Replay("two-peer-call.jsonl");
  collector_->Tick(now + 5000);         // closes the room
  collector_->Tick(now + 2 * 3600000);  // seals its window
  std::string json;
  ASSERT_TRUE(collector_->StreamsJson(kToken, &json).ok());
  EXPECT_NE(json.find("\"project\":\"default\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"state\":\"pending\""), std::string::npos) << json;
  collector_->Deliver(now + 2 * 3600000);
  ASSERT_TRUE(collector_->StreamsJson(kToken, &json).ok());
  EXPECT_NE(json.find("\"pending\":[]"), std::string::npos) << json;
  EXPECT_NE(json.find("\"state\":\"delivered\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"rooms\":1"), std::string::npos) << json;

  // Project "other" sees its own (empty) windows, never default's deliveries.
  ASSERT_TRUE(collector_->StreamsJson(kOtherToken, &json).ok());
  EXPECT_NE(json.find("\"project\":\"other\""), std::string::npos) << json;
  EXPECT_EQ(json.find("/streams/default/"), std::string::npos) << json;
  EXPECT_EQ(json.find("\"rooms\":1"), std::string::npos) << json;
  EXPECT_EQ(collector_->StreamsJson("rec-key-1", &json).code(), Status::Code::kPermissionDenied);
  EXPECT_EQ(collector_->StreamsJson("", &json).code(), Status::Code::kPermissionDenied);
}

TEST_F(ReplayTest, RejectedKeyGetsAnErrorReplyAndNoRoom) {
  Replay("rejected-key.jsonl");
  ASSERT_FALSE(replies_.empty());
  for (const std::string& reply : replies_) {
    EXPECT_EQ(reply.rfind("{\"error\":", 0), 0u) << reply;
  }
  collector_->Tick(NowMs() + 5000);
  EXPECT_EQ(collector_->Stats().open_rooms, 0u);
}

// The parsed body of a series request; fails the test when it is not OK.
class SeriesBody {
 public:
  SeriesBody(Collector* collector, const std::string& room_id, const std::string& peer_id) {
    Status s = collector->PeerSeriesJson(kToken, room_id, peer_id, &json_);
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (!s.ok()) json_ = "{}";
    doc_ = parser_.parse(json_).value();
  }
  simdjson::dom::element doc() const { return doc_; }
  const std::string& json() const { return json_; }

  // Mean of the non-null values of an array (-1 when all are null).
  double MeanOf(simdjson::dom::element array, size_t* known) const {
    double sum = 0;
    *known = 0;
    for (simdjson::dom::element v : array.get_array()) {
      if (v.is_null()) continue;
      sum += Number(v);
      ++*known;
    }
    return *known == 0 ? -1 : sum / static_cast<double>(*known);
  }

 private:
  std::string json_;
  simdjson::dom::parser parser_;
  simdjson::dom::element doc_;
};

TEST_F(ReplayTest, SeriesOfEachPeerLiveThenClosed) {
  Replay("two-peer-call.jsonl");
  // Still open: the series so far, from memory.
  size_t live_samples = 0;
  {
    SeriesBody live(collector_.get(), "rec-room-2p", "alice");
    EXPECT_TRUE(bool(live.doc()["live"]));
    live_samples = static_cast<size_t>(int64_t(live.doc()["samples"]));
    EXPECT_GT(live_samples, 10u);
  }
  auto rooms = CloseAndRead("rec-room-2p");
  ASSERT_EQ(rooms.size(), 1u);
  simdjson::dom::parser p;
  simdjson::dom::element room = p.parse(rooms[0]).value();
  for (simdjson::dom::element peer : room["peers"].get_array()) {
    const std::string peer_id{std::string_view(peer["peer_id"])};
    SCOPED_TRACE(peer_id);
    SeriesBody body(collector_.get(), "rec-room-2p", peer_id);
    simdjson::dom::element doc = body.doc();
    EXPECT_FALSE(bool(doc["live"]));
    EXPECT_EQ(std::string_view(doc["room_id"]), "rec-room-2p");
    EXPECT_EQ(std::string_view(doc["peer_id"]), peer_id);
    EXPECT_EQ(std::string_view(doc["start_time"]), std::string_view(peer["start_time"]));
    const size_t samples = static_cast<size_t>(int64_t(doc["samples"]));
    if (peer_id == "alice") {
      EXPECT_EQ(samples, live_samples);
    }
    EXPECT_EQ(doc["series"]["t"].get_array().size(), samples);
    EXPECT_EQ(doc["series"]["pc"].get_array().size(), samples);
    // Roughly one sample per 2 s collection interval over the peer's time.
    const double duration_s = Number(peer["duration"]);
    EXPECT_NEAR(static_cast<double>(samples), duration_s / 2, duration_s / 4);
    for (const char* kind : {"audio", "video"}) {
      for (const auto& [direction, summary] :
           {std::pair{"inbound", "recv"}, std::pair{"outbound", "send"}}) {
        SCOPED_TRACE(std::string(kind) + " " + direction);
        simdjson::dom::element columns = doc["series"][kind][direction];
        EXPECT_EQ(columns["bitrate"].get_array().size(), samples);
        size_t known = 0;
        const double mean = body.MeanOf(columns["bitrate"], &known);
        const double expected = Number(peer["stats"][kind][summary]["bitrate"]);
        EXPECT_GT(known, samples / 2);
        EXPECT_NEAR(mean, expected, expected * 0.1);
      }
    }
    EXPECT_EQ(doc["series"]["video"]["inbound"]["frame_width"].get_array().size(), samples);
    EXPECT_TRUE(doc["series"]["audio"]["inbound"]["frame_width"].error() ==
                simdjson::NO_SUCH_FIELD);
  }
}

TEST_F(ReplayTest, SeriesAreVisibleOnlyWithTheirProjectsTokenAndKnownIds) {
  Replay("two-peer-call.jsonl");
  std::string json;
  // Open room: the same rules as for a closed one.
  EXPECT_EQ(collector_->PeerSeriesJson(kOtherToken, "rec-room-2p", "alice", &json).code(),
            Status::Code::kNotFound);
  ASSERT_EQ(CloseAndRead("rec-room-2p").size(), 1u);
  EXPECT_EQ(collector_->PeerSeriesJson(kOtherToken, "rec-room-2p", "alice", &json).code(),
            Status::Code::kNotFound);
  EXPECT_EQ(collector_->PeerSeriesJson("token-of-nobody-0123456789", "rec-room-2p", "alice", &json)
                .code(),
            Status::Code::kPermissionDenied);
  EXPECT_EQ(collector_->PeerSeriesJson("", "rec-room-2p", "alice", &json).code(),
            Status::Code::kPermissionDenied);
  EXPECT_EQ(collector_->PeerSeriesJson("rec-key-1", "rec-room-2p", "alice", &json).code(),
            Status::Code::kPermissionDenied);
  EXPECT_EQ(collector_->PeerSeriesJson(kToken, "rec-room-2p", "carol", &json).code(),
            Status::Code::kNotFound);
  EXPECT_EQ(collector_->PeerSeriesJson(kToken, "no-such-room", "alice", &json).code(),
            Status::Code::kNotFound);
  EXPECT_TRUE(collector_->PeerSeriesJson(kToken, "rec-room-2p", "alice", &json).ok());
}

TEST_F(ReplayTest, SeriesSurviveARestartAndAreRecomputedWhenNotStored) {
  const size_t lines = LineCount("two-peer-call.jsonl");
  Replay("two-peer-call.jsonl", 0, lines / 2);
  Restart();
  Replay("two-peer-call.jsonl", lines / 2);
  ASSERT_EQ(CloseAndRead("rec-room-2p").size(), 1u);
  const std::string restarted = SeriesBody(collector_.get(), "rec-room-2p", "bob").json();

  // A history from before series were kept has no stored series: the raw
  // trace gives the same one.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ + "/history.sqlite").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "DELETE FROM peer_series", nullptr, nullptr, nullptr), SQLITE_OK);
  EXPECT_EQ(sqlite3_changes(db), 2);
  sqlite3_close(db);
  EXPECT_EQ(SeriesBody(collector_.get(), "rec-room-2p", "bob").json(), restarted);

  // The same traffic without a restart gives the same series.
  collector_.reset();
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  connections_.clear();
  requests_.clear();
  OpenCollector();
  Replay("two-peer-call.jsonl");
  ASSERT_EQ(CloseAndRead("rec-room-2p").size(), 1u);
  const std::string uninterrupted = SeriesBody(collector_.get(), "rec-room-2p", "bob").json();
  EXPECT_NE(uninterrupted.find("\"samples\":"), std::string::npos);
  EXPECT_EQ(WithoutTimes(restarted), WithoutTimes(uninterrupted));
}

// One persistent ("nail-up") connection carrying two calls (nail-up.jsonl): each
// watchRTC.persistentStart() opened a socket with a new sessionId, each
// persistentEnd() sent nailUpCallEnd and closed it. Each call is a room session
// of its own, spanning its socket up to nailUpCallEnd, and closes as soon as its
// socket is gone, without the grace a reconnecting SDK would get.
TEST_F(ReplayTest, PersistentCallsAreRoomSessionsOfTheirOwn) {
  room_close_grace_ms_ = 600000;
  collector_.reset();
  OpenCollector();
  Replay("nail-up.jsonl");
  collector_->Tick(NowMs());
  EXPECT_EQ(collector_->Stats().open_rooms, 0u);
  struct Call {
    const char* room_id;
    int64_t duration_s;  // persistentStart's connection to nailUpCallEnd
    size_t samples;      // getstats sent during the call
    bool call_setup;     // the socket carried the connection's set-up
  };
  for (const Call& call :
       {Call{"rec-room-nailup-a", 12, 7, true}, Call{"rec-room-nailup-b", 12, 6, false}}) {
    SCOPED_TRACE(call.room_id);
    std::string json;
    Status s = collector_->RoomJson(kToken, call.room_id, &json);
    ASSERT_TRUE(s.ok()) << s.ToString();
    simdjson::dom::parser p;
    simdjson::dom::element rooms = p.parse(json).value();
    ASSERT_EQ(rooms.get_array().size(), 1u);
    simdjson::dom::element room = rooms.at(0).value();
    EXPECT_EQ(int64_t(room["users"]), 1);
    EXPECT_EQ(int64_t(room["duration"]), call.duration_s);
    simdjson::dom::array peers = room["peers"].get_array();
    ASSERT_EQ(peers.size(), 1u);
    simdjson::dom::element alice = peers.at(0).value();
    EXPECT_EQ(std::string_view(alice["peer_id"]), "alice");
    EXPECT_EQ(std::string_view(alice["start_time"]), std::string_view(room["start_time"]));
    EXPECT_EQ(int64_t(alice["duration"]), call.duration_s);
    EXPECT_EQ(std::string_view(alice["keys"]["company"]), "acme");
    ExpectPlausibleMedia(alice, call.call_setup);
    SeriesBody series(collector_.get(), call.room_id, "alice");
    EXPECT_EQ(static_cast<size_t>(int64_t(series.doc()["samples"])), call.samples);
  }
}

}  // namespace
}  // namespace rtcstream
