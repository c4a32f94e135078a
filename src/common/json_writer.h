// JsonWriter: builds compact JSON text into a std::string.
//
// Written by hand because simdjson (our parser) has no serializer in the
// Debian-packaged version, and the output we need is small and regular.
// The caller is responsible for well-formedness (Key before each value
// inside an object); the writer handles commas and string escaping.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rtcstream {

class JsonWriter {
 public:
  JsonWriter() = default;

  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();

  // Writes an object key; the next call writes its value.
  void Key(std::string_view key);

  void String(std::string_view value);
  void Int(int64_t value);
  void Bool(bool value);
  void Null();
  // Writes a number rounded to `decimals` places (0 = integer), half away from zero.
  void Number(double value, int decimals);
  // Writes pre-serialized JSON verbatim (must be a valid JSON value).
  void Raw(std::string_view json);

  // Optional helpers: write null when the value is absent.
  void OptString(const std::optional<std::string>& value);
  void OptNumber(const std::optional<double>& value, int decimals);

  const std::string& str() const { return out_; }
  std::string Release() { return std::move(out_); }

 private:
  void BeforeValue();

  std::string out_;
  // One entry per open container: true when it already holds an element.
  std::vector<bool> has_element_;
  bool after_key_ = false;
};

// Appends `value` to `out` as a JSON string literal (with quotes). Control
// characters, quotes, backslashes, and '<', '>', '&' (so that the JSON is safe
// inside HTML) are escaped; invalid UTF-8 bytes become U+FFFD.
void AppendJsonString(std::string_view value, std::string* out);

// Rounds half away from zero to `decimals` places.
double RoundTo(double value, int decimals);

}  // namespace rtcstream
