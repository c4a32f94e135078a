// The stored form of a peer's time series.
//
// Columnar: sample times as varint deltas, each peer connection's id once,
// then one column of little-endian floats per figure; the whole is zlib
// compressed. Repeated and unknown (NaN) values, which most columns are full
// of, shrink to almost nothing. Any backend can store the result as a blob.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "analysis/peer_series.h"
#include "common/status.h"

namespace rtcstream {

// Encodes `series` into *data (replacing it); *raw_bytes is its size before
// compression, which DecodePeerSeries needs.
Status EncodePeerSeries(const PeerSeries& series, std::string* data, int64_t* raw_bytes);

// Decodes what EncodePeerSeries produced. Returns Corruption when the data is
// damaged or was written in an unknown format.
Status DecodePeerSeries(std::string_view data, int64_t raw_bytes, PeerSeries* series);

}  // namespace rtcstream
