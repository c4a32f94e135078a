#include "import/webrtc_internals_dump.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>
#include <unordered_map>
#include <vector>

#include "common/json_writer.h"
#include "common/time_util.h"
#include "import/dump_names.h"
#include "import/legacy_stats.h"
#include "import/stats_timeline.h"

namespace rtcstream {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// One tuple before sorting by time.
struct Tuple {
  double ts = 0;
  std::string json;
};

std::string_view StringField(object obj, std::string_view key) {
  std::string_view s;
  if (obj[key].get_string().get(s) != simdjson::SUCCESS) return {};
  return s;
}

std::optional<double> ParseNumber(std::string_view text) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// A time given as a number of epoch ms, a numeric string or an ISO 8601 string.
std::optional<double> ParseExactTime(element e) {
  if (e.is_number()) return e.get_double().value_unsafe();
  std::string_view s;
  if (e.get_string().get(s) != simdjson::SUCCESS) return std::nullopt;
  if (std::optional<double> v = ParseNumber(s)) return v;
  EpochMs ms = 0;
  if (ParseIso8601(s, &ms).ok()) return static_cast<double>(ms);
  return std::nullopt;
}

// An en-US toLocaleString() time, "11/25/2026, 1:20:42 PM", read as if it were
// UTC (the dump does not say the zone; see ZoneOffsetMs).
std::optional<double> ParseLocaleTime(std::string_view s) {
  int month = 0, day = 0, year = 0, hour = 0, minute = 0, second = 0;
  char ampm[3] = {0, 0, 0};
  const std::string text(s);
  if (std::sscanf(text.c_str(), "%d/%d/%d, %d:%d:%d %2s", &month, &day, &year, &hour, &minute,
                  &second, ampm) < 6) {
    return std::nullopt;
  }
  if (ampm[0] == 'P' && hour < 12) hour += 12;
  if (ampm[0] == 'A' && hour == 12) hour = 0;
  char iso[40];
  std::snprintf(iso, sizeof(iso), "%04d-%02d-%02dT%02d:%02d:%02dZ", year, month, day, hour, minute,
                second);
  EpochMs ms = 0;
  if (!ParseIso8601(iso, &ms).ok()) return std::nullopt;
  return static_cast<double>(ms);
}

// The SDK's name for an update log type, or the type itself.
std::string_view EventName(std::string_view type) {
  std::string lower(type);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view t = lower;
  if (t.starts_with("on")) t.remove_prefix(2);
  if (t == "setlocaldescription") return "setLocalDescription";
  if (t == "connectionstatechange") return "onconnectionstatechange";
  if (t == "iceconnectionstatechange") return "oniceconnectionstatechange";
  if (t == "close" || t == "stop") return "close";
  return type;
}

// An update's value as tuple data: newer Chromium writes JSON text ("\"stable\"",
// "{\"type\":\"offer\",...}"), older plain text.
void WriteEventValue(simdjson::dom::parser& parser, element value, JsonWriter* w) {
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) {
    w->Raw(simdjson::minify(value));
    return;
  }
  if (text.empty()) {
    w->Null();
    return;
  }
  element parsed;
  if (parser.parse(text.data(), text.size()).get(parsed) == simdjson::SUCCESS) {
    w->Raw(simdjson::minify(parsed));
  } else {
    w->String(text);
  }
}

std::string MakeTuple(std::string_view name, std::string_view pc_id, std::string_view data_json,
                      double ts) {
  JsonWriter w;
  w.BeginArray();
  w.String(name);
  if (pc_id.empty()) {
    w.Null();
  } else {
    w.String(pc_id);
  }
  w.Raw(data_json);
  w.Number(ts, 3);
  w.EndArray();
  return w.Release();
}

// The update log of one peer connection.
struct PendingEvent {
  std::string name;
  std::string data_json;
  double ts = 0;
  bool exact = true;  // false: a local time string with second resolution
};

void ReadUpdateLog(simdjson::dom::parser& parser, array log, std::vector<PendingEvent>* out) {
  for (element entry : log) {
    object obj;
    if (entry.get_object().get(obj) != simdjson::SUCCESS) continue;
    PendingEvent ev;
    element e;
    std::optional<double> ts;
    if (obj["timestamp"].get(e) == simdjson::SUCCESS) ts = ParseExactTime(e);
    if (!ts && obj["time"].get(e) == simdjson::SUCCESS) {
      ts = ParseExactTime(e);
      std::string_view s;
      if (!ts && e.get_string().get(s) == simdjson::SUCCESS) {
        ts = ParseLocaleTime(s);
        ev.exact = false;
      }
    }
    if (!ts) continue;
    ev.ts = *ts;
    ev.name = std::string(EventName(StringField(obj, "type")));
    if (ev.name.empty()) continue;
    JsonWriter w;
    if (obj["value"].get(e) == simdjson::SUCCESS) {
      WriteEventValue(parser, e, &w);
    } else {
      w.Null();
    }
    ev.data_json = w.Release();
    out->push_back(std::move(ev));
  }
}

// Reads one "<report id>-<stat>" entry into `reports` (grouped by report id).
Status ReadStat(simdjson::dom::parser& parser, std::string_view key, object entry,
                std::vector<ReportSeries>* reports,
                std::unordered_map<std::string, size_t>* index_of) {
  // webrtc-internals adds derived series such as "<id>-[bytesSent_in_bits/s]".
  if (key.ends_with(']')) return Status::OK();
  const size_t dash = key.rfind('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == key.size()) return Status::OK();
  const std::string_view id = key.substr(0, dash);
  const std::string_view name = key.substr(dash + 1);
  StatSeries series;
  series.name = std::string(name);
  element e;
  if (entry["startTime"].get(e) == simdjson::SUCCESS)
    series.start_ms = ParseExactTime(e).value_or(0);
  if (entry["endTime"].get(e) == simdjson::SUCCESS) series.end_ms = ParseExactTime(e).value_or(0);
  element values;
  if (entry["values"].get(values) != simdjson::SUCCESS) return Status::OK();
  std::string_view text;
  if (values.get_string().get(text) == simdjson::SUCCESS) {
    if (parser.parse(text.data(), text.size()).get(values) != simdjson::SUCCESS) {
      return Status::InvalidArgument("stats series \"" + std::string(key) + "\" is not JSON");
    }
  }
  array arr;
  if (values.get_array().get(arr) != simdjson::SUCCESS) return Status::OK();
  for (element v : arr) series.values.push_back(simdjson::minify(v));

  auto [it, added] = index_of->emplace(std::string(id), reports->size());
  if (added) {
    reports->push_back(ReportSeries{});
    reports->back().id = std::string(id);
  }
  ReportSeries& report = (*reports)[it->second];
  if (report.type.empty()) report.type = std::string(StringField(entry, "statsType"));
  if (name == "type" && !series.values.empty()) {
    // Dumps without statsType carry the type as a series of its own.
    const std::string& first = series.values.front();
    if (report.type.empty() && first.size() >= 2) report.type = first.substr(1, first.size() - 2);
  }
  if (IsLegacyStatsType(report.type)) {
    return Status::InvalidArgument("refused: legacy (pre-standard) getStats, report type \"" +
                                   report.type + "\"; rtcstream imports standard getStats only");
  }
  report.stats.push_back(std::move(series));
  return Status::OK();
}

// The tracks of a getUserMedia result: "audio_track_info" and
// "video_track_info" are JSON objects as strings, {"id", "label"}.
void ReadGetUserMedia(simdjson::dom::parser& parser, array requests, std::vector<Tuple>* out) {
  for (element entry : requests) {
    object obj;
    if (entry.get_object().get(obj) != simdjson::SUCCESS) continue;
    element e;
    std::optional<double> ts;
    if (obj["timestamp"].get(e) == simdjson::SUCCESS) ts = ParseExactTime(e);
    if (!ts) continue;
    const std::string_view request_type = StringField(obj, "request_type");
    const bool display = request_type == "getDisplayMedia";
    JsonWriter tracks;
    tracks.BeginObject();
    tracks.Key("tracks");
    tracks.BeginArray();
    bool any = false;
    for (auto [kind, field] :
         {std::pair{"audio", "audio_track_info"}, std::pair{"video", "video_track_info"}}) {
      const std::string info(StringField(obj, field));
      if (info.empty()) continue;
      element parsed;
      object track;
      if (parser.parse(info).get(parsed) != simdjson::SUCCESS ||
          parsed.get_object().get(track) != simdjson::SUCCESS) {
        continue;
      }
      tracks.BeginObject();
      tracks.Key("kind");
      tracks.String(kind);
      tracks.Key("id");
      tracks.String(StringField(track, "id"));
      tracks.Key("label");
      tracks.String(StringField(track, "label"));
      tracks.EndObject();
      any = true;
    }
    tracks.EndArray();
    tracks.EndObject();
    if (any) {
      out->push_back({*ts, MakeTuple(display ? "navigator.mediaDevices.getDisplayMediaOnSuccess"
                                             : "navigator.mediaDevices.getUserMediaOnSuccess",
                                     {}, tracks.str(), *ts)});
      continue;
    }
    // A request: its constraints, as the dump gives them (strings).
    JsonWriter request;
    request.BeginObject();
    for (const char* kind : {"audio", "video"}) {
      request.Key(kind);
      request.String(StringField(obj, kind));
    }
    request.EndObject();
    out->push_back({*ts, MakeTuple(display ? "navigator.mediaDevices.getDisplayMedia"
                                           : "navigator.mediaDevices.getUserMedia",
                                   {}, request.str(), *ts)});
  }
}

// The offset that turns local times read as UTC into UTC: a multiple of 15
// minutes (every time zone is), estimated from the first stats poll, which
// follows the first logged event by about a second.
double ZoneOffsetMs(double first_local_as_utc, double first_poll) {
  constexpr double kQuarterHour = 15 * 60 * 1000;
  const double offset = std::round((first_poll - first_local_as_utc) / kQuarterHour) * kQuarterHour;
  return std::fabs(offset) <= 14 * 3600 * 1000 ? offset : 0;
}

}  // namespace

Status ParseWebrtcInternalsDump(std::string_view content, ImportedTrace* trace) {
  *trace = ImportedTrace{};
  trace->format = DumpFormat::kWebrtcInternals;
  trace->missing_report_removed = false;  // every tuple holds full reports

  simdjson::dom::parser parser;  // the dump
  simdjson::dom::parser inner;   // JSON held in strings of the dump
  element doc;
  if (auto err = parser.parse(content.data(), content.size()).get(doc); err) {
    return Status::InvalidArgument(std::string("the dump is not valid JSON: ") +
                                   simdjson::error_message(err));
  }
  object root;
  object pcs;
  if (doc.get_object().get(root) != simdjson::SUCCESS ||
      root["PeerConnections"].get_object().get(pcs) != simdjson::SUCCESS) {
    return Status::InvalidArgument("not a webrtc-internals dump: no \"PeerConnections\" object");
  }
  trace->user_agent = std::string(StringField(root, "UserAgent"));

  std::vector<Tuple> tuples;
  std::vector<PendingEvent> events;   // of every peer connection
  std::vector<std::string> event_pc;  // the peer connection of each event
  double first_poll = -1;
  for (auto pc : pcs) {
    object obj;
    if (pc.value.get_object().get(obj) != simdjson::SUCCESS) continue;
    const std::string pc_id(pc.key);
    if (trace->room_id.empty()) trace->room_id = RoomIdFromUrl(StringField(obj, "url"));

    array log;
    if (obj["updateLog"].get_array().get(log) == simdjson::SUCCESS) {
      ReadUpdateLog(inner, log, &events);
      event_pc.resize(events.size(), pc_id);
    }
    object stats;
    if (obj["stats"].get_object().get(stats) != simdjson::SUCCESS) continue;
    std::vector<ReportSeries> reports;
    std::unordered_map<std::string, size_t> index_of;
    for (auto stat : stats) {
      object entry;
      if (stat.value.get_object().get(entry) != simdjson::SUCCESS) continue;
      Status s = ReadStat(inner, stat.key, entry, &reports, &index_of);
      if (!s.ok()) return Status::InvalidArgument("peer connection " + pc_id + ": " + s.message());
    }
    // A report without a type cannot be decoded (the session stage needs it).
    std::erase_if(reports, [](const ReportSeries& r) { return r.type.empty(); });
    for (StatsSample& sample : BuildStatsSamples(reports)) {
      if (first_poll < 0 || sample.timestamp_ms < first_poll) first_poll = sample.timestamp_ms;
      tuples.push_back(
          {sample.timestamp_ms, MakeTuple("getstats", pc_id, sample.json, sample.timestamp_ms)});
      ++trace->getstats_count;
    }
  }

  // Local time strings: place them on the stats' clock.
  double first_local = -1;
  for (const PendingEvent& ev : events) {
    if (!ev.exact && (first_local < 0 || ev.ts < first_local)) first_local = ev.ts;
  }
  const double offset =
      first_local >= 0 && first_poll >= 0 ? ZoneOffsetMs(first_local, first_poll) : 0;
  for (size_t i = 0; i < events.size(); ++i) {
    PendingEvent& ev = events[i];
    if (!ev.exact) {
      // One-second resolution cannot time a call setup: no setLocalDescription.
      if (ev.name == "setLocalDescription") continue;
      ev.ts += offset;
    }
    tuples.push_back({ev.ts, MakeTuple(ev.name, event_pc[i], ev.data_json, ev.ts)});
  }

  array requests;
  if (root["getUserMedia"].get_array().get(requests) == simdjson::SUCCESS) {
    ReadGetUserMedia(inner, requests, &tuples);
  }

  std::stable_sort(tuples.begin(), tuples.end(),
                   [](const Tuple& a, const Tuple& b) { return a.ts < b.ts; });
  for (const Tuple& t : tuples) {
    trace->tuples.append(t.json);
    trace->tuples.push_back('\n');
  }
  trace->tuple_count = tuples.size();
  if (trace->getstats_count == 0) {
    return Status::InvalidArgument(
        "the dump holds no stats (was chrome://webrtc-internals opened "
        "before the call ended?)");
  }
  return Status::OK();
}

}  // namespace rtcstream
