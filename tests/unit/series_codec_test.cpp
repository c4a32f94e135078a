#include "store/series_codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "common/json_writer.h"
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

// Decoding gives each value in its published decimals.
void ExpectSameColumn(const std::vector<float>& decoded, const std::vector<float>& original,
                      SeriesField field) {
  ASSERT_EQ(decoded.size(), original.size());
  for (size_t i = 0; i < decoded.size(); ++i) {
    if (std::isnan(original[i])) {
      EXPECT_TRUE(std::isnan(decoded[i])) << i;
    } else {
      EXPECT_FLOAT_EQ(decoded[i],
                      static_cast<float>(RoundTo(original[i], SeriesFieldDecimals(field))))
          << i;
    }
  }
}

TEST(SeriesCodecTest, RoundTrip) {
  const PeerSeries series = SampleSeries(50);
  std::string data;
  int64_t raw_bytes = 0;
  ASSERT_TRUE(EncodePeerSeries(series, &data, &raw_bytes).ok());
  // Compact: a steady series costs a few bytes per sample, all columns together.
  EXPECT_LT(data.size(), 50u * 4);
  PeerSeries back;
  Status s = DecodePeerSeries(data, raw_bytes, &back);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(back.start_ms(), series.start_ms());
  EXPECT_EQ(back.time_ms(), series.time_ms());
  // Published decimals: 1.25 ms of jitter is 1.3.
  EXPECT_FLOAT_EQ(back.Column(MediaKind::kAudio, Direction::kRecv, SeriesField::kJitter)[0], 1.3f);
  EXPECT_EQ(back.pc_index(), series.pc_index());
  EXPECT_EQ(back.pc_ids(), series.pc_ids());
  for (MediaKind kind : {MediaKind::kAudio, MediaKind::kVideo}) {
    for (Direction d : {Direction::kSend, Direction::kRecv}) {
      for (int f = 0; f < kSeriesFieldCount; ++f) {
        const SeriesField field = static_cast<SeriesField>(f);
        ExpectSameColumn(back.Column(kind, d, field), series.Column(kind, d, field), field);
      }
    }
  }
}

TEST(SeriesCodecTest, ValuesTooLargeToKeepExactlyAreUnknown) {
  PeerSeries series;
  DirectionSample samples[2][2];
  samples[0][0].bitrate = 1e30;
  samples[0][1].bitrate = -12.5;
  series.Append(1000, "PC_0", samples);
  std::string data;
  int64_t raw_bytes = 0;
  ASSERT_TRUE(EncodePeerSeries(series, &data, &raw_bytes).ok());
  PeerSeries back;
  ASSERT_TRUE(DecodePeerSeries(data, raw_bytes, &back).ok());
  EXPECT_TRUE(
      std::isnan(back.Column(MediaKind::kAudio, Direction::kSend, SeriesField::kBitrate)[0]));
  EXPECT_EQ(back.Column(MediaKind::kAudio, Direction::kRecv, SeriesField::kBitrate)[0], -12.5f);
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

TEST(SeriesCodecTest, MutatedDataDecodesOrIsCorruption) {
  std::string data;
  int64_t raw_bytes = 0;
  ASSERT_TRUE(EncodePeerSeries(SampleSeries(20), &data, &raw_bytes).ok());
  std::string raw;
  ASSERT_TRUE(DecompressTraceChunk(data, raw_bytes, &raw).ok());
  std::mt19937 random(42);  // fixed: a failure must reproduce
  for (int round = 0; round < 3000; ++round) {
    std::string mutated = raw;
    const int edits = 1 + static_cast<int>(random() % 4);
    for (int e = 0; e < edits; ++e) {
      const size_t at = random() % mutated.size();
      mutated[at] = static_cast<char>(random() % 3 == 0 ? 0xFF : random());
    }
    std::string compressed;
    ASSERT_TRUE(CompressTraceChunk(mutated, &compressed).ok());
    PeerSeries back;
    Status s = DecodePeerSeries(compressed, static_cast<int64_t>(mutated.size()), &back);
    if (s.ok()) {
      // Whatever decodes is a consistent series.
      EXPECT_EQ(back.pc_index().size(), back.size());
      for (uint32_t index : back.pc_index()) EXPECT_LT(index, back.pc_ids().size());
      EXPECT_EQ(back.Column(MediaKind::kVideo, Direction::kRecv, SeriesField::kFps).size(),
                back.size());
    } else {
      EXPECT_EQ(s.code(), Status::Code::kCorruption) << s.ToString();
    }
  }
}

}  // namespace
}  // namespace rtcstream
