#include "import/stats_timeline.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "common/json_writer.h"

namespace rtcstream {

namespace {

// Times taken from ISO 8601 strings have millisecond resolution, stat
// timestamps a microsecond one.
constexpr double kSameTimeMs = 1.5;
// Polls closer than this are one poll (webrtc-internals polls every second).
constexpr double kMaxPollToleranceMs = 300;

bool Near(double a, double b) { return std::fabs(a - b) <= kSameTimeMs; }

std::optional<double> JsonNumber(const std::string& text) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

std::string_view JsonStringBody(const std::string& text) {
  if (text.size() < 2 || text.front() != '"' || text.back() != '"') return {};
  return std::string_view(text).substr(1, text.size() - 2);
}

// The sample times of a report.
std::vector<double> SampleTimes(const ReportSeries& report) {
  const StatSeries* longest = nullptr;
  for (const StatSeries& s : report.stats) {
    if (s.name == "timestamp") {
      std::vector<double> times;
      for (const std::string& v : s.values) {
        const std::optional<double> t = JsonNumber(v);
        if (!t) break;
        times.push_back(*t);
      }
      if (times.size() == s.values.size()) return times;
    }
    if (longest == nullptr || s.values.size() > longest->values.size()) longest = &s;
  }
  std::vector<double> times;
  if (longest == nullptr) return times;
  const size_t n = longest->values.size();
  for (size_t i = 0; i < n; ++i) {
    times.push_back(n == 1 ? longest->end_ms
                           : longest->start_ms + (longest->end_ms - longest->start_ms) *
                                                     static_cast<double>(i) /
                                                     static_cast<double>(n - 1));
  }
  return times;
}

// For each value of `s`, the index of the report sample it belongs to (-1: none).
std::vector<int> AlignSeries(const std::vector<double>& times, const StatSeries& s) {
  const size_t n = s.values.size();
  const size_t total = times.size();
  std::vector<int> index(n, -1);
  if (n == 0 || total == 0) return index;
  auto contiguous = [&](size_t first) {
    for (size_t i = 0; i < n; ++i) index[i] = static_cast<int>(first + i);
    return index;
  };
  if (n == total) return contiguous(0);
  if (n < total) {
    if (Near(s.end_ms, times[total - 1]) && Near(s.start_ms, times[total - n])) {
      return contiguous(total - n);
    }
    for (size_t k = 0; k + n <= total; ++k) {
      if (Near(s.start_ms, times[k]) && Near(s.end_ms, times[k + n - 1])) return contiguous(k);
    }
  }
  // Gaps: spread the values evenly and take the nearest free sample.
  int previous = -1;
  for (size_t i = 0; i < n; ++i) {
    const double t = n == 1 ? s.end_ms
                            : s.start_ms + (s.end_ms - s.start_ms) * static_cast<double>(i) /
                                               static_cast<double>(n - 1);
    auto it = std::lower_bound(times.begin(), times.end(), t);
    size_t best = it == times.end() ? total - 1 : static_cast<size_t>(it - times.begin());
    if (best > 0 && std::fabs(times[best - 1] - t) <= std::fabs(times[best] - t)) --best;
    if (static_cast<int>(best) <= previous) continue;
    index[i] = static_cast<int>(best);
    previous = static_cast<int>(best);
  }
  return index;
}

bool IsRemote(const ReportSeries& r) { return r.type.starts_with("remote-"); }

// A report with its samples placed on the polls.
struct PlacedReport {
  const ReportSeries* report = nullptr;
  std::vector<double> times;
  std::vector<std::vector<int>> value_of;  // [stat][sample] -> value index or -1
  std::vector<int> poll;                   // [sample] -> poll index or -1
};

}  // namespace

std::vector<StatsSample> BuildStatsSamples(const std::vector<ReportSeries>& reports) {
  std::vector<PlacedReport> placed;
  placed.reserve(reports.size());
  for (const ReportSeries& r : reports) {
    PlacedReport p;
    p.report = &r;
    p.times = SampleTimes(r);
    if (p.times.empty()) continue;
    for (const StatSeries& s : r.stats) {
      std::vector<int> by_sample(p.times.size(), -1);
      const std::vector<int> index = AlignSeries(p.times, s);
      for (size_t v = 0; v < index.size(); ++v) {
        if (index[v] >= 0) by_sample[static_cast<size_t>(index[v])] = static_cast<int>(v);
      }
      p.value_of.push_back(std::move(by_sample));
    }
    p.poll.assign(p.times.size(), -1);
    placed.push_back(std::move(p));
  }

  // The polls: the distinct timestamps of the local reports.
  std::vector<double> times;
  for (const PlacedReport& p : placed) {
    if (!IsRemote(*p.report)) times.insert(times.end(), p.times.begin(), p.times.end());
  }
  if (times.empty()) {
    for (const PlacedReport& p : placed) times.insert(times.end(), p.times.begin(), p.times.end());
  }
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end(), Near), times.end());
  std::vector<double> gaps;
  for (size_t i = 1; i < times.size(); ++i) gaps.push_back(times[i] - times[i - 1]);
  double tolerance = kSameTimeMs;
  if (!gaps.empty()) {
    std::nth_element(gaps.begin(), gaps.begin() + gaps.size() / 2, gaps.end());
    tolerance = std::clamp(gaps[gaps.size() / 2] / 3, kSameTimeMs, kMaxPollToleranceMs);
  }
  std::vector<double> polls;
  for (double t : times) {
    if (polls.empty() || t - polls.back() > tolerance) polls.push_back(t);
  }
  if (polls.empty()) return {};
  auto poll_of = [&](double t) {
    auto it = std::upper_bound(polls.begin(), polls.end(), t + tolerance);
    return it == polls.begin() ? 0 : static_cast<int>(it - polls.begin()) - 1;
  };

  std::unordered_map<std::string_view, const PlacedReport*> by_id;
  for (PlacedReport& p : placed) {
    by_id.emplace(p.report->id, &p);
    if (IsRemote(*p.report)) continue;
    for (size_t i = 0; i < p.times.size(); ++i) p.poll[i] = poll_of(p.times[i]);
  }
  const int last_poll = static_cast<int>(polls.size()) - 1;
  for (PlacedReport& p : placed) {
    if (!IsRemote(*p.report)) continue;
    int end = last_poll;
    for (size_t s = 0; s < p.report->stats.size(); ++s) {
      const StatSeries& stat = p.report->stats[s];
      if (stat.name != "localId" || stat.values.empty()) continue;
      auto local = by_id.find(JsonStringBody(stat.values.back()));
      if (local != by_id.end() && !local->second->poll.empty()) end = local->second->poll.back();
    }
    const int n = static_cast<int>(p.times.size());
    for (int i = 0; i < n; ++i) p.poll[static_cast<size_t>(i)] = end - (n - 1 - i);
  }

  // One getstats object per poll, the reports in their dump order.
  std::vector<std::vector<std::pair<const PlacedReport*, size_t>>> at(polls.size());
  for (const PlacedReport& p : placed) {
    for (size_t i = 0; i < p.poll.size(); ++i) {
      if (p.poll[i] >= 0) at[static_cast<size_t>(p.poll[i])].emplace_back(&p, i);
    }
  }
  std::vector<StatsSample> samples;
  for (size_t k = 0; k < polls.size(); ++k) {
    if (at[k].empty()) continue;
    JsonWriter w;
    w.BeginObject();
    for (const auto& [p, i] : at[k]) {
      w.Key(p->report->id);
      w.BeginObject();
      w.Key("type");
      w.String(p->report->type);
      w.Key("timestamp");
      w.Number(p->times[i], 3);
      for (size_t s = 0; s < p->report->stats.size(); ++s) {
        const StatSeries& stat = p->report->stats[s];
        const int v = p->value_of[s][i];
        if (v < 0 || stat.name == "timestamp" || stat.name == "type" || stat.name == "id") continue;
        w.Key(stat.name);
        w.Raw(stat.values[static_cast<size_t>(v)]);
      }
      w.EndObject();
    }
    w.Key("timestamp");
    w.Number(polls[k], 3);
    w.EndObject();
    samples.push_back({polls[k], w.Release()});
  }
  return samples;
}

}  // namespace rtcstream
