#include "service/collector.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "common/json_writer.h"
#include "common/log.h"
#include "geo/geoip.h"
#include "geo/ip_address.h"
#include "rooms/peer_state.h"
#include "service/metrics.h"
#include "service/sink_factory.h"
#include "service/stream_status.h"
#include "session/trace_decoder.h"
#include "sinks/s3_http.h"
#include "sinks/sink.h"
#include "store/history_store.h"
#include "streams/object_key.h"
#include "streams/room_json.h"
#include "streams/room_url.h"
#include "streams/series_json.h"
#include "streams/stream_encoding.h"
#include "streams/window.h"
#include "wire/frame.h"
#include "wire/http_trace.h"

namespace rtcstream {

namespace {

std::string RandomHex(size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  RAND_bytes(buf.data(), static_cast<int>(buf.size()));
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : buf) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xF]);
  }
  return out;
}

// A short, non-reversible fingerprint of a secret, safe to log.
std::string Fingerprint(std::string_view secret) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), digest);
  static const char kHex[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (int i = 0; i < 4; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xF]);
  }
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool ValidSessionId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(),
                     [](char c) { return c > 0x20 && c < 0x7F && c != '"' && c != '\\'; });
}

bool IsUnknown(const PeerLocation& location) {
  return !location.city && !location.country && !location.organization;
}

}  // namespace

// One SDK session (a page's sessionId) of one project, across its sockets.
struct Session {
  Session(std::string session_id, std::string user_agent, const ProjectConfig* p,
          const LimitsConfig& limits)
      : project(p), peer(std::move(session_id), std::move(user_agent)) {
    peer.SetKeyLimits(limits.max_keys, limits.max_key_value_length);
  }

  const ProjectConfig* project;
  std::mutex mu;  // guards everything below
  PeerState peer;
  int64_t room_key = 0;  // 0 until the peer joined a room
  int64_t peer_key = 0;
  std::string room_map_key;
  bool refused = false;  // a limit kept this session out of its room
  size_t dropped_keys_logged = 0;
  int live_connections = 0;
  EpochMs disconnected_ms = 0;  // server time the last socket closed
};

struct Collector::Connection {
  std::shared_ptr<Session> session;
  std::string remote_address;
  bool closed = false;
};

namespace {

// An open room session.
struct Room {
  int64_t room_key = 0;
  std::string project;
  std::string room_id;
  std::vector<std::shared_ptr<Session>> sessions;
};

// The end time `room` would get if it closed at `now` (as CloseRoomLocked
// computes it): the last moment any of its peers was seen.
EpochMs CurrentRoomEnd(const Room& room, EpochMs now) {
  if (room.sessions.empty()) return now;
  EpochMs end = 0;
  for (const auto& session : room.sessions) {
    std::lock_guard<std::mutex> lock(session->mu);
    const PeerState& peer = session->peer;
    end = std::max(end, peer.last_seen_ms().value_or(peer.first_seen_ms().value_or(0)));
  }
  return end;
}

// Time allowed after the longest expected wait for a room to close, so that the
// ticker has closed it before its window is sealed.
constexpr int64_t kSealMarginMs = 5000;

}  // namespace

struct Collector::Impl {
  ServiceConfig config;
  std::string public_url;
  FrameLimits limits;
  std::unique_ptr<HistoryStore> store;
  std::unique_ptr<GeoIp> geoip;  // no databases: every location is unknown
  // One per project: where its data stream goes and how delivery is going.
  struct ProjectStream {
    const ProjectConfig* project = nullptr;
    std::unique_ptr<Sink> sink;
    EpochMs next_unsealed = 0;  // start of the first window not sealed yet (guarded by mu)
    EpochMs retry_at_ms = 0;    // no delivery attempt before this (delivery thread only)
    int consecutive_failures = 0;
  };
  std::map<std::string, ProjectStream> streams;  // by project id
  std::mutex deliver_mu;                         // one delivery pass at a time

  mutable std::mutex mu;  // guards the maps below and ProjectStream::next_unsealed
  std::unordered_map<std::string, std::shared_ptr<Session>> sessions;  // project \n sessionId
  std::map<std::string, Room> rooms;                                   // project \n roomId

  Metrics metrics;
  std::atomic<bool> last_persist_ok{true};
  // One journal pass at a time: two concurrent passes could commit a peer's lines
  // out of order. Lock order: persist_mu, then mu, then a session's mu.
  std::mutex persist_mu;
  // When the last journal pass that committed everything then pending started
  // (steady clock, ns): every tuple accepted before it is durable.
  std::atomic<int64_t> last_clean_pass_ns{0};
  // Peers of closed rooms whose trace chunks await compaction (guarded by mu).
  std::vector<int64_t> peers_to_compact;

  std::atomic<uint64_t> frames_accepted{0};
  std::atomic<uint64_t> frames_rejected{0};
  std::atomic<uint64_t> tuples_rejected{0};

  Status PersistTracesLocked();
  void CompactClosedTraces();
  const ProjectConfig* ProjectForKey(std::string_view key) const;
  // An HTTP trace tuple of a session whose room has closed (a rating given after
  // the call, say) names our project id. Appends it to the trace of the session's
  // last stored peer, so the history keeps it; the stored room struct is final.
  // *kept is false when the trace's project and session name no such peer.
  Status KeepLateTuples(const HttpTraceBody& trace, bool* kept);
  // The project of an HTTP API access token, or nullptr.
  const ProjectConfig* ProjectForToken(std::string_view token) const;
  // The series of `peer_id` in the open session of the room, when it is there.
  std::optional<PeerSeries> LiveSeries(const std::string& project, std::string_view room_id,
                                       std::string_view peer_id);
  void JoinRoomLocked(const std::shared_ptr<Session>& session);
  void MaybeJoin(const std::shared_ptr<Session>& session);
  void Locate(Session& session, std::string_view client_address);
  void FlushSession(Session& session);
  void ContinueEarlierSession(Session& session);
  // The room's struct as it stands, from its peers' figures so far; with
  // `series`, also collects each stored peer's time series.
  RoomRecord CurrentRecordLocked(const Room& room, EpochMs now,
                                 std::vector<PeerSeriesEntry>* series);
  Status CloseRoomLocked(Room& room, EpochMs now);
  void SealWindowsLocked(EpochMs now);
  Status DeliverWindow(ProjectStream& stream, const StreamWindow& window);
  Status Restore(EpochMs now);
};

const ProjectConfig* Collector::Impl::ProjectForKey(std::string_view key) const {
  const ProjectConfig* found = nullptr;
  // Compare against every key so the time taken does not reveal which matched.
  for (const ProjectConfig& p : config.projects) {
    for (const std::string& k : p.api_keys) {
      // The SDK sends only the part after the first ':' ("production:abc" -> "abc").
      const size_t colon = k.find(':');
      const std::string_view suffix =
          colon == std::string::npos ? std::string_view(k) : std::string_view(k).substr(colon + 1);
      if (ConstantTimeEquals(k, key) || ConstantTimeEquals(suffix, key)) found = &p;
    }
  }
  return found;
}

Status Collector::Impl::KeepLateTuples(const HttpTraceBody& trace, bool* kept) {
  *kept = false;
  const ProjectConfig* project = FindProject(&config, trace.project_id);
  if (project == nullptr) return Status::OK();
  int64_t peer_key = 0;
  Status s = store->LastClosedPeerOfSession(project->id, trace.session_id, &peer_key);
  if (!s.ok() || peer_key == 0) return s;
  // Decoded by a scratch peer first: a tuple the live path would refuse is refused
  // here too, and what is stored is the same line the live path would store.
  PeerState scratch{trace.session_id, ""};
  for (const std::string& tuple : trace.tuples) {
    s = scratch.FeedTupleJson(tuple, TupleSource::kClient);
    if (!s.ok()) return s;
  }
  s = store->AppendTrace(peer_key, scratch.TakePendingTrace());
  if (!s.ok()) return s;
  LogInfo("HTTP trace of a closed room session kept in its peer's history",
          {{"project", project->id}, {"session", trace.session_id}});
  *kept = true;
  return Status::OK();
}

const ProjectConfig* Collector::Impl::ProjectForToken(std::string_view token) const {
  const ProjectConfig* project = nullptr;
  // Compare against every token so the time taken does not reveal which matched.
  for (const ProjectConfig& p : config.projects) {
    for (const SecretSetting& t : p.access_tokens) {
      if (ConstantTimeEquals(t.value, token)) project = &p;
    }
  }
  return token.empty() ? nullptr : project;
}

Status Collector::Open(const ServiceConfig& config, std::unique_ptr<Collector>* out) {
  Status s = ValidateConfig(config);
  if (!s.ok()) return s;
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  impl->public_url = EffectivePublicUrl(config);
  impl->limits.max_frame_bytes = config.limits.max_frame_bytes;
  impl->limits.max_decompressed_bytes = config.limits.max_decompressed_bytes;

  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) {
    return Status::IOError("cannot create data directory " + config.data_dir + ": " + ec.message());
  }
  s = OpenHistory(config.data_dir, HistoryOpenMode::kCreate, &impl->store);
  if (!s.ok()) return s;
  s = GeoIp::Open(config.geoip.city_db, config.geoip.asn_db, &impl->geoip);
  if (!s.ok()) return s;
  for (const GeoIpDatabase* db : impl->geoip->databases()) {
    LogInfo("GeoIP database opened", {{"path", db->path()},
                                      {"type", db->database_type()},
                                      {"schema", GeoIpSchemaName(db->schema())}});
  }
  const EpochMs now = NowMs();
  for (const ProjectConfig& p : impl->config.projects) {
    Impl::ProjectStream& stream = impl->streams[p.id];
    stream.project = &p;
    s = MakeSink(impl->config, p, &stream.sink);
    if (!s.ok()) return Status::InvalidArgument("project \"" + p.id + "\": " + s.message());
    // Sealing continues after the last sealed window; a new project starts now.
    std::optional<EpochMs> last;
    s = impl->store->LastSealedWindowEnd(p.id, &last);
    if (!s.ok()) return s;
    stream.next_unsealed = last ? *last : WindowStart(now, p.stream.interval_ms);
    // Windows left pending by an earlier run (a sink outage, a crash mid-upload)
    // are delivered first; say so, so that an operator knows after a restart.
    std::vector<StreamWindow> pending;
    s = impl->store->PendingWindows(p.id, &pending);
    if (!s.ok()) return s;
    if (!pending.empty()) {
      LogWarn("data stream windows pending from an earlier run; delivering them first",
              {{"project", p.id},
               {"pending", std::to_string(pending.size())},
               {"oldest", FormatIso8601(pending.front().window_start)}});
    }
  }
  s = impl->Restore(now);
  if (!s.ok()) return s;
  out->reset(new Collector(std::move(impl)));
  return Status::OK();
}

Collector::Collector(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Collector::~Collector() = default;

Status Collector::Impl::Restore(EpochMs now) {
  std::vector<OpenRoom> open_rooms;
  Status s = store->ListOpenRooms(&open_rooms);
  if (!s.ok()) return s;
  size_t restored_peers = 0;
  for (OpenRoom& stored : open_rooms) {
    const ProjectConfig* project = FindProject(&config, stored.project);
    if (project == nullptr) {
      LogWarn("open room belongs to a project that is no longer configured; left open",
              {{"project", stored.project}, {"room", stored.room_id}});
      continue;
    }
    Room room;
    room.room_key = stored.room_key;
    room.project = stored.project;
    room.room_id = stored.room_id;
    const std::string room_map_key = stored.project + "\n" + stored.room_id;
    for (StoredPeer& sp : stored.peers) {
      auto session =
          std::make_shared<Session>(sp.info.session_id, sp.info.user_agent, project, config.limits);
      std::string trace;
      s = store->ReadTrace(sp.peer_key, &trace);
      if (!s.ok()) return s;
      // Replaying the raw trace rebuilds the delta baselines and the analysis, so a
      // reconnecting SDK continues its delta stream seamlessly.
      session->peer.ReplayStoredTrace(trace);
      session->peer.SetLocation(sp.info.location);
      session->peer.SetIdentityIfMissing(stored.room_id, sp.info.peer_id);
      session->room_key = stored.room_key;
      session->peer_key = sp.peer_key;
      session->room_map_key = room_map_key;
      session->disconnected_ms = now;
      sessions[stored.project + "\n" + sp.info.session_id] = session;
      room.sessions.push_back(session);
      ++restored_peers;
    }
    rooms[room_map_key] = std::move(room);
  }
  if (!open_rooms.empty()) {
    LogInfo("restored open rooms from the history",
            {{"rooms", std::to_string(rooms.size())}, {"peers", std::to_string(restored_peers)}});
  }
  return Status::OK();
}

// An SDK that reconnects (newConnection=false) with a session we no longer hold
// was away longer than the room close grace, or came back after a restart that
// followed its room's close. Its getstats deltas are relative to what it sent
// before, so the new session's decoder continues from the stored trace of its
// last peer; without that, every report would lack its baseline until the SDK
// happened to send it whole again.
void Collector::Impl::ContinueEarlierSession(Session& session) {
  const std::string& session_id = session.peer.session_id();
  int64_t peer_key = 0;
  std::string trace;
  Status s = store->LastClosedPeerOfSession(session.project->id, session_id, &peer_key);
  if (s.ok() && peer_key != 0) s = store->ReadTrace(peer_key, &trace);
  if (!s.ok()) {
    LogWarn(
        "cannot read the earlier trace of a returning SDK session; its getstats deltas "
        "may lack their baselines",
        {{"session", session_id}, {"error", s.ToString()}});
    return;
  }
  if (peer_key == 0) return;  // a session we never saw, or whose room is gone from the history
  std::lock_guard<std::mutex> lock(session.mu);
  session.peer.ContinueDeltasFrom(trace);
  LogInfo("SDK session returned after its room closed; continuing its getstats deltas",
          {{"session", session_id}, {"trace_bytes", std::to_string(trace.size())}});
}

Status Collector::Connect(const ConnectRequest& request, std::shared_ptr<Connection>* conn,
                          std::string* reply) {
  const ProjectConfig* project = impl_->ProjectForKey(request.api_key);
  JsonWriter w;
  if (project == nullptr) {
    LogWarn("rejected SDK connection: unknown API key",
            {{"remote", request.remote_address}, {"key", Fingerprint(request.api_key)}});
    impl_->metrics.ConnectionRejected("api_key");
    w.BeginObject();
    w.Key("error");
    w.String("Invalid API key");
    w.EndObject();
    *reply = w.Release();
    return Status::PermissionDenied("unknown API key");
  }
  std::string session_id = request.session_id;
  if (!ValidSessionId(session_id)) {
    LogWarn("SDK connection without a valid sessionId; assigning one",
            {{"remote", request.remote_address}});
    session_id = "rtcstream-" + RandomHex(8);
  }
  const EpochMs now = NowMs();
  std::shared_ptr<Session> session;
  bool created = false;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    auto& slot = impl_->sessions[project->id + "\n" + session_id];
    if (!slot) {
      slot =
          std::make_shared<Session>(session_id, request.user_agent, project, impl_->config.limits);
      created = true;
    }
    session = slot;
  }
  if (created && !request.new_connection) impl_->ContinueEarlierSession(*session);
  impl_->Locate(*session, request.remote_address);
  {
    std::lock_guard<std::mutex> lock(session->mu);
    session->live_connections++;
    const int64_t skew = request.client_timestamp_ms > 0 ? now - request.client_timestamp_ms : 0;
    JsonWriter event;
    event.BeginObject();
    event.Key("skewMs");
    event.Int(skew);
    event.Key("serverMs");
    event.Int(now);
    event.Key("newConnection");
    event.Bool(request.new_connection);
    event.Key("remoteAddress");
    event.String(request.remote_address);
    event.EndObject();
    session->peer.RecordServerEvent(kServerConnectTuple, event.str(),
                                    static_cast<double>(now - skew));
  }
  impl_->metrics.ConnectionOpened();
  auto c = std::make_shared<Connection>();
  c->session = session;
  c->remote_address = request.remote_address;
  *conn = c;

  w.BeginObject();
  w.Key("connectionId");
  w.String(RandomHex(16));
  w.Key("projectId");
  w.String(project->id);
  w.Key("interval");
  w.Int(project->collection_interval_ms);
  w.Key("sendInterval");
  w.Int(1);
  w.Key("collectConsoleLogEnabled");
  w.Bool(false);
  w.Key("collectConsoleLogLevel");
  w.String("error");
  w.EndObject();
  *reply = w.Release();
  LogInfo("SDK connected", {{"project", project->id},
                            {"session", session_id},
                            {"network", MaskedAddressText(request.remote_address)},
                            {"reconnect", request.new_connection ? "false" : "true"}});
  return Status::OK();
}

Status Collector::OnFrame(Connection& conn, std::string_view frame) {
  DecodedFrame decoded;
  Status s = DecodeFrame(frame, impl_->limits, &decoded);
  if (!s.ok()) {
    impl_->frames_rejected++;
    const bool too_large = s.code() == Status::Code::kResourceExhausted;
    impl_->metrics.FrameRejected(frame.size(), too_large ? "too_large" : "lzstring");
    if (too_large) impl_->metrics.LimitHit("max_decompressed_bytes");
    return s;
  }
  Session& session = *conn.session;
  FrameDecodeResult result;
  {
    std::lock_guard<std::mutex> lock(session.mu);
    s = session.peer.FeedFrameJson(decoded.json, &result);
  }
  if (result.tuples_accepted == 0 && !s.ok()) {
    impl_->frames_rejected++;
    impl_->metrics.FrameRejected(frame.size(), result.tuples_rejected > 0 ? "tuple" : "json");
  } else {
    impl_->frames_accepted++;
    impl_->metrics.FrameAccepted(frame.size());
    impl_->metrics.TuplesRejected(result.tuples_rejected);
  }
  impl_->tuples_rejected += result.tuples_rejected;
  {
    std::lock_guard<std::mutex> lock(session.mu);
    if (session.peer.dropped_keys() > session.dropped_keys_logged) {
      session.dropped_keys_logged = session.peer.dropped_keys();
      impl_->metrics.LimitHit("max_keys");
      LogWarn("dropped keys beyond the limits",
              {{"session", session.peer.session_id()},
               {"max_keys", std::to_string(impl_->config.limits.max_keys)},
               {"max_length", std::to_string(impl_->config.limits.max_key_value_length)}});
    }
  }
  impl_->MaybeJoin(conn.session);
  return s;
}

void Collector::Impl::Locate(Session& session, std::string_view client_address) {
  if (!geoip->enabled()) return;
  {
    // The location is stored when the peer joins its room and kept from then on,
    // so that the history and the room struct always agree.
    std::lock_guard<std::mutex> lock(session.mu);
    if (session.room_key != 0 || !IsUnknown(session.peer.location())) return;
  }
  const IpLocation found = geoip->Lookup(client_address);
  PeerLocation location;
  location.city = found.city;
  location.country = found.country;
  location.organization = found.organization;
  std::lock_guard<std::mutex> lock(session.mu);
  if (session.room_key == 0 && IsUnknown(session.peer.location())) {
    session.peer.SetLocation(std::move(location));
  }
}

void Collector::Impl::MaybeJoin(const std::shared_ptr<Session>& session) {
  {
    std::lock_guard<std::mutex> lock(session->mu);
    if (session->room_key != 0 || !session->peer.has_identity()) return;
  }
  std::lock_guard<std::mutex> lock(mu);
  JoinRoomLocked(session);
}

void Collector::Impl::JoinRoomLocked(const std::shared_ptr<Session>& session) {
  std::lock_guard<std::mutex> session_lock(session->mu);
  if (session->room_key != 0 || session->refused || !session->peer.has_identity()) return;
  const LimitsConfig& limits = config.limits;
  if (session->peer.room_id().size() > limits.max_id_length ||
      session->peer.peer_id().size() > limits.max_id_length) {
    session->refused = true;
    metrics.LimitHit("max_id_length");
    LogWarn("peer not admitted: room or peer id longer than the limit",
            {{"session", session->peer.session_id()},
             {"limit_bytes", std::to_string(limits.max_id_length)}});
    return;
  }
  const std::string key = session->project->id + "\n" + session->peer.room_id();
  auto it = rooms.find(key);
  if (it != rooms.end() && it->second.sessions.size() >= limits.max_peers_per_room) {
    session->refused = true;
    metrics.LimitHit("max_peers_per_room");
    LogWarn("peer not admitted: room is full",
            {{"project", session->project->id},
             {"room", session->peer.room_id()},
             {"limit", std::to_string(limits.max_peers_per_room)}});
    return;
  }
  if (it == rooms.end()) {
    Room room;
    room.project = session->project->id;
    room.room_id = session->peer.room_id();
    const EpochMs start = session->peer.first_seen_ms().value_or(NowMs());
    Status s = store->CreateRoom(room.project, room.room_id, start, &room.room_key);
    if (!s.ok()) {
      LogError("cannot create room in the history; will retry",
               {{"room", room.room_id}, {"error", s.ToString()}});
      return;
    }
    it = rooms.emplace(key, std::move(room)).first;
  }
  StoredPeerInfo info;
  info.session_id = session->peer.session_id();
  info.peer_id = session->peer.peer_id();
  info.joined_ms = session->peer.first_seen_ms().value_or(NowMs());
  info.user_agent = session->peer.user_agent();
  info.location = session->peer.location();
  Status s = store->AddPeer(it->second.room_key, info, &session->peer_key);
  if (!s.ok()) {
    LogError("cannot add peer to the history; will retry",
             {{"room", info.peer_id}, {"error", s.ToString()}});
    return;
  }
  session->room_key = it->second.room_key;
  session->room_map_key = key;
  it->second.sessions.push_back(session);
  LogInfo("peer joined room", {{"project", session->project->id},
                               {"room", session->peer.room_id()},
                               {"peer", session->peer.peer_id()}});
}

void Collector::Disconnect(Connection& conn) {
  if (conn.closed) return;
  conn.closed = true;
  impl_->metrics.ConnectionClosed();
  Session& session = *conn.session;
  std::lock_guard<std::mutex> lock(session.mu);
  session.live_connections--;
  session.disconnected_ms = NowMs();
}

Status Collector::OnHttpTrace(std::string_view body, std::string_view remote_address,
                              std::string_view user_agent) {
  HttpTraceBody trace;
  Status s = ParseHttpTraceBody(body, &trace);
  if (!s.ok()) return s;
  if (!ValidSessionId(trace.session_id)) return Status::InvalidArgument("invalid sessionId");

  // The SDK sends our project id once its socket was accepted, else its API key.
  std::shared_ptr<Session> session;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    auto it = impl_->sessions.find(trace.project_id + "\n" + trace.session_id);
    if (it != impl_->sessions.end()) session = it->second;
  }
  if (!session) {
    bool kept = false;
    s = impl_->KeepLateTuples(trace, &kept);
    if (!s.ok() || kept) return s;
    const ProjectConfig* project = impl_->ProjectForKey(trace.project_id);
    if (project == nullptr) {
      LogWarn("rejected HTTP trace: unknown session and API key",
              {{"remote", std::string(remote_address)}});
      return Status::PermissionDenied("unknown session or API key");
    }
    std::lock_guard<std::mutex> lock(impl_->mu);
    auto& slot = impl_->sessions[project->id + "\n" + trace.session_id];
    if (!slot) {
      slot = std::make_shared<Session>(trace.session_id, std::string(user_agent), project,
                                       impl_->config.limits);
      slot->disconnected_ms = NowMs();
    }
    session = slot;
  }
  impl_->Locate(*session, remote_address);
  {
    std::lock_guard<std::mutex> lock(session->mu);
    for (const std::string& tuple : trace.tuples) {
      Status t = session->peer.FeedTupleJson(tuple, TupleSource::kClient);
      if (s.ok()) s = t;  // the first problem is reported; the other tuples still count
    }
    session->peer.SetIdentityIfMissing(trace.room_id, trace.peer_id);
  }
  impl_->MaybeJoin(session);
  return s;
}

void Collector::Impl::FlushSession(Session& session) {
  std::string lines;
  int64_t peer_key;
  {
    std::lock_guard<std::mutex> lock(session.mu);
    if (session.peer_key == 0 || !session.peer.HasPendingTrace()) return;
    lines = session.peer.TakePendingTrace();
    peer_key = session.peer_key;
  }
  Status s = store->AppendTrace(peer_key, lines);
  if (!s.ok()) {
    LogError("cannot persist trace; will retry", {{"error", s.ToString()}});
    std::lock_guard<std::mutex> lock(session.mu);
    session.peer.RestorePendingTrace(std::move(lines));
  }
}

RoomRecord Collector::Impl::CurrentRecordLocked(const Room& room, EpochMs now,
                                                std::vector<PeerSeriesEntry>* series) {
  RoomRecord record;
  record.project = room.project;
  record.room_id = room.room_id;
  bool first = true;
  for (const auto& session : room.sessions) {
    std::lock_guard<std::mutex> lock(session->mu);
    if (series != nullptr) series->push_back({session->peer_key, session->peer.Series()});
    PeerRecord peer = session->peer.ToRecord();
    if (first || peer.start_ms < record.start_ms) record.start_ms = peer.start_ms;
    if (first || peer.end_ms > record.end_ms) record.end_ms = peer.end_ms;
    first = false;
    record.peers.push_back(std::move(peer));
  }
  if (first) record.start_ms = record.end_ms = now;
  return record;
}

Status Collector::Impl::CloseRoomLocked(Room& room, EpochMs now) {
  for (const auto& session : room.sessions) {
    FlushSession(*session);
    std::lock_guard<std::mutex> lock(session->mu);
    if (session->peer.HasPendingTrace()) {
      return Status::Unavailable("trace of a peer could not be persisted yet");
    }
  }
  std::vector<PeerSeriesEntry> series;
  const RoomRecord record = CurrentRecordLocked(room, now, &series);
  const ProjectConfig* project = FindProject(&config, room.project);
  const std::string url = RoomUrl(public_url, room.room_id);
  const std::string json = RoomToJson(record, url);
  // A room belongs to the window its end falls in, unless that window is already
  // sealed: then it goes into the next one, so a sealed window never changes.
  EpochMs window = WindowStart(record.end_ms, project->stream.interval_ms);
  window = std::max(window, streams[room.project].next_unsealed);
  // Before the room is closed, so that a closed room always has its series
  // (storing them again after a failed close replaces them).
  Status s = store->StorePeerSeries(series);
  if (!s.ok()) return s;
  s = store->CloseRoom(room.room_key, record.end_ms, json, window);
  if (!s.ok()) return s;
  LogInfo("room closed", {{"project", room.project},
                          {"room", room.room_id},
                          {"peers", std::to_string(record.peers.size())},
                          {"window", FormatIso8601(window)}});
  return Status::OK();
}

void Collector::Impl::SealWindowsLocked(EpochMs now) {
  // A window stays open while a room that may still end in it is open: one whose
  // peers were all last seen before the window's end. Such a room closes within
  // `max_wait` of that moment (its last socket may take the idle timeout to be
  // noticed gone, then the room waits for the close grace). A room silent for
  // longer (a page left open without a call) goes into a later window when it
  // closes, so that it cannot hold back delivery.
  const int64_t max_wait =
      config.room_close_grace_ms + config.limits.idle_timeout_ms + kSealMarginMs;
  std::map<std::string, EpochMs> earliest_open_end;  // by project
  for (const auto& [key, room] : rooms) {
    const EpochMs end = CurrentRoomEnd(room, now);
    if (end + max_wait <= now) continue;
    auto [it, inserted] = earliest_open_end.emplace(room.project, end);
    if (!inserted) it->second = std::min(it->second, end);
  }
  for (auto& [id, stream] : streams) {
    const int64_t interval = stream.project->stream.interval_ms;
    const auto open = earliest_open_end.find(id);
    while (stream.next_unsealed + interval <= now) {
      const EpochMs window_end = stream.next_unsealed + interval;
      if (open != earliest_open_end.end() && open->second < window_end) {
        break;  // a room that may still end in this window is open
      }
      Status s = store->SealWindow(id, stream.next_unsealed, window_end);
      if (!s.ok()) {
        LogError("cannot seal data stream window; will retry",
                 {{"project", id}, {"error", s.ToString()}});
        break;
      }
      stream.next_unsealed += interval;
    }
  }
}

Status Collector::Impl::DeliverWindow(ProjectStream& stream, const StreamWindow& window) {
  const auto start = std::chrono::steady_clock::now();
  const StreamConfig& settings = stream.project->stream;
  // Rooms are read and encoded a page at a time: memory holds the body being built
  // (compressed, with gzip) and one page of structs, however large the window.
  constexpr size_t kPageRooms = 1000;
  StreamEncoder encoder(settings.encoding);
  HistoryStore::WindowCursor cursor;
  std::vector<std::string> page;
  Status s;
  while (s.ok() && !cursor.done) {
    s = store->RoomsInWindowPage(window.project, window.window_start, kPageRooms, &cursor, &page);
    for (size_t i = 0; s.ok() && i < page.size(); ++i) s = encoder.Add(page[i]);
  }
  page = {};
  std::string body;
  if (s.ok()) s = encoder.Finish(&body);
  if (!s.ok()) return s;
  ObjectKeyVars vars;
  vars.prefix = settings.prefix;
  vars.project = window.project;
  vars.window_start = window.window_start;
  vars.window_end = window.window_end;
  vars.ext = StreamExtension(settings.encoding);
  const std::string key = RenderObjectKey(settings.key_template, vars);

  StreamWindow delivered = window;
  PutResult result;
  s = stream.sink->Put(key, body, StreamContentType(settings.encoding), &result);
  if (!s.ok()) return s;
  delivered.location = result.location;
  delivered.etag = result.etag;
  delivered.room_count = static_cast<int64_t>(encoder.rooms());
  delivered.size_bytes = static_cast<int64_t>(body.size());
  delivered.sha256_hex = HexSha256(body);
  // A crash before this line leaves the window pending: the next attempt uploads
  // the same bytes to the same key, so the object is the same either way.
  s = store->MarkWindowDelivered(delivered);
  if (!s.ok()) return s;
  metrics.WindowDelivered(
      window.project,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), body.size());
  LogInfo("data stream window delivered", {{"project", window.project},
                                           {"location", delivered.location},
                                           {"rooms", std::to_string(encoder.rooms())},
                                           {"bytes", std::to_string(body.size())}});
  return Status::OK();
}

void Collector::Deliver(EpochMs now) {
  std::lock_guard<std::mutex> deliver_lock(impl_->deliver_mu);
  for (auto& [id, stream] : impl_->streams) {
    if (now < stream.retry_at_ms) continue;
    std::vector<StreamWindow> pending;
    Status s = impl_->store->PendingWindows(id, &pending);
    size_t delivered = 0;
    for (size_t i = 0; s.ok() && i < pending.size(); ++i) {
      s = impl_->DeliverWindow(stream, pending[i]);
      if (s.ok()) ++delivered;
      if (!s.ok()) {
        impl_->metrics.WindowFailed(id);
        // Windows go out in order: stop at the first failure and retry it later.
        impl_->store->RecordWindowFailure(id, pending[i].window_start, s.ToString());
        stream.consecutive_failures++;
        const int64_t backoff =
            std::min<int64_t>(300000, 1000LL << std::min(stream.consecutive_failures - 1, 9));
        stream.retry_at_ms = now + backoff;
        LogError("data stream window not delivered; will retry",
                 {{"project", id},
                  {"window", FormatIso8601(pending[i].window_start)},
                  {"pending_windows", std::to_string(pending.size() - i)},
                  {"retry_in_ms", std::to_string(backoff)},
                  {"error", s.ToString()}});
        break;
      }
    }
    impl_->metrics.SetPendingWindows(id, pending.size() - delivered);
    if (s.ok()) {
      stream.consecutive_failures = 0;
      stream.retry_at_ms = 0;
    }
  }
}

namespace {

int64_t SteadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Status Collector::PersistTraces() {
  std::lock_guard<std::mutex> persist_lock(impl_->persist_mu);
  return impl_->PersistTracesLocked();
}

Status Collector::Impl::PersistTracesLocked() {
  const int64_t pass_start_ns = SteadyNowNs();
  std::vector<std::shared_ptr<Session>> all;
  {
    std::lock_guard<std::mutex> lock(mu);
    all.reserve(sessions.size());
    for (auto& [key, session] : sessions) all.push_back(session);
  }
  std::vector<HistoryStore::TraceAppend> batch;
  std::vector<Session*> owners;
  for (auto& session : all) {
    std::lock_guard<std::mutex> lock(session->mu);
    if (session->peer_key == 0 || !session->peer.HasPendingTrace()) continue;
    batch.push_back({session->peer_key, session->peer.TakePendingTrace()});
    owners.push_back(session.get());
  }
  if (batch.empty()) {
    last_persist_ok = true;
    last_clean_pass_ns = pass_start_ns;
    return Status::OK();
  }
  size_t bytes = 0;
  for (const auto& b : batch) bytes += b.lines.size();
  const auto start = std::chrono::steady_clock::now();
  Status s = store->AppendTraces(batch);
  last_persist_ok = s.ok();
  if (s.ok()) {
    last_clean_pass_ns = pass_start_ns;
    metrics.JournalCommitted(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), bytes);
  } else {
    metrics.JournalFailed();
    LogError("cannot persist traces; will retry", {{"error", s.ToString()}});
    // Put the lines back ahead of anything newer, so that nothing is lost or reordered.
    for (size_t i = 0; i < batch.size(); ++i) {
      std::lock_guard<std::mutex> lock(owners[i]->mu);
      owners[i]->peer.RestorePendingTrace(std::move(batch[i].lines));
    }
  }
  return s;
}

void Collector::Tick(EpochMs now) {
  impl_->CompactClosedTraces();

  // Holding persist_mu keeps the journal from taking a closing room's lines
  // between this pass and the check in CloseRoomLocked that all of them are stored.
  std::lock_guard<std::mutex> persist_lock(impl_->persist_mu);
  impl_->PersistTracesLocked();

  std::lock_guard<std::mutex> lock(impl_->mu);
  for (auto it = impl_->rooms.begin(); it != impl_->rooms.end();) {
    Room& room = it->second;
    bool idle = true;
    EpochMs last_left = 0;
    for (const auto& session : room.sessions) {
      std::lock_guard<std::mutex> session_lock(session->mu);
      if (session->live_connections > 0) idle = false;
      // A session whose persistent call ended does not come back: no grace for it.
      if (!session->peer.persistent_call_ended()) {
        last_left = std::max(last_left, session->disconnected_ms);
      }
    }
    if (!idle || now - last_left < impl_->config.room_close_grace_ms) {
      ++it;
      continue;
    }
    Status s = impl_->CloseRoomLocked(room, now);
    if (!s.ok()) {
      LogError("cannot close room; will retry", {{"room", room.room_id}, {"error", s.ToString()}});
      ++it;
      continue;
    }
    for (const auto& session : room.sessions) {
      impl_->sessions.erase(session->project->id + "\n" + session->peer.session_id());
      if (session->peer_key != 0) impl_->peers_to_compact.push_back(session->peer_key);
    }
    it = impl_->rooms.erase(it);
  }
  // Sessions that never said which room they are in cannot form a room; forget
  // them once they have been gone for the grace period.
  for (auto it = impl_->sessions.begin(); it != impl_->sessions.end();) {
    Session& session = *it->second;
    std::lock_guard<std::mutex> session_lock(session.mu);
    if (session.room_key == 0 && session.live_connections == 0 &&
        now - session.disconnected_ms >= impl_->config.room_close_grace_ms) {
      LogWarn("dropping an SDK session that never identified its room",
              {{"session", session.peer.session_id()}});
      it = impl_->sessions.erase(it);
    } else {
      ++it;
    }
  }
  impl_->SealWindowsLocked(now);
}

// A closed room's trace is final: rewriting each peer's many small chunks (one per
// journal pass) as one compresses several times better and reads back faster.
// Best effort: a failure leaves the chunks as they are, which is still correct.
void Collector::Impl::CompactClosedTraces() {
  std::vector<int64_t> peers;
  {
    std::lock_guard<std::mutex> lock(mu);
    peers.swap(peers_to_compact);
  }
  for (int64_t peer_key : peers) {
    HistoryStore::CompactionResult result;
    Status s = store->CompactTrace(peer_key, &result);
    if (!s.ok()) {
      metrics.TraceCompactionFailed();
      LogWarn("cannot compact a closed peer's trace; left as it is",
              {{"peer_key", std::to_string(peer_key)}, {"error", s.ToString()}});
      continue;
    }
    if (result.chunks_before > 1) {
      metrics.TraceCompacted(result.stored_bytes_before, result.stored_bytes_after);
    }
  }
}

void Collector::Flush() {
  PersistTraces();
  impl_->CompactClosedTraces();
}

Status Collector::RoomJson(std::string_view access_token, std::string_view room_id,
                           std::string* json) {
  const ProjectConfig* project = impl_->ProjectForToken(access_token);
  if (project == nullptr) return Status::PermissionDenied("unknown access token");
  std::vector<std::string> room_jsons;
  Status s = impl_->store->RoomSessions(project->id, room_id, &room_jsons);
  if (!s.ok()) return s;
  {
    // The open session, if any, is the latest: its struct as it stands.
    std::lock_guard<std::mutex> lock(impl_->mu);
    auto open = impl_->rooms.find(project->id + "\n" + std::string(room_id));
    if (open != impl_->rooms.end()) {
      const RoomRecord record = impl_->CurrentRecordLocked(open->second, NowMs(), nullptr);
      room_jsons.push_back(RoomToJson(record, RoomUrl(impl_->public_url, record.room_id)));
    }
  }
  if (room_jsons.empty()) return Status::NotFound("no session of this room");
  *json = StreamFileBody(room_jsons);
  return Status::OK();
}

Status Collector::StreamsJson(std::string_view access_token, std::string* json) {
  const ProjectConfig* project = impl_->ProjectForToken(access_token);
  if (project == nullptr) return Status::PermissionDenied("unknown access token");
  constexpr size_t kRecentWindows = 20;
  std::vector<StreamWindow> pending, recent;
  Status s = impl_->store->PendingWindows(project->id, &pending);
  if (s.ok()) s = impl_->store->RecentWindows(project->id, kRecentWindows, &recent);
  if (!s.ok()) return s;
  *json = StreamStatusJson(*project, pending, recent);
  return Status::OK();
}

std::optional<PeerSeries> Collector::Impl::LiveSeries(const std::string& project,
                                                      std::string_view room_id,
                                                      std::string_view peer_id) {
  std::shared_ptr<Session> latest;
  EpochMs latest_start = 0;
  std::lock_guard<std::mutex> lock(mu);
  auto it = rooms.find(project + "\n" + std::string(room_id));
  if (it == rooms.end()) return std::nullopt;
  // After a page reload a peer id has several SDK sessions: the latest one counts.
  for (const auto& session : it->second.sessions) {
    std::lock_guard<std::mutex> session_lock(session->mu);
    if (session->peer.peer_id() != peer_id) continue;
    const EpochMs start = session->peer.first_seen_ms().value_or(0);
    if (!latest || start >= latest_start) {
      latest = session;
      latest_start = start;
    }
  }
  if (!latest) return std::nullopt;
  std::lock_guard<std::mutex> session_lock(latest->mu);
  return latest->peer.Series();
}

Status Collector::PeerSeriesJson(std::string_view access_token, std::string_view room_id,
                                 std::string_view peer_id, std::string* json) {
  const ProjectConfig* project = impl_->ProjectForToken(access_token);
  if (project == nullptr) return Status::PermissionDenied("unknown access token");
  if (std::optional<PeerSeries> live = impl_->LiveSeries(project->id, room_id, peer_id)) {
    *json = PeerSeriesToJson(room_id, peer_id, *live, true);
    return Status::OK();
  }
  FoundPeerSeries found;
  Status s = impl_->store->FindPeerSeries(project->id, room_id, peer_id, &found);
  if (!s.ok()) return s;
  if (!found.stored) {
    // The room closed before series were kept: recompute it from the raw trace.
    std::string trace;
    s = impl_->store->ReadTrace(found.peer_key, &trace);
    if (!s.ok()) return s;
    PeerState peer("", "");
    peer.ReplayStoredTrace(trace);
    found.series = peer.Series();
  }
  *json = PeerSeriesToJson(room_id, peer_id, found.series, false);
  return Status::OK();
}

Metrics& Collector::metrics() { return impl_->metrics; }

bool Collector::Ready() const { return impl_->last_persist_ok.load(); }

std::string Collector::RenderMetrics() {
  const CollectorStats stats = Stats();
  impl_->metrics.SetOpenRooms(stats.open_rooms);
  impl_->metrics.SetLiveSessions(stats.live_sessions);
  const int64_t clean_pass_ns = impl_->last_clean_pass_ns.load();
  impl_->metrics.SetJournalLag(clean_pass_ns == 0 ? 0.0 : (SteadyNowNs() - clean_pass_ns) / 1e9);
  return impl_->metrics.Render();
}

CollectorStats Collector::Stats() const {
  CollectorStats stats;
  stats.frames_accepted = impl_->frames_accepted.load();
  stats.frames_rejected = impl_->frames_rejected.load();
  stats.tuples_rejected = impl_->tuples_rejected.load();
  std::lock_guard<std::mutex> lock(impl_->mu);
  stats.open_rooms = impl_->rooms.size();
  stats.live_sessions = impl_->sessions.size();
  return stats;
}

}  // namespace rtcstream
