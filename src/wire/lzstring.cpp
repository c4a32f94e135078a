// The decoder is the LZW loop of lz-string 1.5's _decompress, reorganised for
// speed without changing what it accepts:
//
// * Bits come from a 64-bit accumulator. Each character's 6-bit value is
//   stored bit-reversed, so the stream (most significant bit of a character
//   first, codes assembled least significant bit first) becomes a plain
//   LSB-first bit stream and a code is one mask and shift.
// * Every dictionary entry is the previous output string plus the first code
//   unit of the next one, so it is always a substring of the output. Entries
//   are (offset, length) ranges into the output buffer: no per-entry strings.
// * The output buffer holds one self-delimiting byte sequence per UTF-16 code
//   unit (the "working encoding"), so ranges never split a unit. It is UTF-8
//   for every unit except surrogates, which take two bytes each: a high
//   surrogate is 0xF0-0xF7 followed by 0x00-0x7F, a low one 0xF8-0xFF followed
//   by 0x00-0x7F (10 payload bits; these lead bytes never occur in UTF-8 of
//   BMP characters). A pair then takes four bytes, as in UTF-8, and a lone
//   surrogate two, one less than its U+FFFD. The buffer is therefore never
//   longer than the final UTF-8, so checking the limit against it stops a
//   decompression bomb before any memory beyond the limit is taken. A final
//   pass, run only when a surrogate was decoded, turns the working encoding
//   into UTF-8.
#include "wire/lzstring.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

namespace rtcstream {
namespace {

constexpr uint8_t kNotInAlphabet = 0xFF;

// Maps a character to its 6-bit value in the URI-safe alphabet with the six
// bits reversed, or to kNotInAlphabet.
constexpr std::array<uint8_t, 256> MakeReversedValues() {
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-$";
  std::array<uint8_t, 256> table{};
  for (auto& v : table) v = kNotInAlphabet;
  for (size_t i = 0; i < kAlphabet.size(); ++i) {
    uint8_t reversed = 0;
    for (int bit = 0; bit < 6; ++bit) {
      if (i & (1u << bit)) reversed |= static_cast<uint8_t>(1u << (5 - bit));
    }
    table[static_cast<unsigned char>(kAlphabet[i])] = reversed;
  }
  // The JS replaces every space with '+' before decoding.
  table[' '] = table['+'];
  return table;
}

constexpr std::array<uint8_t, 256> kReversedValues = MakeReversedValues();

// Reads the LZString bit stream. Past the end of the input it yields zero
// bits, as the JS does; the decoder checks exhausted() where the JS checks.
class BitReader {
 public:
  explicit BitReader(std::string_view input)
      : data_(reinterpret_cast<const unsigned char*>(input.data())),
        size_(input.size()),
        total_bits_(static_cast<uint64_t>(input.size()) * 6) {}

  // Returns the next `n` bits (n <= 32), the first one read as bit 0.
  uint32_t Read(int n) {
    if (available_ < n) Refill();
    const uint32_t value = static_cast<uint32_t>(buffer_ & ((uint64_t{1} << n) - 1));
    buffer_ >>= n;
    available_ -= n;
    return value;
  }

  // Bits consumed so far.
  uint64_t position() const { return static_cast<uint64_t>(next_) * 6 - available_; }

  // True once every bit of the input has been consumed.
  bool exhausted() const { return position() >= total_bits_; }

 private:
  // Tops the accumulator up to more than 58 bits, enough for any read.
  void Refill() {
    if (size_ - std::min(next_, size_) >= 10) {
      // Far from the end: no bounds check per character.
      do {
        buffer_ |= uint64_t{kReversedValues[data_[next_++]]} << available_;
        available_ += 6;
      } while (available_ <= 58);
      return;
    }
    while (available_ <= 58) {
      const uint64_t value = next_ < size_ ? kReversedValues[data_[next_]] : 0;
      buffer_ |= value << available_;
      available_ += 6;
      ++next_;
    }
  }

  const unsigned char* const data_;
  const size_t size_;
  const uint64_t total_bits_;
  size_t next_ = 0;  // index of the next character to load; may pass size_
  uint64_t buffer_ = 0;
  int available_ = 0;
};

// The output buffer. Bytes live in *str, which is kept resized to the room
// handed out so far; size() counts the bytes written. It never grows past
// `limit` bytes.
class OutputBuffer {
 public:
  OutputBuffer(std::string* str, size_t limit, size_t initial_room) : str_(str), limit_(limit) {
    str_->clear();
    Grow(std::min(initial_room, limit_));
  }

  // Makes room for `n` more bytes. Returns false if that would pass the limit.
  bool Reserve(size_t n) {
    if (n > limit_ - size_) return false;
    if (n > str_->size() - size_) Grow(size_ + n);
    return true;
  }

  char* data() { return str_->data(); }
  // Bytes that may be written past size() without calling Reserve().
  size_t room() const { return str_->size() - size_; }
  size_t size() const { return size_; }
  void Advance(size_t n) { size_ += n; }

  // Drops the unused room.
  void Finish() { str_->resize(size_); }

 private:
  void Grow(size_t needed) {
    const size_t current = str_->size();
    const size_t doubled = current > limit_ / 2 ? limit_ : current * 2;
    const size_t target = std::max(needed, doubled);
    if (target <= str_->capacity()) {
      str_->resize(target);
      return;
    }
    // A fresh string allocates exactly `target`; growing *str_ in place could
    // round the allocation up to twice its capacity, past the limit.
    std::string bigger;
    bigger.reserve(target);
    bigger.append(str_->data(), size_);
    bigger.resize(target);
    str_->swap(bigger);
  }

  std::string* const str_;
  const size_t limit_;
  size_t size_ = 0;
};

// A dictionary entry: a range of the output buffer.
struct Entry {
  uint32_t offset;
  uint32_t length;
};

// True for a UTF-16 surrogate, high or low.
bool IsSurrogate(uint32_t unit) { return unit >= 0xD800 && unit <= 0xDFFF; }

// Writes one UTF-16 code unit in the working encoding; returns its length.
size_t EncodeUnit(uint32_t unit, char* out) {
  unsigned char* p = reinterpret_cast<unsigned char*>(out);
  if (unit < 0x80) {
    p[0] = static_cast<unsigned char>(unit);
    return 1;
  }
  if (unit < 0x800) {
    p[0] = static_cast<unsigned char>(0xC0 | (unit >> 6));
    p[1] = static_cast<unsigned char>(0x80 | (unit & 0x3F));
    return 2;
  }
  if (IsSurrogate(unit)) {
    const uint32_t low_half = unit >= 0xDC00 ? 0x08 : 0x00;
    const uint32_t payload = unit & 0x3FF;
    p[0] = static_cast<unsigned char>(0xF0 | low_half | (payload >> 7));
    p[1] = static_cast<unsigned char>(payload & 0x7F);
    return 2;
  }
  p[0] = static_cast<unsigned char>(0xE0 | (unit >> 12));
  p[1] = static_cast<unsigned char>(0x80 | ((unit >> 6) & 0x3F));
  p[2] = static_cast<unsigned char>(0x80 | (unit & 0x3F));
  return 3;
}

// Length of the working-encoding unit that starts with `lead`.
uint32_t UnitLength(char lead) {
  const unsigned char b = static_cast<unsigned char>(lead);
  if (b < 0x80) return 1;
  if (b < 0xE0) return 2;
  if (b < 0xF0) return 3;
  return 2;
}

// Lead bytes of surrogates in the working encoding.
bool IsHighLead(unsigned char b) { return b >= 0xF0 && b <= 0xF7; }
bool IsLowLead(unsigned char b) { return b >= 0xF8; }

// Counts the surrogates of the working encoding that have no partner.
size_t CountLoneSurrogates(const unsigned char* p, size_t n) {
  size_t lone = 0;
  size_t i = 0;
  while (i < n) {
    const unsigned char b = p[i];
    if (IsHighLead(b) && i + 2 < n && IsLowLead(p[i + 2])) {
      i += 4;
      continue;
    }
    if (b >= 0xF0) ++lone;
    i += UnitLength(static_cast<char>(b));
  }
  return lone;
}

// Rewrites the working encoding of src[0, n) as UTF-8 into dst. dst may be
// src itself when there are no lone surrogates: every unit then keeps its
// length, so no byte is written before it has been read.
void WorkingToUtf8(const unsigned char* src, size_t n, unsigned char* dst) {
  size_t i = 0;
  size_t o = 0;
  while (i < n) {
    const unsigned char b = src[i];
    if (b < 0xF0) {
      const uint32_t len = UnitLength(static_cast<char>(b));
      std::memmove(dst + o, src + i, len);
      i += len;
      o += len;
      continue;
    }
    if (IsHighLead(b) && i + 2 < n && IsLowLead(src[i + 2])) {
      const uint32_t high = ((b & 0x07u) << 7) | src[i + 1];
      const uint32_t low = ((src[i + 2] & 0x07u) << 7) | src[i + 3];
      const uint32_t cp = 0x10000 + (high << 10) + low;
      dst[o] = static_cast<unsigned char>(0xF0 | (cp >> 18));
      dst[o + 1] = static_cast<unsigned char>(0x80 | ((cp >> 12) & 0x3F));
      dst[o + 2] = static_cast<unsigned char>(0x80 | ((cp >> 6) & 0x3F));
      dst[o + 3] = static_cast<unsigned char>(0x80 | (cp & 0x3F));
      i += 4;
      o += 4;
      continue;
    }
    // U+FFFD REPLACEMENT CHARACTER, as TextEncoder writes for lone surrogates.
    dst[o] = 0xEF;
    dst[o + 1] = 0xBF;
    dst[o + 2] = 0xBD;
    i += 2;
    o += 3;
  }
}

// The error for output that would pass the limit.
Status OutputTooLarge(size_t limit) {
  return Status::ResourceExhausted("decompressed LZString output exceeds the limit of " +
                                   std::to_string(limit) + " bytes");
}

// Turns a working-encoding buffer that holds surrogates into UTF-8.
Status SurrogatesToUtf8(size_t limit, std::string* buffer) {
  const auto* src = reinterpret_cast<const unsigned char*>(buffer->data());
  const size_t lone = CountLoneSurrogates(src, buffer->size());
  if (lone > limit - buffer->size()) return OutputTooLarge(limit);
  if (lone == 0) {
    WorkingToUtf8(src, buffer->size(), reinterpret_cast<unsigned char*>(buffer->data()));
    return Status::OK();
  }
  std::string utf8(buffer->size() + lone, '\0');
  WorkingToUtf8(src, buffer->size(), reinterpret_cast<unsigned char*>(utf8.data()));
  buffer->swap(utf8);
  return Status::OK();
}

// Names a byte for an error message: hex, plus the character if printable.
std::string DescribeChar(unsigned char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string s = "0x";
  s += kHex[c >> 4];
  s += kHex[c & 0xF];
  if (c >= 0x21 && c < 0x7F) {
    s += " '";
    s += static_cast<char>(c);
    s += '\'';
  }
  return s;
}

// Rejects the input if any byte is outside the alphabet. Checked up front,
// not while decoding, so that bytes after the end marker are checked too.
Status CheckAlphabet(std::string_view input) {
  for (size_t i = 0; i < input.size(); ++i) {
    const auto c = static_cast<unsigned char>(input[i]);
    if (kReversedValues[c] == kNotInAlphabet) {
      return Status::InvalidArgument("invalid LZString character " + DescribeChar(c) +
                                     " at offset " + std::to_string(i));
    }
  }
  return Status::OK();
}

// Codes 0 and 1 announce an 8- or 16-bit literal code unit, 2 ends the stream.
constexpr uint32_t kLiteral8 = 0;
constexpr uint32_t kLiteral16 = 1;
constexpr uint32_t kEndOfStream = 2;
constexpr uint32_t kFirstEntry = 3;

// Dictionary entries up to this long are copied with one fixed-size move.
constexpr size_t kShortCopy = 16;

// The JS builds each code with a bit mask held in a 32-bit signed integer: at
// 31 bits the mask overflows and the loop never ends. No real stream gets
// near that width, so wider codes are an error here.
constexpr int kMaxCodeWidth = 30;

// The decoder proper. `limit` is at most UINT32_MAX, so every offset and
// length fits an Entry.
Status Decode(std::string_view input, size_t limit, std::string* out) {
  BitReader bits(input);
  const uint32_t first = bits.Read(2);
  if (first == kEndOfStream) return Status::OK();
  if (first > kEndOfStream) {
    return Status::InvalidArgument("LZString stream starts with code 3 instead of a literal");
  }

  // SDK batches expand 1.3-2.5 times; start with room for 3.
  OutputBuffer output(out, limit, input.size() * 3);

  bool saw_surrogate = false;
  char unit_bytes[3];
  // Writes a literal code unit at the end of the output; returns its range.
  auto write_literal = [&](uint32_t unit, Entry* range) {
    const size_t n = EncodeUnit(unit, unit_bytes);
    if (!output.Reserve(n)) return false;
    saw_surrogate |= IsSurrogate(unit);
    std::memcpy(output.data() + output.size(), unit_bytes, n);
    *range = Entry{static_cast<uint32_t>(output.size()), static_cast<uint32_t>(n)};
    output.Advance(n);
    return true;
  };

  std::vector<Entry> dictionary;
  // JSON batches make 0.5-0.7 entries per input character: reserving 3/4
  // saves the reallocations, and reserved memory is only touched when used.
  dictionary.reserve(input.size() * 3 / 4 + 16);
  dictionary.resize(kFirstEntry);  // codes 0-2 are not strings

  Entry previous;  // the string output last
  if (!write_literal(bits.Read(first == kLiteral8 ? 8 : 16), &previous)) {
    return OutputTooLarge(limit);
  }
  dictionary.push_back(previous);

  int width = 3;
  uint32_t until_wider = 4;  // entries to add before codes need one more bit
  auto entry_added = [&]() {
    if (--until_wider == 0) {
      until_wider = uint32_t{1} << width;
      ++width;
    }
  };

  for (;;) {
    if (bits.exhausted()) {
      return Status::InvalidArgument("truncated LZString stream: no end marker in " +
                                     std::to_string(input.size()) + " characters");
    }
    if (width > kMaxCodeWidth) {
      return Status::InvalidArgument("LZString stream needs codes wider than " +
                                     std::to_string(kMaxCodeWidth) + " bits");
    }
    const uint64_t code_position = bits.position();
    uint32_t code = bits.Read(width);

    Entry current;
    if (code == kLiteral8 || code == kLiteral16) {
      if (!write_literal(bits.Read(code == kLiteral8 ? 8 : 16), &current)) {
        return OutputTooLarge(limit);
      }
      dictionary.push_back(current);
      entry_added();
    } else if (code == kEndOfStream) {
      break;
    } else if (code < dictionary.size()) {
      const Entry source = dictionary[code];
      if (!output.Reserve(source.length)) return OutputTooLarge(limit);
      char* base = output.data();
      if (source.length <= kShortCopy && output.room() >= kShortCopy) {
        // Most entries are short: a fixed-size copy avoids a library call.
        // The bytes past source.length are scratch, overwritten later.
        std::memmove(base + output.size(), base + source.offset, kShortCopy);
      } else {
        std::memcpy(base + output.size(), base + source.offset, source.length);
      }
      current = Entry{static_cast<uint32_t>(output.size()), source.length};
      output.Advance(source.length);
    } else if (code == dictionary.size()) {
      // The entry being defined right now: the previous string plus its own
      // first code unit (the classic LZW "cScSc" case).
      const uint32_t head = UnitLength(output.data()[previous.offset]);
      if (!output.Reserve(size_t{previous.length} + head)) return OutputTooLarge(limit);
      char* base = output.data();
      std::memcpy(base + output.size(), base + previous.offset, previous.length);
      std::memcpy(base + output.size() + previous.length, base + previous.offset, head);
      current = Entry{static_cast<uint32_t>(output.size()), previous.length + head};
      output.Advance(current.length);
    } else {
      return Status::InvalidArgument("invalid LZString stream: code " + std::to_string(code) +
                                     " at bit " + std::to_string(code_position) +
                                     " refers past the dictionary of " +
                                     std::to_string(dictionary.size()) + " entries");
    }

    // current starts right where previous ends, so previous plus the first
    // unit of current is one range.
    const uint32_t head = UnitLength(output.data()[current.offset]);
    dictionary.push_back(Entry{previous.offset, previous.length + head});
    entry_added();
    previous = current;
  }

  output.Finish();
  if (saw_surrogate) return SurrogatesToUtf8(limit, out);
  return Status::OK();
}

}  // namespace

Status DecompressFromEncodedURIComponent(std::string_view input, size_t max_output_bytes,
                                         std::string* out_utf8) {
  out_utf8->clear();
  if (input.empty()) return Status::InvalidArgument("empty LZString input");
  Status status = CheckAlphabet(input);
  if (status.ok()) {
    const size_t limit = std::min<size_t>(max_output_bytes, std::numeric_limits<uint32_t>::max());
    status = Decode(input, limit, out_utf8);
  }
  if (!status.ok()) {
    // Swap rather than clear, so a rejected bomb does not keep its memory.
    std::string().swap(*out_utf8);
  }
  return status;
}

}  // namespace rtcstream
