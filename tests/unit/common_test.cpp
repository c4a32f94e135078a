#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "common/json_writer.h"
#include "common/parallel_for.h"
#include "common/percent_encoding.h"
#include "common/time_util.h"
#include "session/user_agent.h"

namespace rtcstream {
namespace {

TEST(TimeUtilTest, FormatsAndParsesIso8601) {
  EXPECT_EQ(FormatIso8601(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIso8601(1662250162885), "2022-09-04T00:09:22.885Z");
  EXPECT_EQ(FormatCompactUtc(1795428000000), "20261123T100000Z");
  EpochMs t = 0;
  ASSERT_TRUE(ParseIso8601("2022-09-04T00:09:22.885Z", &t).ok());
  EXPECT_EQ(t, 1662250162885);
  ASSERT_TRUE(ParseIso8601("2022-09-04T02:09:22+02:00", &t).ok());
  EXPECT_EQ(t, 1662250162000);
  ASSERT_TRUE(ParseIso8601("2026-11-23", &t).ok());
  EXPECT_EQ(FormatIso8601(t), "2026-11-23T00:00:00.000Z");
  EXPECT_FALSE(ParseIso8601("2022-09-04T00:09:22", &t).ok());  // no zone
  EXPECT_FALSE(ParseIso8601("yesterday", &t).ok());
  EXPECT_FALSE(ParseIso8601("2022-13-01", &t).ok());
}

TEST(TimeUtilTest, ParsesDurations) {
  int64_t ms = 0;
  ASSERT_TRUE(ParseDuration("30s", &ms).ok());
  EXPECT_EQ(ms, 30000);
  ASSERT_TRUE(ParseDuration("5m", &ms).ok());
  EXPECT_EQ(ms, 300000);
  ASSERT_TRUE(ParseDuration("2h", &ms).ok());
  EXPECT_EQ(ms, 7200000);
  ASSERT_TRUE(ParseDuration("250ms", &ms).ok());
  EXPECT_EQ(ms, 250);
  EXPECT_FALSE(ParseDuration("5 minutes", &ms).ok());
  EXPECT_FALSE(ParseDuration("m", &ms).ok());
  EXPECT_FALSE(ParseDuration("5849261373028273720s", &ms).ok());  // overflows int64 ms
}

TEST(JsonWriterTest, RoundsHalfAwayFromZeroAndTrimsZeros) {
  JsonWriter w;
  w.BeginArray();
  w.Number(3.15, 1);
  w.Number(3.25, 1);
  w.Number(15.5, 0);
  w.Number(4.0, 2);
  w.Number(4.405, 2);
  w.Number(-0.04, 1);
  w.Number(1.0 / 0.0, 1);
  w.EndArray();
  EXPECT_EQ(w.str(), "[3.2,3.3,16,4,4.41,0,null]");
}

TEST(JsonWriterTest, LargeNumbersKeepTheirLastDecimals) {
  JsonWriter w;
  w.BeginArray();
  w.Number(1795612842013.537, 3);
  w.Number(1795612842013.5, 0);
  w.Number(1651144288792, 3);
  w.EndArray();
  EXPECT_EQ(w.str(), "[1795612842013.537,1795612842014,1651144288792]");
}

TEST(JsonWriterTest, HugeNumbersStayValidJson) {
  JsonWriter w;
  w.BeginArray();
  w.Number(1e307, 3);   // scaled by 1000 it would be infinite
  w.Number(-1e300, 0);  // no int64_t holds it
  w.Number(1e62, 2);
  w.EndArray();
  EXPECT_EQ(w.str(), "[9.9999999999999999e+306,-1.0000000000000001e+300,1e+62]");
}

TEST(JsonWriterTest, EscapesStringsForJsonAndHtml) {
  JsonWriter w;
  w.BeginObject();
  w.Key("a\"b");
  w.String("<script>\n\x01 & \xff ok é");
  w.EndObject();
  EXPECT_EQ(w.str(), "{\"a\\\"b\":\"\\u003cscript\\u003e\\n\\u0001 \\u0026 \xEF\xBF\xBD ok é\"}");
}

TEST(UserAgentTest, RecognisesCommonBrowsers) {
  auto chrome = ParseUserAgent(
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "HeadlessChrome/156.0.8078.108 Safari/537.36");
  EXPECT_EQ(chrome.browser, "Chrome");
  EXPECT_EQ(chrome.browser_version, "156.0.8078.108");
  EXPECT_EQ(chrome.os, "Linux");
  auto firefox = ParseUserAgent(
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0");
  EXPECT_EQ(firefox.browser, "Firefox");
  EXPECT_EQ(firefox.os, "Windows");
  auto safari = ParseUserAgent(
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
      "Version/17.0 Safari/605.1.15");
  EXPECT_EQ(safari.browser, "Safari");
  EXPECT_EQ(safari.browser_version, "17.0");
  EXPECT_EQ(safari.os, "macOS");
  auto edge = ParseUserAgent(
      "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/120.0 Safari/537.36 Edg/120.0.1");
  EXPECT_EQ(edge.browser, "Edge");
}

TEST(UserAgentTest, DetectsGreaseBrands) {
  EXPECT_TRUE(IsGreaseBrand("Not:A-Brand"));
  EXPECT_TRUE(IsGreaseBrand("Not_A Brand"));
  EXPECT_TRUE(IsGreaseBrand(""));
  EXPECT_FALSE(IsGreaseBrand("Chrome"));
  EXPECT_FALSE(IsGreaseBrand("Google Chrome"));
}

TEST(PercentEncodingTest, KeepsUnreservedBytesOnly) {
  EXPECT_EQ(PercentEncode("AZaz09-_.~"), "AZaz09-_.~");
  EXPECT_EQ(PercentEncode("a b/c?d=e&f"), "a%20b%2Fc%3Fd%3De%26f");
  EXPECT_EQ(PercentEncode("a b/c", true), "a%20b/c");
  EXPECT_EQ(PercentEncode("<x>\"%"), "%3Cx%3E%22%25");
  EXPECT_EQ(PercentEncode("\xc3\xa9"), "%C3%A9");  // UTF-8 bytes, upper-case hex
  EXPECT_EQ(PercentEncode(""), "");
}

TEST(PercentEncodingTest, DecodesEscapesAndPlusAndFindsQueryParameters) {
  EXPECT_EQ(PercentDecode("a%20b+c%2Bd%2fe"), "a b+c+d/e");
  EXPECT_EQ(PercentDecode("a%20b+c%2Bd%2fe", /*plus_is_space=*/true), "a b c+d/e");
  EXPECT_EQ(PercentDecode(PercentEncode("Zoë & Ödön/=:")), "Zoë & Ödön/=:");
  // Malformed escapes stay as they are.
  EXPECT_EQ(PercentDecode("100%"), "100%");
  EXPECT_EQ(PercentDecode("%zz%4"), "%zz%4");
  const std::string target = "/?apiKey=k%3A1&sessionId=a+b&newConnection=false&flag&x=";
  EXPECT_EQ(QueryParam(target, "apiKey"), "k:1");
  EXPECT_EQ(QueryParam(target, "sessionId"), "a b");
  EXPECT_EQ(QueryParam(target, "newConnection"), "false");
  EXPECT_EQ(QueryParam(target, "flag"), "");
  EXPECT_EQ(QueryParam(target, "x"), "");
  EXPECT_EQ(QueryParam(target, "Key"), "");  // whole names only
  EXPECT_EQ(QueryParam("/rooms/r1", "apiKey"), "");
  EXPECT_EQ(QueryParam("ws://h/?a=1&a=2", "a"), "1");  // the first one
}

TEST(ParallelForTest, RunsEveryIndexOnceOnSeveralThreads) {
  for (size_t threads : {size_t{0}, size_t{1}, size_t{2}, size_t{7}}) {
    for (size_t count : {size_t{0}, size_t{1}, size_t{5}, size_t{1000}}) {
      std::vector<std::atomic<int>> calls(count);
      std::mutex mu;
      std::set<std::thread::id> ids;
      ParallelFor(count, threads, [&](size_t i) {
        calls[i]++;
        std::lock_guard<std::mutex> lock(mu);
        ids.insert(std::this_thread::get_id());
      });
      for (size_t i = 0; i < count; ++i) EXPECT_EQ(calls[i].load(), 1) << i;
      // Never more threads than asked for, or than there are jobs.
      EXPECT_LE(ids.size(),
                std::max<size_t>(1, std::min(count, threads == 0 ? AvailableCores() : threads)));
      if (threads == 1 && count > 0) {
        EXPECT_EQ(*ids.begin(), std::this_thread::get_id());  // the caller's own thread
      }
    }
  }
}

TEST(ParallelForTest, LargestJobsStartFirst) {
  std::vector<size_t> started;
  ParallelForLargestFirst({30, 500, 30, 0, 7000}, 1, [&](size_t i) { started.push_back(i); });
  EXPECT_EQ(started, (std::vector<size_t>{4, 1, 0, 2, 3}));  // ties keep their order
  std::vector<std::atomic<int>> calls(100);
  std::vector<uint64_t> sizes(100);
  for (size_t i = 0; i < sizes.size(); ++i) sizes[i] = (i * 37) % 11;
  ParallelForLargestFirst(sizes, 3, [&](size_t i) { calls[i]++; });
  for (size_t i = 0; i < calls.size(); ++i) EXPECT_EQ(calls[i].load(), 1) << i;
}

TEST(ParallelForTest, JobsRunAtTheSameTime) {
  // Two jobs that each wait for the other can only finish on two threads.
  std::atomic<int> started{0};
  std::atomic<bool> both_seen{false};
  ParallelFor(2, 2, [&](size_t) {
    started++;
    for (int spin = 0; spin < 2000 && started.load() < 2; ++spin) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (started.load() == 2) both_seen = true;
  });
  EXPECT_TRUE(both_seen.load());
}

}  // namespace
}  // namespace rtcstream
