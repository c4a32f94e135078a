// LZString decompression, as the watchRTC SDK compresses its batched frames.
//
// A hand-written port of lz-string 1.5's decompressFromEncodedURIComponent:
// no maintained C++ package of LZString exists in Debian. The SDK compresses
// with compressToEncodedURIComponent, whose alphabet is A-Z a-z 0-9 + - $.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace rtcstream {

// Decompresses `input`, the output of LZString's
// compressToEncodedURIComponent, into UTF-8 in *out_utf8.
//
// The JS works on UTF-16 code units; surrogate pairs become one 4-byte UTF-8
// sequence and lone surrogates become U+FFFD. A space is read as '+', like the
// JS, because '+' turns into a space when the text travels through a URL
// query. Bits after the end marker are ignored, like the JS.
//
// Errors (any input is safe: nothing is read or written out of bounds):
//   InvalidArgument: empty input (the JS returns null), a character outside
//     the alphabet (the message names its offset; the JS would read it as
//     zero bits), or a stream that ends without its end marker, starts with an
//     undefined code, or refers past the dictionary (the JS returns "" or
//     null; the message says which, and where).
//   ResourceExhausted: the UTF-8 output would exceed max_output_bytes (a
//     limit of 4 GiB or more acts as 4 GiB - 1). Decoding stops when the limit
//     is crossed and the output buffer never grows past it, so a small frame
//     that expands to gigabytes costs max_output_bytes of output memory at
//     most, plus a dictionary proportional to the input.
// *out_utf8 is overwritten; on error it is left empty.
Status DecompressFromEncodedURIComponent(std::string_view input, size_t max_output_bytes,
                                         std::string* out_utf8);

}  // namespace rtcstream
