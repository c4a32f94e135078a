#include "geo/client_address.h"

#include <gtest/gtest.h>

#include "geo/ip_address.h"
#include "geo/ip_network.h"

namespace rtcstream {
namespace {

std::vector<IpNetwork> Networks(std::initializer_list<const char*> cidrs) {
  std::vector<IpNetwork> out;
  for (const char* c : cidrs) {
    IpNetwork n;
    EXPECT_TRUE(ParseIpNetwork(c, &n).ok()) << c;
    out.push_back(n);
  }
  return out;
}

TEST(IpAddressTest, ParsesBothFamiliesAndUnmapsIpv4) {
  auto v4 = ParseIpAddress("81.2.69.160");
  ASSERT_TRUE(v4);
  EXPECT_TRUE(v4->is_v4);
  EXPECT_EQ(v4->ToString(), "81.2.69.160");
  auto v6 = ParseIpAddress("2001:DB8::1");
  ASSERT_TRUE(v6);
  EXPECT_FALSE(v6->is_v4);
  EXPECT_EQ(v6->ToString(), "2001:db8::1");
  // A dual-stack socket reports IPv4 clients as IPv4-mapped IPv6.
  auto mapped = ParseIpAddress("::ffff:81.2.69.160");
  ASSERT_TRUE(mapped);
  EXPECT_EQ(*mapped, *v4);
  for (const char* bad : {"", "81.2.69", "81.2.69.256", "[::1]", "::1%eth0", "host.example",
                          "1.2.3.4:80", " 1.2.3.4"}) {
    EXPECT_FALSE(ParseIpAddress(bad)) << bad;
  }
}

TEST(IpAddressTest, MasksTheHostPartForLogs) {
  EXPECT_EQ(MaskedAddress(*ParseIpAddress("81.2.69.160")), "81.2.69.0/24");
  EXPECT_EQ(MaskedAddress(*ParseIpAddress("2001:db8:1:2:3::4")), "2001:db8:1::/48");
  EXPECT_EQ(MaskedAddressText("::ffff:81.2.69.160"), "81.2.69.0/24");
  EXPECT_EQ(MaskedAddressText("unknown"), "unknown");
}

TEST(IpNetworkTest, ParsesAndMatchesCidrs) {
  IpNetwork n;
  ASSERT_TRUE(ParseIpNetwork("10.0.0.0/8", &n).ok());
  EXPECT_TRUE(n.Contains(*ParseIpAddress("10.255.1.2")));
  EXPECT_FALSE(n.Contains(*ParseIpAddress("11.0.0.1")));
  EXPECT_FALSE(n.Contains(*ParseIpAddress("::a00:1")));  // families never mix
  ASSERT_TRUE(ParseIpNetwork("172.16.0.0/12", &n).ok());
  EXPECT_TRUE(n.Contains(*ParseIpAddress("172.31.255.255")));
  EXPECT_FALSE(n.Contains(*ParseIpAddress("172.32.0.0")));
  ASSERT_TRUE(ParseIpNetwork("::1/128", &n).ok());
  EXPECT_TRUE(n.Contains(*ParseIpAddress("::1")));
  EXPECT_FALSE(n.Contains(*ParseIpAddress("::2")));
  ASSERT_TRUE(ParseIpNetwork("2001:db8::/32", &n).ok());
  EXPECT_TRUE(n.Contains(*ParseIpAddress("2001:db8:ffff::1")));
  EXPECT_EQ(n.ToString(), "2001:db8::/32");
  ASSERT_TRUE(ParseIpNetwork("192.0.2.7", &n).ok());  // a single host
  EXPECT_EQ(n.prefix_length, 32);
  ASSERT_TRUE(ParseIpNetwork("0.0.0.0/0", &n).ok());
  EXPECT_TRUE(n.Contains(*ParseIpAddress("8.8.8.8")));
}

TEST(IpNetworkTest, RejectsBadCidrsWithAReason) {
  IpNetwork n;
  for (const char* bad :
       {"", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/8x", "10.0.0/8",
        "proxy.example/32", "10.0.0.0/0008", "10.0.0.0/trusted_pro8", "::/99999999999999999999"}) {
    Status s = ParseIpNetwork(bad, &n);
    EXPECT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.message().find(bad), std::string::npos) << s.message();
  }
  Status s = ParseIpNetwork("10.0.0.1/8", &n);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("10.0.0.0/8"), std::string::npos) << s.message();
}

TEST(ForwardedHeadersTest, ParsesXForwardedForEntries) {
  std::vector<ForwardedHop> hops;
  ASSERT_TRUE(ParseXForwardedFor(
      " 81.2.69.160 ,10.0.0.2:4711, [2001:db8::1]:80,2001:db8::2,, unknown", &hops));
  ASSERT_EQ(hops.size(), 5u);
  EXPECT_EQ(hops[0]->ToString(), "81.2.69.160");
  EXPECT_EQ(hops[1]->ToString(), "10.0.0.2");
  EXPECT_EQ(hops[2]->ToString(), "2001:db8::1");
  EXPECT_EQ(hops[3]->ToString(), "2001:db8::2");
  EXPECT_FALSE(hops[4].has_value());
  for (const char* bad : {"81.2.69.160, nonsense", "[2001:db8::1", "1.2.3.4:port", "[1.2.3.4]:80",
                          "1.2.3.4:123456", "<script>"}) {
    EXPECT_FALSE(ParseXForwardedFor(bad, &hops)) << bad;
  }
}

TEST(ForwardedHeadersTest, ParsesRfc7239Forwarded) {
  std::vector<ForwardedHop> hops;
  ASSERT_TRUE(ParseForwarded(
      R"(for=192.0.2.60;proto=http;by=203.0.113.43, For="[2001:db8:cafe::17]:4711", )"
      R"(for="198.51.100.17:80";host="a,b", proto=https, for=_hidden, for=unknown)",
      &hops));
  ASSERT_EQ(hops.size(), 6u);
  // RFC 7239 wants IPv6 quoted; proxies that forget are understood anyway.
  std::vector<ForwardedHop> unquoted;
  ASSERT_TRUE(ParseForwarded("for=[2001:db8::1]:4711", &unquoted));
  EXPECT_EQ(unquoted.at(0)->ToString(), "2001:db8::1");
  EXPECT_EQ(hops[0]->ToString(), "192.0.2.60");
  EXPECT_EQ(hops[1]->ToString(), "2001:db8:cafe::17");
  EXPECT_EQ(hops[2]->ToString(), "198.51.100.17");
  EXPECT_FALSE(hops[3].has_value());  // an element without for=
  EXPECT_FALSE(hops[4].has_value());  // obfuscated
  EXPECT_FALSE(hops[5].has_value());
  for (const char* bad :
       {R"(for="[2001:db8::1)", "for", "for=2001:db8::1]", "for=1.2.3.4;for=5.6.7.8",
        R"(for="unterminated)", "=1.2.3.4", "for=1.2.3.4 5.6.7.8"}) {
    EXPECT_FALSE(ParseForwarded(bad, &hops)) << bad;
  }
}

TEST(ClientAddressTest, UntrustedSocketIgnoresHeaders) {
  const auto trusted = Networks({"10.0.0.0/8"});
  ForwardingHeaders h;
  h.x_forwarded_for = "81.2.69.160";
  h.forwarded = "for=81.2.69.160";
  EXPECT_EQ(ClientAddress("198.51.100.9", h, trusted), "198.51.100.9");
  EXPECT_EQ(ClientAddress("198.51.100.9", h, {}), "198.51.100.9");
  EXPECT_EQ(ClientAddress("::ffff:198.51.100.9", h, trusted), "198.51.100.9");
}

TEST(ClientAddressTest, TrustedProxyGivesTheRightMostUntrustedHop) {
  const auto trusted = Networks({"10.0.0.0/8", "::1/128"});
  ForwardingHeaders h;
  h.x_forwarded_for = "81.2.69.160";
  EXPECT_EQ(ClientAddress("10.1.2.3", h, trusted), "81.2.69.160");
  EXPECT_EQ(ClientAddress("::1", h, trusted), "81.2.69.160");
  // The client may send its own X-Forwarded-For: whatever is left of the first
  // untrusted hop is not believed.
  h.x_forwarded_for = "203.0.113.66, 81.2.69.160, 10.0.0.7";
  EXPECT_EQ(ClientAddress("10.0.0.1", h, trusted), "81.2.69.160");
  // Only trusted hops: the left-most is the client.
  h.x_forwarded_for = "10.9.9.9, 10.0.0.7";
  EXPECT_EQ(ClientAddress("10.0.0.1", h, trusted), "10.9.9.9");
  h.x_forwarded_for = "[2001:db8::5]:4711";
  EXPECT_EQ(ClientAddress("10.0.0.1", h, trusted), "2001:db8::5");
}

TEST(ClientAddressTest, ReadsForwardedWhenThereIsNoXForwardedFor) {
  const auto trusted = Networks({"10.0.0.0/8"});
  ForwardingHeaders h;
  h.forwarded = R"(for=203.0.113.66, for="[2001:db8::1]:4711";proto=https, for=10.0.0.9)";
  EXPECT_EQ(ClientAddress("10.0.0.1", h, trusted), "2001:db8::1");
  h.x_forwarded_for = "81.2.69.160";
  EXPECT_EQ(ClientAddress("10.0.0.1", h, trusted), "81.2.69.160");
}

TEST(ClientAddressTest, MalformedOrUnknownHopsFallBackToTheSocket) {
  const auto trusted = Networks({"10.0.0.0/8"});
  ForwardingHeaders h;
  for (const char* bad : {"garbage", "81.2.69.160, garbage", "81.2.69.160, unknown", "   ", ",,"}) {
    h.x_forwarded_for = bad;
    EXPECT_EQ(ClientAddress("10.0.0.1", h, trusted), "10.0.0.1") << bad;
  }
  h.x_forwarded_for = "";
  for (const char* bad :
       {"for=_hidden", R"(for="[::1)", "proto=https", "for=81.2.69.160;for=1.1.1.1"}) {
    h.forwarded = bad;
    EXPECT_EQ(ClientAddress("10.0.0.1", h, trusted), "10.0.0.1") << bad;
  }
  // A long, hostile header is handled like any other.
  std::string flood;
  for (int i = 0; i < 2000; ++i) flood += "[" + std::string(i % 7, ':') + "], ";
  h.x_forwarded_for = flood;
  h.forwarded = flood;
  EXPECT_EQ(ClientAddress("10.0.0.1", h, trusted), "10.0.0.1");
  // An unparseable socket address is passed through.
  EXPECT_EQ(ClientAddress("unknown", h, trusted), "unknown");
}

}  // namespace
}  // namespace rtcstream
