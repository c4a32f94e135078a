#include "session/stats_report.h"

#include <algorithm>

namespace rtcstream {

StatsReport::StatsReport(std::initializer_list<std::pair<std::string_view, StatValue>> fields) {
  for (const auto& [name, value] : fields) (*this)[name] = value;
}

const StatValue* StatsReport::FindUnnamed(StatField field) const {
  const auto it = std::find(ids_.begin(), ids_.end(), field);
  return it == ids_.end() ? nullptr : &values_[it - ids_.begin()];
}

const StatValue* StatsReport::Find(std::string_view name) const {
  if (std::optional<StatField> field = FindStatField(name)) return Find(*field);
  for (const auto& [unnamed, value] : unnamed_) {
    if (unnamed == name) return &value;
  }
  return nullptr;
}

StatValue& StatsReport::operator[](StatField field) {
  if (field < StatField::kFirstUnnamed) {
    uint32_t& slot = NamedSlot(field);
    if (slot == 0) {
      ids_.push_back(field);
      values_.emplace_back();
      slot = static_cast<uint32_t>(values_.size());
    }
    return values_[slot - 1];
  }
  const auto it = std::find(ids_.begin(), ids_.end(), field);
  if (it != ids_.end()) return values_[it - ids_.begin()];
  ids_.push_back(field);
  return values_.emplace_back();
}

StatValue& StatsReport::operator[](std::string_view name) {
  if (std::optional<StatField> field = FindStatField(name)) return (*this)[*field];
  for (auto& [unnamed, value] : unnamed_) {
    if (unnamed == name) return value;
  }
  return unnamed_.emplace_back(std::string(name), StatValue{}).second;
}

std::optional<double> GetNumber(const StatsReport& report, std::string_view field) {
  const StatValue* v = report.Find(field);
  return v != nullptr ? v->AsNumber() : std::nullopt;
}

std::optional<std::string_view> GetString(const StatsReport& report, std::string_view field) {
  const StatValue* v = report.Find(field);
  return v != nullptr ? v->AsString() : std::nullopt;
}

std::optional<bool> GetBool(const StatsReport& report, std::string_view field) {
  const StatValue* v = report.Find(field);
  return v != nullptr ? v->AsBool() : std::nullopt;
}

}  // namespace rtcstream
