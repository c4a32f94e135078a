#include "session/stats_report.h"

#include <gtest/gtest.h>

#include <string>

#include "session/stat_field.h"

namespace rtcstream {
namespace {

TEST(StatFieldTest, EveryKnownNameMapsBackToItsId) {
  for (size_t i = 0; i < StatFieldCount(); ++i) {
    const StatField field = static_cast<StatField>(i);
    EXPECT_EQ(FindStatField(StatFieldName(field)), field) << StatFieldName(field);
  }
}

TEST(StatFieldTest, NamedIdsHaveTheirNames) {
  EXPECT_EQ(StatFieldName(StatField::kType), "type");
  EXPECT_EQ(StatFieldName(StatField::kTimestamp), "timestamp");
  EXPECT_EQ(StatFieldName(StatField::kPacketsSent), "packetsSent");
  EXPECT_EQ(StatFieldName(StatField::kJitterBufferEmittedCount), "jitterBufferEmittedCount");
  EXPECT_EQ(StatFieldName(StatField::kRoundTripTimeMeasurements), "roundTripTimeMeasurements");
  EXPECT_EQ(StatFieldName(StatField::kSelectedCandidatePairId), "selectedCandidatePairId");
  EXPECT_EQ(StatFieldName(StatField::kCurrentRoundTripTime), "currentRoundTripTime");
  EXPECT_EQ(StatFieldName(StatField::kUrl), "url");
  EXPECT_GT(StatFieldCount(), static_cast<size_t>(StatField::kFirstUnnamed));
}

TEST(StatFieldTest, UnknownNamesHaveNoId) {
  EXPECT_FALSE(FindStatField(""));
  EXPECT_FALSE(FindStatField("googFoo"));
  EXPECT_FALSE(FindStatField("Type"));
  EXPECT_FALSE(FindStatField("timestamp2"));
  EXPECT_FALSE(FindStatField(std::string(300, 'x')));
  // Same length, first and last 8 bytes as a known name; only the middle differs.
  EXPECT_FALSE(FindStatField("jitterBufferXmittedCount"));
  EXPECT_FALSE(FindStatField("packetsLosT"));
  EXPECT_FALSE(FindStatField("kin"));
  EXPECT_FALSE(FindStatField(std::string_view("kind\0", 5)));
}

TEST(StatsReportTest, KnownAndUnknownFieldsAreFoundByNameAndId) {
  StatsReport r = {{"type", {StatValue::Kind::kString, 0, "inbound-rtp"}},
                   {"packetsLost", {StatValue::Kind::kNumber, 3, {}}},
                   {"someVendorField", {StatValue::Kind::kNumber, 7, {}}},
                   {"selected", {StatValue::Kind::kBool, 1, {}}}};
  EXPECT_EQ(r.size(), 4u);
  EXPECT_EQ(GetString(r, StatField::kType), "inbound-rtp");
  EXPECT_EQ(GetString(r, "type"), "inbound-rtp");
  EXPECT_EQ(GetNumber(r, StatField::kPacketsLost), 3);
  EXPECT_EQ(GetNumber(r, "someVendorField"), 7);
  EXPECT_EQ(GetBool(r, StatField::kSelected), true);
  EXPECT_FALSE(GetNumber(r, StatField::kType));  // a string, not a number
  EXPECT_FALSE(GetNumber(r, StatField::kJitter));
  EXPECT_FALSE(GetNumber(r, "otherVendorField"));

  r["someVendorField"].number = 8;
  r[StatField::kPacketsLost].number = 4;
  EXPECT_EQ(r.size(), 4u);
  EXPECT_EQ(GetNumber(r, "someVendorField"), 8);
  EXPECT_EQ(GetNumber(r, "packetsLost"), 4);
}

}  // namespace
}  // namespace rtcstream
