#include "store/series_codec.h"

#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "common/json_writer.h"
#include "store/trace_codec.h"

namespace rtcstream {

namespace {

// Bumped when the layout changes; older layouts stay readable or are refused.
constexpr uint8_t kFormatVersion = 1;

void PutVarint(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

// Zigzag: small negative numbers stay short too.
void PutSignedVarint(int64_t value, std::string* out) {
  PutVarint((static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63), out);
}

// Integers up to 2^53 convert to and from double exactly.
constexpr double kMaxUnits = 9007199254740992.0;

double Scale(SeriesField field) { return std::pow(10.0, SeriesFieldDecimals(field)); }

// Appends one column: 0 for an unknown value, else 1 + the zigzag delta (in
// units of the last published decimal) from the previous known value.
void PutColumn(const std::vector<float>& column, SeriesField field, std::string* out) {
  const double scale = Scale(field);
  int64_t previous = 0;
  for (float v : column) {
    const double units =
        std::isnan(v) ? NAN : std::round(RoundTo(v, SeriesFieldDecimals(field)) * scale);
    if (!(std::abs(units) < kMaxUnits)) {
      out->push_back(0);
      continue;
    }
    const int64_t q = static_cast<int64_t>(units);
    const int64_t delta = q - previous;
    PutVarint(((static_cast<uint64_t>(delta) << 1) ^ static_cast<uint64_t>(delta >> 63)) + 1, out);
    previous = q;
  }
}

// Reads the fields back, remembering the first failure.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}

  bool ok() const { return ok_; }
  size_t remaining() const { return data_.size() - pos_; }

  uint64_t Varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) break;
      const uint8_t byte = static_cast<uint8_t>(data_[pos_++]);
      value |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) return value;
    }
    ok_ = false;
    return 0;
  }

  int64_t SignedVarint() {
    const uint64_t v = Varint();
    return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
  }

  uint8_t Byte() {
    if (pos_ >= data_.size()) {
      ok_ = false;
      return 0;
    }
    return static_cast<uint8_t>(data_[pos_++]);
  }

  std::string_view Bytes(uint64_t n) {
    if (n > remaining()) {
      ok_ = false;
      return {};
    }
    std::string_view out = data_.substr(pos_, n);
    pos_ += n;
    return out;
  }

 private:
  std::string_view data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

Status Damaged(std::string_view what) {
  return Status::Corruption("stored time series is damaged: " + std::string(what));
}

}  // namespace

Status EncodePeerSeries(const PeerSeries& series, std::string* data, int64_t* raw_bytes) {
  const size_t n = series.size();
  std::string raw;
  raw.push_back(static_cast<char>(kFormatVersion));
  PutVarint(n, &raw);
  PutVarint(series.pc_ids().size(), &raw);
  for (const std::string& id : series.pc_ids()) {
    PutVarint(id.size(), &raw);
    raw.append(id);
  }
  PutSignedVarint(series.start_ms(), &raw);
  int64_t previous = series.start_ms();
  for (int64_t t : series.time_ms()) {
    PutSignedVarint(t - previous, &raw);
    previous = t;
  }
  for (uint32_t index : series.pc_index()) PutVarint(index, &raw);
  for (MediaKind kind : {MediaKind::kAudio, MediaKind::kVideo}) {
    for (Direction direction : {Direction::kSend, Direction::kRecv}) {
      for (int f = 0; f < SeriesFieldCount(kind); ++f) {
        const SeriesField field = static_cast<SeriesField>(f);
        PutColumn(series.Column(kind, direction, field), field, &raw);
      }
    }
  }
  *raw_bytes = static_cast<int64_t>(raw.size());
  return CompressTraceChunk(raw, data);
}

Status DecodePeerSeries(std::string_view data, int64_t raw_bytes, PeerSeries* series) {
  std::string raw;
  Status s = DecompressTraceChunk(data, raw_bytes, &raw);
  if (!s.ok()) return s;
  Reader in(raw);
  const uint8_t version = in.Byte();
  if (in.ok() && version != kFormatVersion) {
    return Status::Corruption("stored time series has unknown format " + std::to_string(version));
  }
  const uint64_t n = in.Varint();
  const uint64_t pcs = in.Varint();
  // Every sample takes at least one byte of time and one of pc index, every
  // pc id at least one byte: larger counts are damage, not a reason to allocate.
  if (!in.ok() || n > in.remaining() || pcs > in.remaining()) return Damaged("counts");
  std::vector<std::string> pc_ids;
  for (uint64_t i = 0; i < pcs && in.ok(); ++i) pc_ids.emplace_back(in.Bytes(in.Varint()));
  const int64_t start_ms = in.SignedVarint();
  std::vector<int64_t> times;
  times.reserve(n);
  int64_t t = start_ms;
  for (uint64_t i = 0; i < n && in.ok(); ++i) {
    // Unsigned: damaged deltas must wrap, not overflow.
    t = static_cast<int64_t>(static_cast<uint64_t>(t) + static_cast<uint64_t>(in.SignedVarint()));
    times.push_back(t);
  }
  std::vector<uint32_t> pc_index;
  pc_index.reserve(n);
  for (uint64_t i = 0; i < n && in.ok(); ++i)
    pc_index.push_back(static_cast<uint32_t>(in.Varint()));
  std::vector<float> columns[2][2][kSeriesFieldCount];
  for (MediaKind kind : {MediaKind::kAudio, MediaKind::kVideo}) {
    for (int d = 0; d < 2; ++d) {
      for (int f = 0; f < SeriesFieldCount(kind); ++f) {
        // Every value takes at least one byte.
        if (in.remaining() < n) return Damaged("columns");
        const double scale = Scale(static_cast<SeriesField>(f));
        std::vector<float>& column = columns[static_cast<int>(kind)][d][f];
        column.reserve(n);
        int64_t previous = 0;
        for (uint64_t i = 0; i < n && in.ok(); ++i) {
          const uint64_t code = in.Varint();
          if (code == 0) {
            column.push_back(std::numeric_limits<float>::quiet_NaN());
            continue;
          }
          const uint64_t zigzag = code - 1;
          const int64_t delta = static_cast<int64_t>((zigzag >> 1) ^ (~(zigzag & 1) + 1));
          // Unsigned: damaged deltas must wrap, not overflow.
          previous =
              static_cast<int64_t>(static_cast<uint64_t>(previous) + static_cast<uint64_t>(delta));
          if (!(std::abs(static_cast<double>(previous)) < kMaxUnits)) return Damaged("value");
          column.push_back(static_cast<float>(static_cast<double>(previous) / scale));
        }
      }
    }
  }
  if (!in.ok()) return Damaged("truncated");
  if (in.remaining() != 0) return Damaged("trailing bytes");
  if (!series->Assign(start_ms, std::move(times), std::move(pc_index), std::move(pc_ids),
                      std::move(columns))) {
    return Damaged("columns of different lengths");
  }
  return Status::OK();
}

}  // namespace rtcstream
