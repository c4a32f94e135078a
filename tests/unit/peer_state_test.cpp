#include "rooms/peer_state.h"

#include <gtest/gtest.h>

namespace rtcstream {
namespace {

constexpr char kFirefoxUserAgent[] =
    "Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0";

// What the SDK 1.43.1 sent from Firefox ESR 153 (firefox-chromium.jsonl): it
// parsed the User-Agent string and copied the browser version into osVersion.
TEST(PeerStateTest, FirefoxHasNoOsVersion) {
  PeerState peer("session-1", kFirefoxUserAgent);
  ASSERT_TRUE(
      peer.FeedTupleJson(
              R"(["userAgentData",null,{"name":"Firefox","version":"153.0","majorVersion":"153","nameMajorVersion":"Firefox/153","os":"Linux","osVersion":"153.0","nameVersion":"Firefox/153.0","nameOs":"Firefox/Linux","nameVersionOs":"Firefox/153.0/Linux"},1795622223729])")
          .ok());
  const PeerRecord r = peer.ToRecord();
  EXPECT_EQ(r.browser, "Firefox");
  EXPECT_EQ(r.browser_version, "153.0");
  EXPECT_EQ(r.os, "Linux");
  EXPECT_EQ(r.os_version, std::nullopt);
}

TEST(PeerStateTest, OsVersionOfUserAgentClientHintsIsKept) {
  PeerState peer("session-1", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0.0.0");
  ASSERT_TRUE(
      peer.FeedTupleJson(
              R"(["userAgentData",null,{"name":"Chrome","version":"120.0.6099.71","os":"Windows","osVersion":"11","architecture":"x86_64","mobile":false},1])")
          .ok());
  EXPECT_EQ(peer.ToRecord().os_version, "11");
}

// Safari's version is the system's on iOS only.
TEST(PeerStateTest, IosSafariKeepsItsVersionAsTheOsVersion) {
  PeerState peer("session-1", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X)");
  ASSERT_TRUE(
      peer.FeedTupleJson(
              R"(["userAgentData",null,{"name":"Safari","version":"17.4","os":"iOS","osVersion":"17.4"},1])")
          .ok());
  EXPECT_EQ(peer.ToRecord().os_version, "17.4");
}

// watchRTC.persistentStart() connects with the events the SDK buffered since the
// page started it (nail-up.jsonl): once the SDK ended the call (nailUpCallEnd),
// the peer's time starts with the connection, not with those events.
TEST(PeerStateTest, PersistentCallStartsWithItsConnection) {
  PeerState peer("session-1", "");
  peer.RecordServerEvent(kServerConnectTuple, R"({"skewMs":0})", 1795652310143);
  FrameDecodeResult result;
  ASSERT_TRUE(
      peer.FeedFrameJson(
              R"([["create","PC_0",{"iceServers":[]},1795652306765],["onconnectionstatechange","PC_0","connected",1795652306953],["oldTracesCleanup",null,{"filteredCount":0},1795652310143]])",
              &result)
          .ok());
  EXPECT_FALSE(peer.persistent_call_ended());
  EXPECT_EQ(peer.first_seen_ms(), 1795652306765);

  ASSERT_TRUE(
      peer.FeedTupleJson(R"(["nailUpCallEnd",null,null,1795652322354])", TupleSource::kClient)
          .ok());
  EXPECT_TRUE(peer.persistent_call_ended());
  EXPECT_EQ(peer.first_seen_ms(), 1795652310143);
  const PeerRecord r = peer.ToRecord();
  EXPECT_EQ(r.start_ms, 1795652310143);
  EXPECT_EQ(r.end_ms, 1795652322354);
  EXPECT_EQ(peer.Series().start_ms(), 1795652310143);
}

}  // namespace
}  // namespace rtcstream
