#include "analysis/peer_series.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace rtcstream {

int SeriesFieldCount(MediaKind kind) {
  return kind == MediaKind::kAudio ? static_cast<int>(SeriesField::kFrameWidth) : kSeriesFieldCount;
}

std::string_view SeriesFieldName(SeriesField field) {
  switch (field) {
    case SeriesField::kBitrate:
      return "bitrate";
    case SeriesField::kPacketLoss:
      return "packet_loss";
    case SeriesField::kJitter:
      return "jitter";
    case SeriesField::kRtt:
      return "rtt";
    case SeriesField::kMos:
      return "mos";
    case SeriesField::kFrameWidth:
      return "frame_width";
    case SeriesField::kFrameHeight:
      return "frame_height";
    case SeriesField::kFps:
      return "fps";
  }
  return "";
}

int SeriesFieldDecimals(SeriesField field) {
  switch (field) {
    case SeriesField::kPacketLoss:
    case SeriesField::kMos:
      return 2;
    case SeriesField::kFrameWidth:
    case SeriesField::kFrameHeight:
      return 0;
    default:
      return 1;
  }
}

std::optional<double> SampleField(const DirectionSample& sample, SeriesField field) {
  switch (field) {
    case SeriesField::kBitrate:
      return sample.bitrate;
    case SeriesField::kPacketLoss:
      return sample.packet_loss;
    case SeriesField::kJitter:
      return sample.jitter;
    case SeriesField::kRtt:
      return sample.rtt;
    case SeriesField::kMos:
      return sample.mos;
    case SeriesField::kFrameWidth:
      return sample.frame_width;
    case SeriesField::kFrameHeight:
      return sample.frame_height;
    case SeriesField::kFps:
      return sample.fps;
  }
  return std::nullopt;
}

void PeerSeries::Append(int64_t time_ms, std::string_view pc_id,
                        const DirectionSample (&samples)[2][2]) {
  time_ms_.push_back(time_ms);
  auto it = std::find(pc_ids_.begin(), pc_ids_.end(), pc_id);
  if (it == pc_ids_.end()) it = pc_ids_.emplace(pc_ids_.end(), pc_id);
  pc_index_.push_back(static_cast<uint32_t>(it - pc_ids_.begin()));
  for (MediaKind kind : {MediaKind::kAudio, MediaKind::kVideo}) {
    for (Direction direction : {Direction::kSend, Direction::kRecv}) {
      const DirectionSample& sample = samples[static_cast<int>(kind)][static_cast<int>(direction)];
      for (int f = 0; f < SeriesFieldCount(kind); ++f) {
        const std::optional<double> value = SampleField(sample, static_cast<SeriesField>(f));
        // A value beyond float's range is garbage, like an overflowing figure.
        const bool known =
            value && std::isfinite(*value) && std::abs(*value) <= std::numeric_limits<float>::max();
        columns_[static_cast<int>(kind)][static_cast<int>(direction)][f].push_back(
            known ? static_cast<float>(*value) : std::numeric_limits<float>::quiet_NaN());
      }
    }
  }
}

void PeerSeries::ShiftTimes(int64_t offset_ms) {
  for (int64_t& t : time_ms_) t += offset_ms;
}

bool PeerSeries::Assign(EpochMs start_ms, std::vector<int64_t> time_ms,
                        std::vector<uint32_t> pc_index, std::vector<std::string> pc_ids,
                        std::vector<float> (&&columns)[2][2][kSeriesFieldCount]) {
  const size_t n = time_ms.size();
  if (pc_index.size() != n) return false;
  for (uint32_t index : pc_index) {
    if (index >= pc_ids.size()) return false;
  }
  for (MediaKind kind : {MediaKind::kAudio, MediaKind::kVideo}) {
    for (int d = 0; d < 2; ++d) {
      for (int f = 0; f < kSeriesFieldCount; ++f) {
        const size_t expected = f < SeriesFieldCount(kind) ? n : 0;
        if (columns[static_cast<int>(kind)][d][f].size() != expected) return false;
      }
    }
  }
  start_ms_ = start_ms;
  time_ms_ = std::move(time_ms);
  pc_index_ = std::move(pc_index);
  pc_ids_ = std::move(pc_ids);
  for (int k = 0; k < 2; ++k) {
    for (int d = 0; d < 2; ++d) {
      for (int f = 0; f < kSeriesFieldCount; ++f) columns_[k][d][f] = std::move(columns[k][d][f]);
    }
  }
  return true;
}

}  // namespace rtcstream
