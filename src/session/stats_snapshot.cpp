#include "session/stats_snapshot.h"

namespace rtcstream {

namespace {
const StatValue* FindField(const StatsReport& report, std::string_view field) {
  auto it = report.find(field);
  return it == report.end() ? nullptr : &it->second;
}
}  // namespace

std::optional<double> GetNumber(const StatsReport& report, std::string_view field) {
  const StatValue* v = FindField(report, field);
  if (v == nullptr || v->kind != StatValue::Kind::kNumber) return std::nullopt;
  return v->number;
}

std::optional<std::string_view> GetString(const StatsReport& report, std::string_view field) {
  const StatValue* v = FindField(report, field);
  if (v == nullptr || v->kind != StatValue::Kind::kString) return std::nullopt;
  return std::string_view(v->text);
}

std::optional<bool> GetBool(const StatsReport& report, std::string_view field) {
  const StatValue* v = FindField(report, field);
  if (v == nullptr || v->kind != StatValue::Kind::kBool) return std::nullopt;
  return v->number != 0;
}

const StatsReport* StatsSnapshot::Find(std::string_view id) const {
  auto it = reports.find(id);
  return it == reports.end() ? nullptr : &it->second;
}

}  // namespace rtcstream
