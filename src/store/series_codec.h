// The stored form of a peer's time series.
//
// Columnar: sample times as varint deltas, each peer connection's id once,
// then one column per figure, each value in the decimals it is published with
// (SeriesFieldDecimals) as a varint delta from the column's previous known
// value, 0 standing for unknown; the whole is zlib compressed. A steady call's
// columns are mostly short, repeated deltas, which zlib shrinks to almost
// nothing. Any backend can store the result as a blob.
//
// Values are kept to their published decimals only: decoding gives what the
// JSON of the series shows. A value too large to be kept exactly (beyond 2^53
// units of its last decimal; garbage stats) is stored as unknown.
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
