// StatsReport: one RTCStats dictionary (e.g. an "inbound-rtp" report), field
// name -> value.
//
// Fields are kept in two flat vectors, by StatField id, and the fields
// rtcstream reads (the named ids) are found through a small table of their
// positions; other ids are searched among the small integers of the vector,
// and the rare names without an id are kept by name.
// Includes "type" and "timestamp" (epoch ms) like the browser's report; "id" is
// the key of the report in its StatsSnapshot instead.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "session/stat_field.h"

namespace rtcstream {

// One field of a stats report. Arrays and objects are kept as their JSON text.
struct StatValue {
  enum class Kind { kNull, kNumber, kString, kBool, kJson };
  Kind kind = Kind::kNull;
  double number = 0;  // kNumber, and kBool (0 or 1)
  std::string text;   // kString, kJson

  // The value, or nullopt when it is of another kind.
  std::optional<double> AsNumber() const {
    return kind == Kind::kNumber ? std::optional<double>(number) : std::nullopt;
  }
  std::optional<std::string_view> AsString() const {
    return kind == Kind::kString ? std::optional<std::string_view>(text) : std::nullopt;
  }
  std::optional<bool> AsBool() const {
    return kind == Kind::kBool ? std::optional<bool>(number != 0) : std::nullopt;
  }

  bool operator==(const StatValue& other) const = default;
};

class StatsReport {
 public:
  StatsReport() = default;
  // A report with these fields, e.g. {{"type", {StatValue::Kind::kString, 0, "codec"}}}.
  StatsReport(std::initializer_list<std::pair<std::string_view, StatValue>> fields);

  // Returns the field, or nullptr when the report does not have it.
  const StatValue* Find(StatField field) const {
    // Inline: analysis reads a few named fields of every report of every sample.
    if (field < StatField::kFirstUnnamed) {
      const uint32_t slot = named_slots_[static_cast<size_t>(field)];
      return slot == 0 ? nullptr : &values_[slot - 1];
    }
    return FindUnnamed(field);
  }
  const StatValue* Find(std::string_view name) const;

  // Returns the field, added as null when the report did not have it.
  StatValue& operator[](StatField field);
  StatValue& operator[](std::string_view name);

  // Number of fields.
  size_t size() const { return ids_.size() + unnamed_.size(); }

  // Makes room for `fields` fields.
  void Reserve(size_t fields) {
    ids_.reserve(fields);
    values_.reserve(fields);
  }

 private:
  static constexpr size_t kNamedCount = static_cast<size_t>(StatField::kFirstUnnamed);

  // Find() of an id without a name in StatField.
  const StatValue* FindUnnamed(StatField field) const;

  // The position in values_ of `field` (a named id) plus one; 0 when absent.
  uint32_t& NamedSlot(StatField field) { return named_slots_[static_cast<size_t>(field)]; }

  std::vector<StatField> ids_;     // in the order the fields were added
  std::vector<StatValue> values_;  // values_[i] belongs to ids_[i]
  std::array<uint32_t, kNamedCount> named_slots_{};
  std::vector<std::pair<std::string, StatValue>> unnamed_;  // names without an id
};

// Returns the numeric field, or nullopt when absent, null or not a number.
inline std::optional<double> GetNumber(const StatsReport& report, StatField field) {
  const StatValue* v = report.Find(field);
  return v != nullptr ? v->AsNumber() : std::nullopt;
}
std::optional<double> GetNumber(const StatsReport& report, std::string_view field);
// Returns the string field, or nullopt when absent or not a string.
inline std::optional<std::string_view> GetString(const StatsReport& report, StatField field) {
  const StatValue* v = report.Find(field);
  return v != nullptr ? v->AsString() : std::nullopt;
}
std::optional<std::string_view> GetString(const StatsReport& report, std::string_view field);
// Returns the boolean field, or nullopt when absent or not a boolean.
inline std::optional<bool> GetBool(const StatsReport& report, StatField field) {
  const StatValue* v = report.Find(field);
  return v != nullptr ? v->AsBool() : std::nullopt;
}
std::optional<bool> GetBool(const StatsReport& report, std::string_view field);

}  // namespace rtcstream
