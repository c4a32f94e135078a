#include "session/trace_decoder.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <optional>
#include <unordered_map>
#include <vector>

#include "common/json_writer.h"
#include "common/time_util.h"

namespace rtcstream {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

// Config fields of the `watchrtc` message that must never be stored: the SDK
// echoes its plain API key (and token) there.
bool IsSecretField(std::string_view key) { return key == "rtcApiKey" || key == "rtcToken"; }

// One parser per thread: a dom::parser keeps buffers sized to the largest
// document it has seen, so sharing it across the sessions a thread serves
// bounds memory by threads, not by connected peers.
simdjson::dom::parser& ThreadParser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

// Serializes `e`, dropping secret fields of the top-level object.
void WriteWithoutSecrets(element e, JsonWriter* w) {
  object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) {
    w->Raw(simdjson::minify(e));
    return;
  }
  w->BeginObject();
  for (auto field : obj) {
    if (IsSecretField(field.key)) continue;
    w->Key(field.key);
    w->Raw(simdjson::minify(field.value));
  }
  w->EndObject();
}

// Stores `e` in `v`, reusing v's string buffer (a report's fields are
// overwritten at every getstats message).
void AssignStatValue(element e, StatValue* v) {
  switch (e.type()) {
    case element_type::INT64:
      v->kind = StatValue::Kind::kNumber;
      v->number = static_cast<double>(int64_t(e));
      v->text.clear();
      break;
    case element_type::UINT64:
      v->kind = StatValue::Kind::kNumber;
      v->number = static_cast<double>(uint64_t(e));
      v->text.clear();
      break;
    case element_type::DOUBLE:
      v->kind = StatValue::Kind::kNumber;
      v->number = double(e);
      v->text.clear();
      break;
    case element_type::STRING:
      v->kind = StatValue::Kind::kString;
      v->number = 0;
      v->text.assign(std::string_view(e));
      break;
    case element_type::BOOL:
      v->kind = StatValue::Kind::kBool;
      v->number = bool(e) ? 1 : 0;
      v->text.clear();
      break;
    case element_type::NULL_VALUE:
      v->kind = StatValue::Kind::kNull;
      v->number = 0;
      v->text.clear();
      break;
    default:
      v->kind = StatValue::Kind::kJson;
      v->number = 0;
      v->text = simdjson::minify(e);
  }
}

// Reads a string, or the empty string for anything else.
std::string_view StringOr(element e, std::string_view fallback = {}) {
  std::string_view s;
  return e.get_string().get(s) == simdjson::SUCCESS ? s : fallback;
}

std::string_view FieldString(object obj, std::string_view key) {
  element e;
  if (obj[key].get(e) != simdjson::SUCCESS) return {};
  return StringOr(e);
}

// Reads {"name": ["v1", "v2"] | "v"} into key/value lists.
std::vector<std::pair<std::string, std::vector<std::string>>> ReadKeys(element e) {
  std::vector<std::pair<std::string, std::vector<std::string>>> keys;
  object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) return keys;
  for (auto field : obj) {
    std::vector<std::string> values;
    array arr;
    if (field.value.get_array().get(arr) == simdjson::SUCCESS) {
      for (element v : arr) {
        std::string_view s;
        if (v.get_string().get(s) == simdjson::SUCCESS) {
          values.emplace_back(s);
        } else if (!v.is_null()) {
          values.push_back(simdjson::minify(v));
        }
      }
    } else {
      std::string_view s;
      if (field.value.get_string().get(s) == simdjson::SUCCESS) {
        values.emplace_back(s);
      } else if (!field.value.is_null()) {
        values.push_back(simdjson::minify(field.value));
      }
    }
    keys.emplace_back(std::string(field.key), std::move(values));
  }
  return keys;
}

// The kind and label of an `onlocaltrack` string:
// "audio:<id> state:live muted:false label:<label> stream:<stream id>" (the
// stream part is absent in older SDKs). Tracks the SDK could not describe come
// as "undefined:undefined ... label:undefined" and are skipped.
bool ParseLocalTrack(std::string_view text, std::string_view* kind, std::string_view* label) {
  const size_t colon = text.find(':');
  const size_t label_pos = text.find(" label:");
  if (colon == std::string_view::npos || label_pos == std::string_view::npos) return false;
  *kind = text.substr(0, colon);
  std::string_view rest = text.substr(label_pos + 7);
  const size_t stream_pos = rest.rfind(" stream:");
  if (stream_pos != std::string_view::npos) rest = rest.substr(0, stream_pos);
  *label = rest;
  return *kind != "undefined" && *label != "undefined";
}

// The SDK takes a page that defines window.mozRTCPeerConnection for Firefox and
// then keys each report "<type>_<id>" ("inbound-rtp_870bb703"), while the ids
// inside the reports stay the browser's own. Returns true when every report of
// `data` that names its type is keyed that way, false when one is not, and
// nullopt when no report names its type (a delta without a baseline).
std::optional<bool> HasPrefixedKeys(object data) {
  std::optional<bool> prefixed;
  for (auto field : data) {
    object report;
    std::string_view type;
    if (field.value.get_object().get(report) != simdjson::SUCCESS ||
        report["type"].get_string().get(type) != simdjson::SUCCESS) {
      continue;
    }
    const std::string_view key = field.key;
    if (type.empty() || key.size() <= type.size() + 1 || key.substr(0, type.size()) != type ||
        key[type.size()] != '_') {
      return false;
    }
    prefixed = true;
  }
  return prefixed;
}

// "inbound-rtp_870bb703" -> "870bb703". Report types have no '_'.
std::string_view StripTypePrefix(std::string_view key) {
  const size_t underscore = key.find('_');
  return underscore == std::string_view::npos ? key : key.substr(underscore + 1);
}

}  // namespace

struct TraceDecoder::Impl {
  explicit Impl(DeltaSemantics s) : semantics(s) {}

  // A report of the previous getstats message of a peer connection, at its
  // position in that message. Clients list a connection's reports in the same
  // order every time (rtcstats sends every report, unchanged ones as {}), so
  // the report at a position is usually the one that was there before:
  // comparing its key is cheaper than finding the report by hashing its id.
  struct SentReport {
    std::string key;      // as sent (with the "<type>_" prefix, if any)
    StatsReport* report;  // in the snapshot; its node never moves
  };

  // The getStats state of one peer connection.
  struct PcStats {
    StatsSnapshot snapshot;
    // Whether the SDK keys this connection's reports "<type>_<id>" (it does when the
    // page defines window.mozRTCPeerConnection); unknown until a typed report arrives.
    std::optional<bool> prefixed_keys;
    // The reports of the previous getstats message, in its order.
    std::vector<SentReport> sent;
    // Whether `sent` names no report twice.
    bool sent_distinct = false;
  };

  DeltaSemantics semantics;
  // getStats state per pcId.
  std::unordered_map<std::string, PcStats> pcs;
  // Scratch space of ApplyGetStats: the reports the current delta names.
  std::vector<const StatsReport*> present;

  // `raw` is the tuple's text when it can be kept as is (one line), else empty.
  // `from_client`: the tuple came from an SDK (a frame or HTTP /trace), so names
  // reserved for rtcstream's own records are refused.
  Status DecodeTuple(element tuple, std::string_view raw, TraceHandler* handler, bool from_client);
  Status ApplyGetStats(std::string_view pc_id, element data, TraceHandler* handler, double ts);
};

TraceDecoder::TraceDecoder(DeltaSemantics semantics) : impl_(std::make_unique<Impl>(semantics)) {}
TraceDecoder::~TraceDecoder() = default;

size_t TraceDecoder::PeerConnectionCount() const { return impl_->pcs.size(); }

DeltaSemantics TraceDecoder::delta_semantics() const { return impl_->semantics; }

Status TraceDecoder::DecodeFrameJson(std::string_view json, TraceHandler* handler,
                                     FrameDecodeResult* result) {
  element doc;
  if (auto err = ThreadParser().parse(json.data(), json.size()).get(doc); err) {
    return Status::InvalidArgument(std::string("frame is not valid JSON: ") +
                                   simdjson::error_message(err));
  }
  array arr;
  if (doc.get_array().get(arr) != simdjson::SUCCESS) {
    return Status::InvalidArgument("frame is not a JSON array of tuples");
  }
  // A single tuple starts with its name; a batch is an array of arrays.
  element first;
  const bool single = arr.at(0).get(first) == simdjson::SUCCESS && first.is_string();
  if (single) {
    Status s = impl_->DecodeTuple(doc, {}, handler, /*from_client=*/true);
    (s.ok() ? result->tuples_accepted : result->tuples_rejected)++;
    return s;
  }
  Status first_error;
  size_t index = 0;
  for (element tuple : arr) {
    Status s = impl_->DecodeTuple(tuple, {}, handler, /*from_client=*/true);
    if (s.ok()) {
      result->tuples_accepted++;
    } else {
      result->tuples_rejected++;
      if (first_error.ok()) {
        first_error =
            Status::InvalidArgument("tuple " + std::to_string(index) + ": " + s.message());
      }
    }
    ++index;
  }
  return first_error;
}

Status TraceDecoder::DecodeTupleJson(std::string_view json, TraceHandler* handler,
                                     TupleSource source) {
  element doc;
  if (auto err = ThreadParser().parse(json.data(), json.size()).get(doc); err) {
    return Status::InvalidArgument(std::string("tuple is not valid JSON: ") +
                                   simdjson::error_message(err));
  }
  // A one-line text is kept as it came; anything else is minified onto one line.
  std::string_view raw = json;
  while (!raw.empty() && (raw.front() == ' ' || raw.front() == '\t')) raw.remove_prefix(1);
  while (!raw.empty() &&
         (raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\n' || raw.back() == '\r')) {
    raw.remove_suffix(1);
  }
  if (raw.find('\n') != std::string_view::npos || raw.find('\r') != std::string_view::npos) {
    raw = {};
  }
  return impl_->DecodeTuple(doc, raw, handler, source == TupleSource::kClient);
}

Status TraceDecoder::Impl::DecodeTuple(element tuple, std::string_view raw, TraceHandler* handler,
                                       bool from_client) {
  array arr;
  if (tuple.get_array().get(arr) != simdjson::SUCCESS) {
    return Status::InvalidArgument("tuple is not an array");
  }
  const size_t n = arr.size();
  std::string_view name;
  if (n < 3 || arr.at(0).get_string().get(name) != simdjson::SUCCESS || name.empty()) {
    return Status::InvalidArgument("tuple must be [name, pcId|null, data, timestamp]");
  }
  // Clock skew and delta semantics come from rtcstream's own records; a client that
  // could send them would choose how its data is read.
  if (from_client && name.substr(0, kReservedPrefix.size()) == kReservedPrefix) {
    return Status::InvalidArgument("tuple name \"" + std::string(name) +
                                   "\" is reserved for rtcstream's own records");
  }
  element pc_elem = arr.at(1).value_unsafe();
  std::string_view pc_id;
  if (!pc_elem.is_null() && pc_elem.get_string().get(pc_id) != simdjson::SUCCESS) {
    return Status::InvalidArgument("tuple \"" + std::string(name) + "\": pcId is not a string");
  }
  element data = arr.at(2).value_unsafe();
  double ts = 0;
  if (n >= 4) {
    element ts_elem = arr.at(3).value_unsafe();
    if (ts_elem.is_number()) {
      ts = ts_elem.get_double().value_unsafe();
    } else if (!ts_elem.is_null()) {
      return Status::InvalidArgument("tuple \"" + std::string(name) +
                                     "\": timestamp is not a number");
    }
  }

  // The raw history keeps every accepted tuple, minus secrets.
  if (name == "watchrtc") {
    JsonWriter w;
    w.BeginArray();
    w.String(name);
    if (pc_id.empty()) {
      w.Null();
    } else {
      w.String(pc_id);
    }
    WriteWithoutSecrets(data, &w);
    w.Number(ts, 3);
    w.EndArray();
    handler->OnRawTuple(w.str());
  } else if (!raw.empty()) {
    handler->OnRawTuple(raw);
  } else {
    handler->OnRawTuple(simdjson::minify(tuple));
  }

  Status status;
  if (name == "getstats") {
    if (pc_id.empty()) return Status::InvalidArgument("getstats without a pcId");
    status = ApplyGetStats(pc_id, data, handler, ts);
  } else if (name == "watchrtc") {
    object obj;
    if (data.get_object().get(obj) != simdjson::SUCCESS) {
      return Status::InvalidArgument("watchrtc data is not an object");
    }
    SessionIdentity id;
    id.room_id = std::string(FieldString(obj, "rtcRoomId"));
    id.peer_id = std::string(FieldString(obj, "rtcPeerId"));
    id.sdk_version = std::string(FieldString(obj, "sdkVersion"));
    id.agent_id = std::string(FieldString(obj, "agentId"));
    element e;
    if (obj["collectionInterval"].get(e) == simdjson::SUCCESS && e.is_number()) {
      id.collection_interval_ms = e.get_double().value_unsafe();
    }
    if (obj["keys"].get(e) == simdjson::SUCCESS) id.keys = ReadKeys(e);
    handler->OnIdentity(id, ts);
  } else if (name == "keys") {
    handler->OnKeys(ReadKeys(data), ts);
  } else if (name == "userAgentData") {
    object obj;
    if (data.get_object().get(obj) == simdjson::SUCCESS) {
      UserAgentInfo info;
      info.browser_name = std::string(FieldString(obj, "name"));
      info.browser_version = std::string(FieldString(obj, "version"));
      info.os = std::string(FieldString(obj, "os"));
      info.os_version = std::string(FieldString(obj, "osVersion"));
      info.architecture = std::string(FieldString(obj, "architecture"));
      element e;
      info.mobile = obj["mobile"].get(e) == simdjson::SUCCESS && e.is_bool() && bool(e);
      handler->OnUserAgent(info, ts);
    }
  } else if (name == "onlocaltrack") {
    std::string_view kind, label;
    if (ParseLocalTrack(StringOr(data), &kind, &label)) handler->OnLocalTrack(kind, label, ts);
  } else if (name == "getUserMediaOnSuccess" ||
             name == "navigator.mediaDevices.getUserMediaOnSuccess") {
    object obj;
    array tracks;
    if (data.get_object().get(obj) == simdjson::SUCCESS &&
        obj["tracks"].get_array().get(tracks) == simdjson::SUCCESS) {
      for (element t : tracks) {
        object track;
        if (t.get_object().get(track) != simdjson::SUCCESS) continue;
        handler->OnLocalTrack(FieldString(track, "kind"), FieldString(track, "label"), ts);
      }
    }
  } else if (name == "setLocalDescription") {
    handler->OnSetLocalDescription(pc_id, ts);
  } else if (name == "onconnectionstatechange") {
    handler->OnConnectionState(pc_id, StringOr(data), ts);
  } else if (name == "oniceconnectionstatechange") {
    handler->OnIceConnectionState(pc_id, StringOr(data), ts);
  } else if (name == "close") {
    handler->OnPcClosed(pc_id, ts);
  } else if (name == "nailUpCallEnd") {
    handler->OnPersistentCallEnd(ts);
  } else if (name == kServerConnectTuple) {
    object obj;
    element skew;
    if (data.get_object().get(obj) == simdjson::SUCCESS &&
        obj["skewMs"].get(skew) == simdjson::SUCCESS && skew.is_number() &&
        std::fabs(skew.get_double().value_unsafe()) < kMaxEpochMs) {
      handler->OnClockSkew(static_cast<int64_t>(skew.get_double().value_unsafe()));
    }
  } else if (name == kImportTuple) {
    object obj;
    if (data.get_object().get(obj) == simdjson::SUCCESS) {
      const std::string_view getstats = FieldString(obj, "getstats");
      if (getstats == kMissingMeansRemovedName) {
        semantics = DeltaSemantics::kMissingMeansRemoved;
      } else if (getstats == kMissingMeansUnchangedName) {
        semantics = DeltaSemantics::kMissingMeansUnchanged;
      }
    }
  }
  handler->OnTuple(name, ts);
  return status;
}

Status TraceDecoder::Impl::ApplyGetStats(std::string_view pc_id, element data,
                                         TraceHandler* handler, double ts) {
  object obj;
  if (data.get_object().get(obj) != simdjson::SUCCESS) {
    return Status::InvalidArgument("getstats data for " + std::string(pc_id) + " is not an object");
  }
  // The top-level timestamp stands for every report sent with timestamp 0.
  double top_timestamp = ts;
  element top;
  if (obj["timestamp"].get(top) == simdjson::SUCCESS && top.is_number()) {
    top_timestamp = top.get_double().value_unsafe();
  }
  PcStats& pc = pcs[std::string(pc_id)];
  StatsSnapshot& snapshot = pc.snapshot;
  snapshot.timestamp_ms = top_timestamp;
  if (!pc.prefixed_keys.has_value()) pc.prefixed_keys = HasPrefixedKeys(obj);
  const bool prefixed = pc.prefixed_keys.value_or(false);

  const bool removes = semantics == DeltaSemantics::kMissingMeansRemoved;
  present.clear();
  std::vector<SentReport>& sent = pc.sent;
  const size_t sent_before = sent.size();
  bool same_order = true;  // every report so far is the one sent at its position last time
  size_t position = 0;
  std::string orphan;  // first report that is a delta without a baseline
  size_t orphans = 0;
  for (auto field : obj) {
    if (field.key == "timestamp" || field.key == "getStatsId") continue;
    object report;
    if (field.value.get_object().get(report) != simdjson::SUCCESS) continue;
    SentReport* previous = position < sent.size() ? &sent[position] : nullptr;
    if (previous == nullptr || previous->key != field.key) {
      same_order = false;
      // Reports reference each other by the browser's ids (codecId, localId, ...),
      // so the snapshot is keyed by those.
      const std::string_view id = prefixed ? StripTypePrefix(field.key) : field.key;
      auto it = snapshot.reports.find(id);
      if (it == snapshot.reports.end()) {
        // A report we have not seen must arrive complete; without its type it is a
        // delta against a state we never received (e.g. frames lost before we started).
        element type;
        if (report["type"].get(type) != simdjson::SUCCESS) {
          if (orphans++ == 0) orphan = std::string(field.key);
          continue;
        }
        it = snapshot.reports.emplace(std::string(id), StatsReport{}).first;
        it->second.Reserve(report.size());
      }
      if (previous == nullptr) previous = &sent.emplace_back();
      previous->key.assign(field.key);
      previous->report = &it->second;
    }
    ++position;
    StatsReport& target = *previous->report;
    if (removes) present.push_back(&target);
    for (auto stat : report) {
      const std::optional<StatField> id = FindStatField(stat.key);
      StatValue& value = id ? target[*id] : target[stat.key];
      AssignStatValue(stat.value, &value);
      if (id == StatField::kTimestamp && value.kind == StatValue::Kind::kNumber &&
          value.number == 0) {
        value.number = top_timestamp;
      }
    }
  }
  sent.resize(position);
  if (removes) {
    // A report the message left out no longer exists. When the message named the
    // same distinct reports as the previous one, and as many as the snapshot
    // has, there is nothing to look for.
    const bool all_present = same_order && position == sent_before && pc.sent_distinct &&
                             position == snapshot.reports.size();
    if (!all_present) {
      // Reports are told apart by address: the map's nodes do not move.
      const std::less<const StatsReport*> address_order;
      std::sort(present.begin(), present.end(), address_order);
      const auto distinct_end = std::unique(present.begin(), present.end());
      pc.sent_distinct = distinct_end == present.end();
      present.erase(distinct_end, present.end());
      if (present.size() != snapshot.reports.size()) {
        // Every report in `sent` is present, so none of them is removed here.
        std::erase_if(snapshot.reports, [&](const auto& entry) {
          return !std::binary_search(present.begin(), present.end(), &entry.second, address_order);
        });
      }
    }
  }
  handler->OnStats(pc_id, snapshot, ts);
  if (orphans > 0) {
    return Status::InvalidArgument(
        "getstats delta for " + std::string(pc_id) + " has " + std::to_string(orphans) +
        " report(s) without a baseline (first: \"" + orphan + "\"); they were ignored");
  }
  return Status::OK();
}

}  // namespace rtcstream
