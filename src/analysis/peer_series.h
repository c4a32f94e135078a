// PeerSeries: one peer's time series, one sample per getStats message, with
// the figures of each media kind and direction (docs/metrics.md, "time
// series").
//
// Columnar, in single precision, with NaN for unknown values: a sample costs
// about 100 bytes, so a four-hour call sampled every 8 s keeps about 180 KB.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/direction_sample.h"
#include "analysis/media_kind.h"
#include "common/time_util.h"

namespace rtcstream {

// The figures a series has, in the order they are stored.
enum class SeriesField {
  kBitrate = 0,
  kPacketLoss,
  kJitter,
  kRtt,
  kMos,
  kFrameWidth,  // this and the fields after it are video only
  kFrameHeight,
  kFps,
};

// Number of SeriesField values.
constexpr int kSeriesFieldCount = 8;

// Number of fields a media kind has: audio has no frame size or rate.
int SeriesFieldCount(MediaKind kind);

// The name of a field in the JSON of a series ("bitrate", "frame_width", ...).
std::string_view SeriesFieldName(SeriesField field);

// The decimals a field is published (and stored) with: a little finer than
// the room struct's, since single samples of a quiet call are small numbers.
int SeriesFieldDecimals(SeriesField field);

// The value of `field` in `sample`.
std::optional<double> SampleField(const DirectionSample& sample, SeriesField field);

class PeerSeries {
 public:
  // Appends one sample taken at `time_ms` of peer connection `pc_id`; `samples`
  // is indexed [MediaKind][Direction].
  void Append(int64_t time_ms, std::string_view pc_id, const DirectionSample (&samples)[2][2]);

  // Number of samples.
  size_t size() const { return time_ms_.size(); }

  // When the peer started (its start_time, on the server's clock); 0 when not set.
  EpochMs start_ms() const { return start_ms_; }
  void set_start_ms(EpochMs start_ms) { start_ms_ = start_ms; }

  // The time of each sample.
  const std::vector<int64_t>& time_ms() const { return time_ms_; }
  // Moves every sample time by `offset_ms` (e.g. from the client's clock to the server's).
  void ShiftTimes(int64_t offset_ms);

  // The peer connection of each sample, as an index into pc_ids().
  const std::vector<uint32_t>& pc_index() const { return pc_index_; }
  // The peer connections' ids, first seen first.
  const std::vector<std::string>& pc_ids() const { return pc_ids_; }

  // One column: the values of `field` of `kind` in `direction`, one per sample;
  // NaN where unknown. Empty for the video fields of audio.
  const std::vector<float>& Column(MediaKind kind, Direction direction, SeriesField field) const {
    return columns_[static_cast<int>(kind)][static_cast<int>(direction)][static_cast<int>(field)];
  }

  // Rebuilds a series from stored parts; used by decoders. Fails (returns
  // false) when the parts do not have one value per sample.
  bool Assign(EpochMs start_ms, std::vector<int64_t> time_ms, std::vector<uint32_t> pc_index,
              std::vector<std::string> pc_ids,
              std::vector<float> (&&columns)[2][2][kSeriesFieldCount]);

 private:
  EpochMs start_ms_ = 0;
  std::vector<int64_t> time_ms_;
  std::vector<uint32_t> pc_index_;
  std::vector<std::string> pc_ids_;
  std::vector<float> columns_[2][2][kSeriesFieldCount];  // [MediaKind][Direction][SeriesField]
};

}  // namespace rtcstream
