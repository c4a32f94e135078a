#include "store/series_codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "store/trace_codec.h"

namespace rtcstream {
namespace {

PeerSeries SampleSeries(size_t n) {
  PeerSeries series;
  for (size_t i = 0; i < n; ++i) {
    DirectionSample samples[2][2];
    samples[0][0].bitrate = 25.5 + static_cast<double>(i);
    samples[0][1].jitter = 1.25;
    samples[0][0].rtt = i % 2 == 0 ? std::optional<double>(1.5) : std::nullopt;
    samples[1][1].frame_width = 640;
    samples[1][1].frame_height = 360;
    samples[1][1].fps = 14.5;
    samples[1][1].packet_loss = 0.1;
    series.Append(1'795'610'770'000 + static_cast<int64_t>(i) * 2000 - (i == 3 ? 5 : 0),
                  i % 3 == 0 ? "PC_0" : "PC_1", samples);
  }
  series.set_start_ms(1'795'610'764'514);
  return series;
}

void ExpectSameColumn(const std::vector<float>& a, const std::vector<float>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i])) {
      EXPECT_TRUE(std::isnan(b[i])) << i;
    } else {
      EXPECT_EQ(a[i], b[i]) << i;
    }
  }
}

TEST(SeriesCodecTest, RoundTrip) {
  const PeerSeries series = SampleSeries(50);
  std::string data;
  int64_t raw_bytes = 0;
  ASSERT_TRUE(EncodePeerSeries(series, &data, &raw_bytes).ok());
  // Compact: well under the 4-byte floats of every column, let alone JSON.
  EXPECT_LT(data.size(), static_cast<size_t>(raw_bytes) / 2);
  PeerSeries back;
  Status s = DecodePeerSeries(data, raw_bytes, &back);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(back.start_ms(), series.start_ms());
  EXPECT_EQ(back.time_ms(), series.time_ms());
  EXPECT_EQ(back.pc_index(), series.pc_index());
  EXPECT_EQ(back.pc_ids(), series.pc_ids());
  for (MediaKind kind : {MediaKind::kAudio, MediaKind::kVideo}) {
    for (Direction d : {Direction::kSend, Direction::kRecv}) {
      for (int f = 0; f < kSeriesFieldCount; ++f) {
        ExpectSameColumn(back.Column(kind, d, static_cast<SeriesField>(f)),
                         series.Column(kind, d, static_cast<SeriesField>(f)));
      }
    }
  }
}

TEST(SeriesCodecTest, EmptySeries) {
  std::string data;
  int64_t raw_bytes = 0;
  ASSERT_TRUE(EncodePeerSeries(PeerSeries{}, &data, &raw_bytes).ok());
  PeerSeries back = SampleSeries(2);
  ASSERT_TRUE(DecodePeerSeries(data, raw_bytes, &back).ok());
  EXPECT_EQ(back.size(), 0u);
  EXPECT_TRUE(back.pc_ids().empty());
}

TEST(SeriesCodecTest, DamageIsCorruption) {
  std::string data;
  int64_t raw_bytes = 0;
  ASSERT_TRUE(EncodePeerSeries(SampleSeries(10), &data, &raw_bytes).ok());
  PeerSeries back;
  EXPECT_EQ(DecodePeerSeries(data.substr(0, data.size() / 2), raw_bytes, &back).code(),
            Status::Code::kCorruption);
  EXPECT_EQ(DecodePeerSeries("not zlib", 100, &back).code(), Status::Code::kCorruption);
  // Valid zlib of bytes that are not a series: every truncation of a real one.
  std::string raw;
  ASSERT_TRUE(DecompressTraceChunk(data, raw_bytes, &raw).ok());
  for (size_t cut = 0; cut + 1 < raw.size(); cut += 7) {
    std::string partial;
    ASSERT_TRUE(CompressTraceChunk(raw.substr(0, cut), &partial).ok());
    EXPECT_EQ(DecodePeerSeries(partial, static_cast<int64_t>(cut), &back).code(),
              Status::Code::kCorruption)
        << cut;
  }
}

}  // namespace
}  // namespace rtcstream
