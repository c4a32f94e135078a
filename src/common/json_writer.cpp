#include "common/json_writer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace rtcstream {

double RoundTo(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  // Nudge by a relative epsilon so that 3.15 (stored as 3.1499999...) rounds to 3.2,
  // matching how people read the decimal value. The nudge stays below a thousandth
  // of the last decimal place, so that large values (epoch milliseconds) keep theirs.
  const double scaled = value * scale;
  const double nudge = std::min(1e-9 * std::max(1.0, std::fabs(scaled)), 1e-3);
  return std::round(scaled + std::copysign(nudge, scaled)) / scale;
}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!has_element_.empty()) {
    if (has_element_.back()) out_.push_back(',');
    has_element_.back() = true;
  }
}

void JsonWriter::BeginObject() {
  BeforeValue();
  out_.push_back('{');
  has_element_.push_back(false);
}

void JsonWriter::EndObject() {
  out_.push_back('}');
  has_element_.pop_back();
}

void JsonWriter::BeginArray() {
  BeforeValue();
  out_.push_back('[');
  has_element_.push_back(false);
}

void JsonWriter::EndArray() {
  out_.push_back(']');
  has_element_.pop_back();
}

void JsonWriter::Key(std::string_view key) {
  BeforeValue();
  AppendJsonString(key, &out_);
  out_.push_back(':');
  after_key_ = true;
}

void JsonWriter::String(std::string_view value) {
  BeforeValue();
  AppendJsonString(value, &out_);
}

void JsonWriter::Int(int64_t value) {
  BeforeValue();
  out_ += std::to_string(value);
}

void JsonWriter::Bool(bool value) {
  BeforeValue();
  out_ += value ? "true" : "false";
}

void JsonWriter::Null() {
  BeforeValue();
  out_ += "null";
}

void JsonWriter::Number(double value, int decimals) {
  if (!std::isfinite(value)) {
    Null();
    return;
  }
  BeforeValue();
  const double rounded = RoundTo(value, decimals);
  // From 2^53 on a double has no fractional digits to round, and from 2^63 on no
  // int64_t to convert to (nor room in `buf` below): written as they are.
  if (!(std::fabs(rounded) < 9007199254740992.0)) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.17g", value);
    out_ += buf;
    return;
  }
  if (decimals == 0) {
    out_ += std::to_string(static_cast<int64_t>(rounded));
    return;
  }
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, rounded);
  // Trim trailing zeros ("3.20" -> "3.2", "4.00" -> "4"), as JavaScript prints numbers.
  std::string text(buf);
  while (!text.empty() && text.back() == '0') text.pop_back();
  if (!text.empty() && text.back() == '.') text.pop_back();
  if (text == "-0") text = "0";
  out_ += text;
}

void JsonWriter::Raw(std::string_view json) {
  BeforeValue();
  out_.append(json);
}

void JsonWriter::OptString(const std::optional<std::string>& value) {
  if (value) {
    String(*value);
  } else {
    Null();
  }
}

void JsonWriter::OptNumber(const std::optional<double>& value, int decimals) {
  if (value) {
    Number(*value, decimals);
  } else {
    Null();
  }
}

namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if invalid.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  size_t n;
  uint32_t cp;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  // Reject overlong forms, surrogates and out-of-range code points.
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
      cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return n;
}

}  // namespace

void AppendJsonString(std::string_view value, std::string* out) {
  static const char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (size_t i = 0; i < value.size();) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c >= 0x80) {
      const size_t n = Utf8SequenceLength(value, i);
      if (n == 0) {
        out->append("\xEF\xBF\xBD");  // U+FFFD replacement character
        ++i;
      } else {
        out->append(value.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '<':
      case '>':
      case '&':
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 0xF]);
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 0xF]);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out->push_back('"');
}

}  // namespace rtcstream
