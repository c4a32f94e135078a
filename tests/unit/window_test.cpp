#include "streams/window.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "common/time_util.h"

namespace rtcstream {
namespace {

constexpr int64_t kHour = 3600000;
constexpr int64_t kMinute = 60000;

EpochMs At(const char* iso) {
  EpochMs t = 0;
  EXPECT_TRUE(ParseIso8601(iso, &t).ok()) << iso;
  return t;
}

TEST(WindowTest, StartIsAlignedToTheEpoch) {
  EXPECT_EQ(WindowStart(At("2026-11-23T10:00:00Z"), kHour), At("2026-11-23T10:00:00Z"));
  EXPECT_EQ(WindowStart(At("2026-11-23T10:00:00.001Z"), kHour), At("2026-11-23T10:00:00Z"));
  EXPECT_EQ(WindowStart(At("2026-11-23T10:59:59.999Z"), kHour), At("2026-11-23T10:00:00Z"));
  EXPECT_EQ(WindowStart(At("2026-11-23T10:07:30Z"), 15 * kMinute), At("2026-11-23T10:00:00Z"));
  EXPECT_EQ(WindowStart(At("2026-11-23T10:15:00Z"), 15 * kMinute), At("2026-11-23T10:15:00Z"));
  // Intervals that do not divide a day still align to the epoch, not to midnight.
  EXPECT_EQ(WindowStart(7 * kMinute + 1, 7 * kMinute), 7 * kMinute);
  EXPECT_EQ(WindowStart(0, kHour), 0);
}

TEST(WindowTest, NegativeTimesRoundDown) {
  EXPECT_EQ(WindowStart(-1, kHour), -kHour);
  EXPECT_EQ(WindowStart(-kHour, kHour), -kHour);
  EXPECT_EQ(WindowStart(-kHour - 1, kHour), -2 * kHour);
}

TEST(WindowTest, ExtremeInputsDoNotOverflow) {
  constexpr EpochMs kMin = std::numeric_limits<EpochMs>::min();
  constexpr EpochMs kMax = std::numeric_limits<EpochMs>::max();
  EXPECT_EQ(WindowStart(kMin, 3), kMin);  // true start is below the range
  EXPECT_EQ(WindowStart(kMax, 1), kMax);
  EXPECT_LE(WindowStart(kMax, kHour), kMax);
  EXPECT_EQ(WindowStart(kMax, kHour) % kHour, 0);
  EXPECT_EQ(WindowStart(12345, 0), 12345);
  EXPECT_EQ(WindowStart(12345, -kHour), 12345);
  EXPECT_EQ(WindowStart(kMin, -1), kMin);
}

TEST(WindowTest, FileName) {
  EXPECT_EQ(StreamFileName("acme", At("2026-11-23T10:00:00Z"), At("2026-11-23T11:00:00Z")),
            "acme/20261123T100000Z_20261123T110000Z.json");
  EXPECT_EQ(StreamFileName("a_b-1", 0, 5 * kMinute),
            "a_b-1/19700101T000000Z_19700101T000500Z.json");
}

TEST(WindowTest, FileNamesSortChronologically) {
  std::vector<EpochMs> starts = {At("2026-12-31T23:00:00Z"), At("2027-01-01T00:00:00Z"),
                                 At("2026-02-01T09:00:00Z"), At("2026-11-23T10:00:00Z")};
  std::vector<std::string> names;
  for (EpochMs s : starts) names.push_back(StreamFileName("acme", s, s + kHour));
  std::sort(starts.begin(), starts.end());
  std::sort(names.begin(), names.end());
  for (size_t i = 0; i < starts.size(); ++i) {
    EXPECT_EQ(names[i], StreamFileName("acme", starts[i], starts[i] + kHour));
  }
}

}  // namespace
}  // namespace rtcstream
