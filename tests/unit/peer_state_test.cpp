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

}  // namespace
}  // namespace rtcstream
