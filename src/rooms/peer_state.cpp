#include "rooms/peer_state.h"

#include <algorithm>

#include "common/json_writer.h"
#include "session/user_agent.h"

namespace rtcstream {

namespace {

// Browsers without navigator.userAgentData (Firefox, Safari) make the SDK parse
// the User-Agent string itself, and it then sends the browser version as
// osVersion: Firefox 153 on Linux says {"version":"153.0","osVersion":"153.0"}.
// Only on iOS is Safari's version the system's.
bool IsCopiedBrowserVersion(const UserAgentInfo& info) {
  return info.os_version == info.browser_version && info.os != "iOS";
}

}  // namespace

PeerState::PeerState(std::string session_id, std::string user_agent)
    : session_id_(std::move(session_id)), user_agent_(std::move(user_agent)) {}

Status PeerState::FeedFrameJson(std::string_view json, FrameDecodeResult* result) {
  return decoder_.DecodeFrameJson(json, this, result);
}

Status PeerState::FeedTupleJson(std::string_view json, TupleSource source) {
  return decoder_.DecodeTupleJson(json, this, source);
}

namespace {

// Calls decode(line) for each non-empty line of a stored trace. A line the
// decoder refuses changes nothing; a stored trace holds only lines it accepted.
template <typename Decode>
void ForEachStoredLine(std::string_view trace, Decode decode) {
  while (!trace.empty()) {
    const size_t newline = trace.find('\n');
    const std::string_view line = trace.substr(0, newline);
    trace.remove_prefix(newline == std::string_view::npos ? trace.size() : newline + 1);
    if (!line.empty()) decode(line);
  }
}

}  // namespace

void PeerState::ReplayStoredTrace(std::string_view trace) {
  record_raw_ = false;
  ForEachStoredLine(trace, [&](std::string_view line) { decoder_.DecodeTupleJson(line, this); });
  record_raw_ = true;
}

void PeerState::ContinueDeltasFrom(std::string_view earlier_trace) {
  IgnoringTraceHandler ignore;
  ForEachStoredLine(earlier_trace,
                    [&](std::string_view line) { decoder_.DecodeTupleJson(line, &ignore); });
}

void PeerState::RecordServerEvent(std::string_view name, std::string_view data_json,
                                  double client_ts_ms) {
  JsonWriter w;
  w.BeginArray();
  w.String(name);
  w.Null();
  w.Raw(data_json);
  w.Number(client_ts_ms, 3);
  w.EndArray();
  FeedTupleJson(w.str());
}

std::string PeerState::TakePendingTrace() {
  std::string out;
  out.swap(pending_trace_);
  return out;
}

void PeerState::SetIdentityIfMissing(std::string_view room_id, std::string_view peer_id) {
  if (has_identity_ || room_id.empty() || peer_id.empty()) return;
  identity_.room_id = std::string(room_id);
  identity_.peer_id = std::string(peer_id);
  has_identity_ = true;
}

void PeerState::OnRawTuple(std::string_view tuple_json) {
  if (!record_raw_) return;
  pending_trace_.append(tuple_json);
  pending_trace_.push_back('\n');
}

void PeerState::OnIdentity(const SessionIdentity& identity, double) {
  // A reconnect repeats the `watchrtc` message; room and peer ids stay as first given.
  if (has_identity_ && !identity_.room_id.empty()) {
    identity_.sdk_version = identity.sdk_version;
  } else {
    identity_ = identity;
    has_identity_ = !identity_.room_id.empty() && !identity_.peer_id.empty();
  }
  MergeKeys(identity.keys);
}

void PeerState::OnKeys(const std::vector<std::pair<std::string, std::vector<std::string>>>& keys,
                       double) {
  MergeKeys(keys);
}

void PeerState::MergeKeys(
    const std::vector<std::pair<std::string, std::vector<std::string>>>& keys) {
  for (const auto& [name, values] : keys) {
    auto it = std::find_if(keys_.begin(), keys_.end(),
                           [&key = name](const auto& entry) { return entry.first == key; });
    if (it == keys_.end()) {
      if (keys_.size() >= max_keys_ || name.size() > max_key_length_) {
        ++dropped_keys_;
        continue;
      }
      keys_.emplace_back(name, std::vector<std::string>{});
      it = keys_.end() - 1;
    }
    for (const std::string& v : values) {
      // Values share the name limit: a key holds a handful of short labels.
      if (v.size() > max_key_length_ || it->second.size() >= max_keys_) {
        ++dropped_keys_;
        continue;
      }
      if (std::find(it->second.begin(), it->second.end(), v) == it->second.end()) {
        it->second.push_back(v);
      }
    }
  }
}

void PeerState::OnUserAgent(const UserAgentInfo& info, double) { user_agent_data_ = info; }

void PeerState::OnLocalTrack(std::string_view kind, std::string_view label, double) {
  if (label.empty()) return;
  // The first capture track of each kind names the device.
  if (kind == "audio" && !audio_device_) audio_device_ = std::string(label);
  if (kind == "video" && !video_device_) video_device_ = std::string(label);
}

void PeerState::OnStats(std::string_view pc_id, const StatsSnapshot& snapshot, double) {
  analyzer_.OnStats(pc_id, snapshot);
}

void PeerState::OnSetLocalDescription(std::string_view pc_id, double ts_ms) {
  analyzer_.OnSetLocalDescription(pc_id, ts_ms);
}

void PeerState::OnConnectionState(std::string_view pc_id, std::string_view state, double ts_ms) {
  analyzer_.OnConnectionStateChange(pc_id, state, ts_ms);
}

void PeerState::OnIceConnectionState(std::string_view pc_id, std::string_view state, double ts_ms) {
  analyzer_.OnIceConnectionStateChange(pc_id, state, ts_ms);
}

void PeerState::OnPcClosed(std::string_view pc_id, double ts_ms) {
  analyzer_.OnPcClosed(pc_id, ts_ms);
}

void PeerState::OnPersistentCallEnd(double) { persistent_call_ended_ = true; }

void PeerState::OnTuple(std::string_view name, double ts_ms) {
  // A time past kMaxEpochMs is garbage; the largest would not even fit an EpochMs.
  if (!(ts_ms > 0 && ts_ms < kMaxEpochMs)) return;
  if (!first_client_ms_ || ts_ms < *first_client_ms_) first_client_ms_ = ts_ms;
  if (!last_client_ms_ || ts_ms > *last_client_ms_) last_client_ms_ = ts_ms;
  if (name == kServerConnectTuple && !first_connect_client_ms_) first_connect_client_ms_ = ts_ms;
}

std::optional<EpochMs> PeerState::first_seen_ms() const {
  if (!first_client_ms_) return std::nullopt;
  // watchRTC.persistentStart() connects with everything the SDK buffered since the
  // page started it (or since the previous call ended): the nailed-up connection's
  // set-up, minutes old perhaps. The call itself starts with the connection.
  double first = *first_client_ms_;
  if (persistent_call_ended_ && first_connect_client_ms_) first = *first_connect_client_ms_;
  return static_cast<EpochMs>(first) + skew_ms_;
}

std::optional<EpochMs> PeerState::last_seen_ms() const {
  if (!last_client_ms_) return std::nullopt;
  return static_cast<EpochMs>(*last_client_ms_) + skew_ms_;
}

PeerRecord PeerState::ToRecord() const {
  PeerRecord r;
  r.peer_id = identity_.peer_id;
  r.location = location_;
  const ParsedUserAgent ua = ParseUserAgent(user_agent_);
  if (user_agent_data_ && !IsGreaseBrand(user_agent_data_->browser_name)) {
    r.browser = user_agent_data_->browser_name;
    if (!user_agent_data_->browser_version.empty()) {
      r.browser_version = user_agent_data_->browser_version;
    }
  } else if (!ua.browser.empty()) {
    r.browser = ua.browser;
    if (!ua.browser_version.empty()) r.browser_version = ua.browser_version;
    // Chromium's reduced User-Agent says "156.0.0.0"; userAgentData carries the full
    // version even when its brand is GREASE. Use it when the major versions agree.
    if (user_agent_data_ && !ua.browser_version.empty()) {
      const std::string& full = user_agent_data_->browser_version;
      const std::string major = ua.browser_version.substr(0, ua.browser_version.find('.'));
      if (full.size() > major.size() && full.compare(0, major.size() + 1, major + ".") == 0) {
        r.browser_version = full;
      }
    }
  }
  if (user_agent_data_ && !user_agent_data_->os.empty()) {
    r.os = user_agent_data_->os;
    if (!user_agent_data_->os_version.empty() && !IsCopiedBrowserVersion(*user_agent_data_)) {
      r.os_version = user_agent_data_->os_version;
    }
  } else if (!ua.os.empty()) {
    r.os = ua.os;
  }
  if (!identity_.sdk_version.empty()) r.sdk_version = identity_.sdk_version;
  r.start_ms = first_seen_ms().value_or(0);
  r.end_ms = last_seen_ms().value_or(r.start_ms);
  r.keys = keys_;
  r.features = analyzer_.Features();
  r.stats = analyzer_.Summarize();
  r.audio_device = audio_device_;
  r.video_device = video_device_;
  return r;
}

PeerSeries PeerState::Series() const {
  PeerSeries series = analyzer_.series();
  series.ShiftTimes(skew_ms_);
  series.set_start_ms(first_seen_ms().value_or(0));
  return series;
}

}  // namespace rtcstream
