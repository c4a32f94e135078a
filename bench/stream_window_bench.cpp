// Building and uploading one big data stream window, as the delivery thread
// does it (Collector's DeliverWindow): RoomsInWindowPage reads the window's room
// structs from the SQLite history a page at a time, a StreamEncoder appends each
// page to the (compressed) body, a Sink puts it. Four variants: JSON and NDJSON + gzip, each to the
// file sink and (with
// --s3) to the local S3 API of tests/s3, where a body above 16 MiB goes as a
// multipart upload.
//
// First the history is filled with --rooms synthetic closed rooms of --peers
// peers each, all in one window, through the store's own API (CreateRoom,
// AddPeer per peer, CloseRoom: each call is its own SQLite transaction, as in
// the collector; there is no batch API), with structs made by RoomToJson from
// varied RoomRecords. The fill is timed and reported too.
//
// Each run of a variant is a fresh process (this executable again, with
// --variant and --history), so that its peak RSS (VmHWM, a process-wide
// high-water mark) is its own. Per variant, the median of --runs runs: wall
// time of read + encode + put and of each part, body size, peak RSS and the
// RSS before the read. Output: a table, then one JSON line for the fill and
// one per variant (progress goes to stderr).
//
//   stream_window_bench [--rooms N] [--peers N] [--runs N] [--variant NAME[,NAME...]]
//                       [--s3] [--keep]
//
// Variants: json-file, ndjson-gzip-file, json-s3, ndjson-gzip-s3. The S3 ones
// need --s3, node and tests/s3/node_modules (npm ci). --keep leaves the
// temporary directory (history and files) in place. Not a Google Benchmark
// program: scripts/run-benchmarks.sh runs it in a section of its own.
#include <curl/curl.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <simdjson.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include "common/status.h"
#include "common/time_util.h"
#include "rooms/room_record.h"
#include "sinks/file_sink.h"
#include "sinks/s3_sink.h"
#include "store/history_store.h"
#include "streams/object_key.h"
#include "streams/room_json.h"
#include "streams/stream_encoding.h"

extern char** environ;

namespace rtcstream {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kProject[] = "bench";
constexpr char kPrefix[] = "watchrtc/";
constexpr char kBucket[] = "rtcstream-bench";
constexpr char kPublicUrl[] = "https://rtc.example.com";
constexpr EpochMs kWindowStart = 1795600800000;  // 2026-11-25T10:00:00Z
constexpr int64_t kWindowMs = 60 * 60 * 1000;

// How the parent hands the S3 test server to the variant processes: in the
// environment rather than on the command line, where every user sees it.
constexpr char kEnvEndpoint[] = "STREAM_WINDOW_BENCH_S3_ENDPOINT";
constexpr char kEnvRegion[] = "STREAM_WINDOW_BENCH_S3_REGION";
constexpr char kEnvKeyId[] = "STREAM_WINDOW_BENCH_S3_KEY_ID";
constexpr char kEnvSecret[] = "STREAM_WINDOW_BENCH_S3_SECRET";

struct Variant {
  const char* name;
  StreamEncoding encoding;
  bool s3;
};

const Variant kVariants[] = {
    {"json-file", {StreamFormat::kJson, StreamCompression::kNone}, false},
    {"ndjson-gzip-file", {StreamFormat::kNdjson, StreamCompression::kGzip}, false},
    {"json-s3", {StreamFormat::kJson, StreamCompression::kNone}, true},
    {"ndjson-gzip-s3", {StreamFormat::kNdjson, StreamCompression::kGzip}, true},
};

struct Options {
  int64_t rooms = 100000;
  int64_t peers = 4;
  int64_t runs = 3;
  std::vector<const Variant*> variants;  // empty: every variant the flags allow
  bool s3 = false;
  bool keep = false;
  std::string history;  // set: this process runs one variant on that history
  std::string dir;      // the variant process's directory for the file sink
};

const Variant* FindVariant(std::string_view name) {
  for (const Variant& v : kVariants) {
    if (name == v.name) return &v;
  }
  return nullptr;
}

bool ParseCount(const std::string& text, int64_t lo, int64_t hi, int64_t* out) {
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || v < lo || v > hi) return false;
  *out = v;
  return true;
}

Status ParseFlags(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    std::string value;
    bool has_value = false;
    if (const size_t eq = flag.find('='); eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag.resize(eq);
      has_value = true;
    }
    auto next = [&]() -> bool {
      if (has_value) return true;
      if (i + 1 >= argc) return false;
      value = argv[++i];
      return true;
    };
    if (flag == "--s3" && !has_value) {
      o->s3 = true;
    } else if (flag == "--keep" && !has_value) {
      o->keep = true;
    } else if (flag == "--rooms") {
      if (!next() || !ParseCount(value, 1, 100000000, &o->rooms)) {
        return Status::InvalidArgument("--rooms needs a count from 1 to 100000000");
      }
    } else if (flag == "--peers") {
      if (!next() || !ParseCount(value, 1, 1000, &o->peers)) {
        return Status::InvalidArgument("--peers needs a count from 1 to 1000");
      }
    } else if (flag == "--runs") {
      if (!next() || !ParseCount(value, 1, 99, &o->runs)) {
        return Status::InvalidArgument("--runs needs a count from 1 to 99");
      }
    } else if (flag == "--variant") {
      if (!next()) return Status::InvalidArgument("--variant needs a name");
      size_t start = 0;
      while (start <= value.size()) {
        size_t comma = value.find(',', start);
        if (comma == std::string::npos) comma = value.size();
        const std::string name = value.substr(start, comma - start);
        const Variant* v = FindVariant(name);
        if (v == nullptr) {
          return Status::InvalidArgument("unknown variant \"" + name +
                                         "\" (json-file, ndjson-gzip-file, json-s3, "
                                         "ndjson-gzip-s3)");
        }
        o->variants.push_back(v);
        start = comma + 1;
      }
    } else if (flag == "--history") {
      if (!next()) return Status::InvalidArgument("--history needs a path");
      o->history = value;
    } else if (flag == "--dir") {
      if (!next()) return Status::InvalidArgument("--dir needs a path");
      o->dir = value;
    } else {
      return Status::InvalidArgument("unknown flag " + std::string(argv[i]));
    }
  }
  if (!o->history.empty() && (o->variants.size() != 1 || o->dir.empty())) {
    return Status::InvalidArgument("--history runs exactly one --variant and needs --dir");
  }
  if (o->history.empty()) {
    if (o->variants.empty()) {
      for (const Variant& v : kVariants) {
        if (!v.s3 || o->s3) o->variants.push_back(&v);
      }
    }
    for (const Variant* v : o->variants) {
      if (v->s3 && !o->s3) {
        return Status::InvalidArgument(std::string("variant ") + v->name + " needs --s3");
      }
    }
  }
  return Status::OK();
}

// A field of /proc/self/status in kB ("VmRSS", "VmHWM"); -1 when missing.
int64_t ProcStatusKb(const char* field) {
  FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return -1;
  const size_t n = std::strlen(field);
  char line[256];
  int64_t kb = -1;
  while (std::fgets(line, sizeof(line), f) != nullptr) {
    if (std::strncmp(line, field, n) == 0 && line[n] == ':') {
      kb = std::strtoll(line + n + 1, nullptr, 10);
      break;
    }
  }
  std::fclose(f);
  return kb;
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// User + system CPU time of this process so far, in seconds.
double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// Deterministic synthetic data.
class Synth {
 public:
  explicit Synth(uint64_t seed) : rng_(seed) {}

  double Uniform(double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng_);
  }
  int64_t Int(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
  }
  template <size_t N>
  size_t Index(const char* const (&)[N]) {
    return static_cast<size_t>(Int(0, N - 1));
  }
  template <size_t N>
  const char* Pick(const char* const (&items)[N]) {
    return items[Index(items)];
  }
  std::string Hex(int n) {
    static const char kHex[] = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < n; ++i) out.push_back(kHex[rng_() & 0xF]);
    return out;
  }

 private:
  std::mt19937_64 rng_;
};

// Parallel lists: an OS and its version, a city with its country and network.
const char* const kOs[] = {"Windows", "Mac OS", "Linux", "Android", "iOS", "Chrome OS"};
const char* const kOsVersion[] = {"10", "14.6.1", "x86_64", "14", "17.5.1", "15633.69.0"};
const char* const kBrowser[] = {"Chrome", "Firefox", "Safari", "Edge", "Opera"};
const char* const kBrowserVersion[] = {"131.0.6778.86", "133.0", "18.1", "131.0.2903.70",
                                       "115.0.5322.77"};
const char* const kCity[] = {"Berlin", "Tel Aviv", "São Paulo", "Tokyo",
                             "Austin", "Lagos",    "Mumbai",    "Paris"};
const char* const kCountry[] = {"Germany",       "Israel",  "Brazil", "Japan",
                                "United States", "Nigeria", "India",  "France"};
const char* const kOrganization[] = {"Deutsche Telekom AG", "Bezeq",         "Telefonica Brasil",
                                     "NTT Docomo",          "Comcast Cable", "MTN Nigeria",
                                     "Reliance Jio",        "Orange"};
const char* const kCompany[] = {"acme", "globex", "initech", "umbrella", "hooli", "stark"};
const char* const kPlan[] = {"gold", "silver", "free", "trial"};
const char* const kAudioDevice[] = {
    "Default - MacBook Pro Microphone (Built-in)", "Microphone Array (Realtek(R) Audio)",
    "Headset Microphone (Jabra Evolve2 65)", "AirPods Pro", "iPhone Microphone"};
const char* const kVideoDevice[] = {"FaceTime HD Camera (3A71:F4B5)",
                                    "Integrated Webcam (0c45:6a10)", "Logitech BRIO (046d:085e)",
                                    "Front Camera", "OBS Virtual Camera"};
const char* const kTransport[] = {"udp", "udp", "udp", "tcp", "tls"};

DirectionSummary MakeDirection(Synth* r, bool video, bool send) {
  DirectionSummary d;
  d.bitrate = video ? r->Uniform(150, 2500) : r->Uniform(16, 64);
  d.packet_loss = r->Uniform(0, 8);
  d.jitter = r->Uniform(0, 60);
  if (send) d.rtt = r->Uniform(5, 400);
  d.mos = r->Uniform(1.5, 4.45);
  d.score = r->Uniform(1, 10);
  return d;
}

// A closed room ending in the window, every figure of every peer known.
RoomRecord MakeRoom(int64_t index, int64_t peer_count, Synth* r) {
  RoomRecord room;
  room.project = kProject;
  char id[48];
  std::snprintf(id, sizeof(id), "room-%07" PRId64 "-%s", index, r->Hex(6).c_str());
  room.room_id = id;
  const int64_t duration = r->Int(30 * 1000, 45 * 60 * 1000);
  room.end_ms = kWindowStart + r->Int(1000, kWindowMs - 1);
  room.start_ms = room.end_ms - duration;
  const char* company = r->Pick(kCompany);
  for (int64_t p = 0; p < peer_count; ++p) {
    PeerRecord peer;
    peer.peer_id = "user-" + r->Hex(8);
    const size_t os = r->Index(kOs);
    peer.os = kOs[os];
    peer.os_version = kOsVersion[os];
    const size_t browser = r->Index(kBrowser);
    peer.browser = kBrowser[browser];
    peer.browser_version = kBrowserVersion[browser];
    const size_t city = r->Index(kCity);
    peer.location.city = kCity[city];
    peer.location.country = kCountry[city];
    peer.location.organization = kOrganization[city];
    peer.sdk_version = "1.43.1";
    peer.start_ms = p == 0 ? room.start_ms : room.start_ms + r->Int(0, duration / 4);
    peer.end_ms = p == peer_count - 1 ? room.end_ms : room.end_ms - r->Int(0, duration / 4);
    peer.keys.push_back({"company", {company}});
    std::vector<std::string> plans = {r->Pick(kPlan)};
    if (r->Int(0, 3) == 0) plans.push_back("beta");
    peer.keys.push_back({"plan", plans});
    peer.keys.push_back({"tenant", {"tenant-" + std::to_string(r->Int(1, 5000))}});
    peer.features.connection_type = r->Int(0, 4) == 0 ? "TURN" : "direct";
    peer.features.media_transport = r->Pick(kTransport);
    MediaSummary& m = peer.stats;
    m.mos = r->Uniform(1.5, 4.45);
    m.score = r->Uniform(1, 10);
    m.call_setup_time = r->Uniform(40, 3000);
    m.audio.send = MakeDirection(r, false, true);
    m.audio.recv = MakeDirection(r, false, false);
    m.video.send = MakeDirection(r, true, true);
    m.video.recv = MakeDirection(r, true, false);
    peer.audio_device = r->Pick(kAudioDevice);
    peer.video_device = r->Pick(kVideoDevice);
    room.peers.push_back(std::move(peer));
  }
  return room;
}

const char* UserAgent(const std::string& browser) {
  if (browser == "Firefox") {
    return "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
  }
  if (browser == "Safari") {
    return "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6_1) AppleWebKit/605.1.15 (KHTML, like "
           "Gecko) Version/18.1 Safari/605.1.15";
  }
  return "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/131.0.0.0 Safari/537.36";
}

struct FillResult {
  double seconds = 0;         // open, every room, seal, close
  double struct_seconds = 0;  // of which: making the RoomRecords and RoomToJson
  double cpu_seconds = 0;     // CPU time (user + system) of the whole fill
  int64_t room_json_bytes = 0;
  int64_t rss_kb = 0;         // VmRSS once filled, the store still open
  int64_t history_bytes = 0;  // the database file once closed
};

// Fills a new history at `path` with o.rooms closed rooms in the window.
Status Fill(const Options& o, const std::string& path, FillResult* out) {
  const Clock::time_point start = Clock::now();
  const double cpu_start = CpuSeconds();
  std::unique_ptr<HistoryStore> store;
  Status s = OpenSqliteStore(path, &store);
  Synth r(20261125);
  Clock::duration structs{};
  int64_t next_report = o.rooms / 4;
  for (int64_t i = 0; i < o.rooms && s.ok(); ++i) {
    const Clock::time_point t0 = Clock::now();
    const RoomRecord room = MakeRoom(i, o.peers, &r);
    const std::string json = RoomToJson(room, std::string(kPublicUrl) + "/rooms/" + room.room_id);
    structs += Clock::now() - t0;
    out->room_json_bytes += static_cast<int64_t>(json.size());
    int64_t room_key = 0;
    s = store->CreateRoom(room.project, room.room_id, room.start_ms, &room_key);
    for (const PeerRecord& p : room.peers) {
      if (!s.ok()) break;
      StoredPeerInfo info;
      info.session_id = r.Hex(32);
      info.peer_id = p.peer_id;
      info.joined_ms = p.start_ms;
      info.remote_address = "198.51.100." + std::to_string(r.Int(1, 254));
      info.user_agent = UserAgent(*p.browser);
      int64_t peer_key = 0;
      s = store->AddPeer(room_key, info, &peer_key);
    }
    if (s.ok()) s = store->CloseRoom(room_key, room.end_ms, json, kWindowStart);
    if (i + 1 == next_report && i + 1 < o.rooms) {
      std::fprintf(stderr, "fill: %" PRId64 " of %" PRId64 " rooms, %.1f s\n", i + 1, o.rooms,
                   Seconds(Clock::now() - start));
      next_report += o.rooms / 4;
    }
  }
  if (s.ok()) s = store->SealWindow(kProject, kWindowStart, kWindowStart + kWindowMs);
  out->rss_kb = ProcStatusKb("VmRSS");
  store.reset();  // the last connection checkpoints the WAL into the database
  out->seconds = Seconds(Clock::now() - start);
  out->struct_seconds = Seconds(structs);
  out->cpu_seconds = CpuSeconds() - cpu_start;
  std::error_code ec;
  out->history_bytes = static_cast<int64_t>(std::filesystem::file_size(path, ec));
  return s;
}

std::string EnvOr(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : fallback;
}

// The variant process: one window read, encoded and put, reported as one JSON
// line on stdout.
int RunVariant(const Options& o) {
  const Variant& v = *o.variants[0];
  std::unique_ptr<HistoryStore> store;
  Status s = OpenSqliteStore(o.history, &store);
  std::unique_ptr<Sink> sink;
  if (s.ok() && v.s3) {
    S3Settings settings;  // the collector's defaults: multipart above 16 MiB, 8 MiB parts
    settings.bucket = kBucket;
    settings.endpoint = EnvOr(kEnvEndpoint, "");
    settings.region = EnvOr(kEnvRegion, "us-east-1");
    settings.access_key_id = EnvOr(kEnvKeyId, "");
    settings.secret_access_key = EnvOr(kEnvSecret, "");
    std::unique_ptr<S3Sink> s3;
    s = S3Sink::Create(settings, &s3);
    sink = std::move(s3);
  } else if (s.ok()) {
    std::unique_ptr<FileSink> file;
    s = FileSink::Create(o.dir + "/streams/" + kProject, &file);
    sink = std::move(file);
  }
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", v.name, s.ToString().c_str());
    return 1;
  }
  const int64_t baseline_kb = ProcStatusKb("VmRSS");

  // Exactly the steps of DeliverWindow: pages of 1000 rooms, read then encoded.
  const Clock::time_point t0 = Clock::now();
  Clock::duration read_time{}, encode_time{};
  StreamEncoder encoder(v.encoding);
  HistoryStore::WindowCursor cursor;
  std::vector<std::string> page;
  int64_t json_bytes = 0;
  while (s.ok() && !cursor.done) {
    const Clock::time_point r0 = Clock::now();
    s = store->RoomsInWindowPage(kProject, kWindowStart, 1000, &cursor, &page);
    const Clock::time_point r1 = Clock::now();
    for (size_t i = 0; s.ok() && i < page.size(); ++i) {
      json_bytes += static_cast<int64_t>(page[i].size());
      s = encoder.Add(page[i]);
    }
    read_time += r1 - r0;
    encode_time += Clock::now() - r1;
  }
  page = {};
  std::string body;
  if (s.ok()) s = encoder.Finish(&body);
  const Clock::time_point t2 = Clock::now();
  encode_time = (t2 - t0) - read_time;
  const Clock::time_point t1 = t0 + read_time;
  ObjectKeyVars vars;
  vars.prefix = kPrefix;
  vars.project = kProject;
  vars.window_start = kWindowStart;
  vars.window_end = kWindowStart + kWindowMs;
  vars.ext = StreamExtension(v.encoding);
  const std::string key = RenderObjectKey(kDefaultKeyTemplate, vars);
  PutResult result;
  if (s.ok()) s = sink->Put(key, body, StreamContentType(v.encoding), &result);
  const Clock::time_point t3 = Clock::now();
  const int64_t peak_kb = ProcStatusKb("VmHWM");
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", v.name, s.ToString().c_str());
    return 1;
  }

  const double cpu = CpuSeconds();
  std::string etag = result.etag;
  std::erase(etag, '"');
  std::printf("{\"variant\":\"%s\",\"rooms\":%zu,\"room_json_bytes\":%" PRId64
              ",\"body_bytes\":%zu,"
              "\"read_s\":%.4f,\"encode_s\":%.4f,\"put_s\":%.4f,\"wall_s\":%.4f,\"cpu_s\":%.3f,"
              "\"baseline_rss_kb\":%" PRId64 ",\"peak_rss_kb\":%" PRId64 ",\"etag\":\"%s\"}\n",
              v.name, encoder.rooms(), json_bytes, body.size(), Seconds(t1 - t0), Seconds(t2 - t1),
              Seconds(t3 - t2), Seconds(t3 - t0), cpu, baseline_kb, peak_kb, etag.c_str());
  return 0;
}

// One run of a variant as the variant process reported it.
struct RunResult {
  int64_t rooms = 0;
  int64_t room_json_bytes = 0;
  int64_t body_bytes = 0;
  double read_s = 0;
  double encode_s = 0;
  double put_s = 0;
  double wall_s = 0;
  double cpu_s = 0;
  int64_t baseline_rss_kb = 0;
  int64_t peak_rss_kb = 0;
  std::string etag;
  // S3 only, from the test server's request log and /proc:
  int64_t upload_parts = 0;  // UploadPart requests answered 200 (0: one PutObject)
  double server_cpu_s = 0;   // CPU time of the S3 test server (node) during the run
};

std::string SelfPath() {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("/proc/self/exe") : p.string();
}

// Runs `args` (args[0] is a path) with stdin from /dev/null and stdout into
// *out; stderr is shared. Returns the exit code, or -1 when it did not run.
int Spawn(const std::vector<std::string>& args, std::string* out) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return -1;
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  pid_t pid = 0;
  const int err = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (err != 0) {
    close(fds[0]);
    return -1;
  }
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof(buf))) != 0) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    out->append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Status RunOnce(const Variant& v, const std::string& history, const std::string& dir, RunResult* r) {
  std::string out;
  const int rc = Spawn({SelfPath(), "--variant", v.name, "--history", history, "--dir", dir}, &out);
  if (rc != 0) {
    return Status::Internal(std::string(v.name) + ": the variant process failed (exit " +
                            std::to_string(rc) + ")");
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(out).get(doc) != simdjson::SUCCESS) {
    return Status::Internal(std::string(v.name) + ": unreadable report: " + out);
  }
  auto i64 = [&](const char* key) {
    int64_t x = 0;
    return doc[key].get(x) == simdjson::SUCCESS ? x : int64_t{0};
  };
  auto f64 = [&](const char* key) {
    double x = 0;
    return doc[key].get(x) == simdjson::SUCCESS ? x : 0.0;
  };
  r->rooms = i64("rooms");
  r->room_json_bytes = i64("room_json_bytes");
  r->body_bytes = i64("body_bytes");
  r->read_s = f64("read_s");
  r->encode_s = f64("encode_s");
  r->put_s = f64("put_s");
  r->wall_s = f64("wall_s");
  r->cpu_s = f64("cpu_s");
  r->baseline_rss_kb = i64("baseline_rss_kb");
  r->peak_rss_kb = i64("peak_rss_kb");
  std::string_view etag;
  if (doc["etag"].get(etag) == simdjson::SUCCESS) r->etag = std::string(etag);
  return Status::OK();
}

template <typename T>
double Median(const std::vector<RunResult>& runs, T RunResult::*field) {
  std::vector<double> v;
  for (const RunResult& r : runs) v.push_back(static_cast<double>(r.*field));
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// A running `node tests/s3/server.js`, stopped (stdin closed) on destruction.
class S3Server {
 public:
  S3Server() = default;
  S3Server(const S3Server&) = delete;
  S3Server& operator=(const S3Server&) = delete;

  ~S3Server() {
    if (stdin_ >= 0) close(stdin_);  // --exit-with-stdin: the server stops
    if (pid_ > 0) {
      int status = 0;
      for (int i = 0; i < 100 && waitpid(pid_, &status, WNOHANG) == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      if (waitpid(pid_, &status, WNOHANG) == 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
      }
    }
    if (stdout_ >= 0) close(stdout_);
  }

  // Starts the server and waits for its ready line.
  Status Start() {
    const std::string script = std::string(RTCSTREAM_SOURCE_DIR) + "/tests/s3/server.js";
    if (!std::filesystem::exists(std::string(RTCSTREAM_SOURCE_DIR) +
                                 "/tests/s3/node_modules/s3rver")) {
      return Status::Unavailable("tests/s3/node_modules is missing (npm ci in tests/s3)");
    }
    int in[2];
    int out[2];
    if (pipe2(in, O_CLOEXEC) != 0) return Status::IOError("pipe failed");
    if (pipe2(out, O_CLOEXEC) != 0) {
      close(in[0]);
      close(in[1]);
      return Status::IOError("pipe failed");
    }
    std::vector<std::string> args = {"node", script, "--bucket", kBucket, "--exit-with-stdin"};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    const int err = posix_spawnp(&pid_, "node", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(in[0]);
    close(out[1]);
    stdin_ = in[1];
    stdout_ = out[0];
    if (err != 0) {
      pid_ = 0;
      return Status::Unavailable(std::string("cannot start node: ") + std::strerror(err));
    }
    std::string line;
    const Clock::time_point deadline = Clock::now() + std::chrono::seconds(60);
    while (line.empty() || line.back() != '\n') {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      pollfd p{stdout_, POLLIN, 0};
      if (left <= 0 || poll(&p, 1, static_cast<int>(left)) <= 0) {
        return Status::Unavailable("no ready line from the S3 test server within 60 s");
      }
      char c;
      if (read(stdout_, &c, 1) != 1) {
        return Status::Unavailable("the S3 test server exited before it was ready");
      }
      line.push_back(c);
    }
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    std::string_view endpoint, control, region, key_id, secret;
    if (parser.parse(line).get(doc) != simdjson::SUCCESS ||
        doc["endpoint"].get(endpoint) != simdjson::SUCCESS ||
        doc["control"].get(control) != simdjson::SUCCESS ||
        doc["region"].get(region) != simdjson::SUCCESS ||
        doc["accessKeyId"].get(key_id) != simdjson::SUCCESS ||
        doc["secretAccessKey"].get(secret) != simdjson::SUCCESS) {
      return Status::Unavailable("unexpected ready line from the S3 test server");
    }
    control_ = std::string(control);
    setenv(kEnvEndpoint, std::string(endpoint).c_str(), 1);
    setenv(kEnvRegion, std::string(region).c_str(), 1);
    setenv(kEnvKeyId, std::string(key_id).c_str(), 1);
    setenv(kEnvSecret, std::string(secret).c_str(), 1);
    return Status::OK();
  }

  // The server's CPU time so far (user + system), in seconds; -1 if unknown.
  double CpuSeconds() const {
    FILE* f = std::fopen(("/proc/" + std::to_string(pid_) + "/stat").c_str(), "r");
    if (f == nullptr) return -1;
    char buf[1024];
    const size_t n = std::fread(buf, 1, sizeof(buf) - 1, f);
    std::fclose(f);
    buf[n] = '\0';
    // Fields after the command name (which may hold spaces): state is field 3,
    // utime and stime are fields 14 and 15.
    const char* p = std::strrchr(buf, ')');
    unsigned long long utime = 0;
    unsigned long long stime = 0;
    if (p == nullptr || std::sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
                                    &utime, &stime) != 2) {
      return -1;
    }
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }

  // Counts the UploadPart requests answered 200 and the completed multipart
  // uploads in the server's request log, then clears the log.
  Status TakeLog(int64_t* upload_parts, int64_t* completed) {
    std::string response;
    if (Http("GET", control_ + "/log", &response) != 200) {
      return Status::Unavailable("cannot read the S3 test server's log");
    }
    simdjson::dom::parser parser;
    simdjson::dom::array entries;
    if (parser.parse(response).get(entries) != simdjson::SUCCESS) {
      return Status::Unavailable("unreadable S3 test server log");
    }
    *upload_parts = 0;
    *completed = 0;
    for (simdjson::dom::element e : entries) {
      std::string_view op;
      int64_t status = 0;
      if (e["operation"].get(op) != simdjson::SUCCESS ||
          e["status"].get(status) != simdjson::SUCCESS || status != 200) {
        continue;
      }
      if (op == "UploadPart") ++*upload_parts;
      if (op == "CompleteMultipartUpload") ++*completed;
    }
    if (Http("DELETE", control_ + "/log", &response) != 204) {
      return Status::Unavailable("cannot clear the S3 test server's log");
    }
    return Status::OK();
  }

 private:
  // One request to the control API; the HTTP status, 0 when there was no answer.
  static long Http(const char* method, const std::string& url, std::string* response) {
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return 0;
    response->clear();
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(
        curl, CURLOPT_WRITEFUNCTION, +[](char* data, size_t size, size_t n, void* user) {
          static_cast<std::string*>(user)->append(data, size * n);
          return size * n;
        });
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, response);
    long status = 0;
    if (curl_easy_perform(curl) == CURLE_OK) {
      curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    }
    curl_easy_cleanup(curl);
    return status;
  }

  pid_t pid_ = 0;
  int stdin_ = -1;
  int stdout_ = -1;
  std::string control_;
};

double Mib(double bytes) { return bytes / (1024.0 * 1024.0); }

int RunAll(const Options& o) {
  std::string dir;
  {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "stream-window-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      std::fprintf(stderr, "cannot create a temporary directory: %s\n", std::strerror(errno));
      return 1;
    }
    dir = pattern;
  }
  const std::string history = dir + "/history.db";
  std::unique_ptr<S3Server> s3;
  int rc = 0;
  Status s;
  if (o.s3) {
    s3 = std::make_unique<S3Server>();
    s = s3->Start();
  }

  FillResult fill;
  if (s.ok()) {
    std::fprintf(stderr, "fill: %" PRId64 " rooms of %" PRId64 " peers into %s\n", o.rooms, o.peers,
                 history.c_str());
    s = Fill(o, history, &fill);
  }
  std::vector<std::vector<RunResult>> results(o.variants.size());
  for (size_t i = 0; i < o.variants.size() && s.ok(); ++i) {
    for (int64_t run = 0; run < o.runs && s.ok(); ++run) {
      const Variant& v = *o.variants[i];
      RunResult r;
      const double server_cpu = v.s3 ? s3->CpuSeconds() : 0;
      s = RunOnce(v, history, dir, &r);
      if (s.ok() && v.s3) {
        r.server_cpu_s = s3->CpuSeconds() - server_cpu;
        int64_t completed = 0;
        s = s3->TakeLog(&r.upload_parts, &completed);
        const bool multipart = r.body_bytes > (16 << 20);
        if (s.ok() && multipart != (completed == 1)) {
          s = Status::Internal(std::string(v.name) + ": expected " +
                               (multipart ? "one multipart upload" : "one PutObject") + ", saw " +
                               std::to_string(completed) + " completed multipart uploads");
        }
      }
      if (s.ok()) {
        std::fprintf(stderr, "%s run %" PRId64 ": %.2f s, peak RSS %.0f MiB\n", o.variants[i]->name,
                     run + 1, r.wall_s, r.peak_rss_kb / 1024.0);
        results[i].push_back(r);
      }
    }
  }
  if (!s.ok()) {
    std::fprintf(stderr, "stream_window_bench: %s\n", s.ToString().c_str());
    rc = 1;
  } else {
    const double fill_rate = static_cast<double>(o.rooms) / fill.seconds;
    std::printf("%" PRId64 " rooms of %" PRId64 " peers in one window; median of %" PRId64
                " runs, each in a process of its own\n",
                o.rooms, o.peers, o.runs);
    std::printf(
        "fill: %.1f s, %.0f rooms/s (%.1f s of it making the structs, %.1f s in the store; "
        "CPU %.1f s); %.0f bytes of struct JSON per room; history %.1f MiB; RSS after the fill "
        "%.1f MiB\n\n",
        fill.seconds, fill_rate, fill.struct_seconds, fill.seconds - fill.struct_seconds,
        fill.cpu_seconds, static_cast<double>(fill.room_json_bytes) / static_cast<double>(o.rooms),
        Mib(static_cast<double>(fill.history_bytes)), fill.rss_kb / 1024.0);
    std::printf("%-17s %11s %8s %8s %8s %8s %8s %11s %10s %9s\n", "variant", "body", "wall", "read",
                "encode", "put", "CPU", "peak RSS", "before", "KiB/room");
    for (size_t i = 0; i < o.variants.size(); ++i) {
      const std::vector<RunResult>& runs = results[i];
      const double peak = Median(runs, &RunResult::peak_rss_kb);
      const double base = Median(runs, &RunResult::baseline_rss_kb);
      std::printf(
          "%-17s %7.1f MiB %6.2f s %6.2f s %6.2f s %6.2f s %6.2f s %7.0f MiB %6.1f MiB %9.1f\n",
          o.variants[i]->name, Mib(static_cast<double>(runs[0].body_bytes)),
          Median(runs, &RunResult::wall_s), Median(runs, &RunResult::read_s),
          Median(runs, &RunResult::encode_s), Median(runs, &RunResult::put_s),
          Median(runs, &RunResult::cpu_s), peak / 1024.0, base / 1024.0,
          (peak - base) / static_cast<double>(o.rooms));
    }
    std::printf(
        "(CPU: of the variant process, all of it; KiB/room: (peak RSS - before) / rooms)\n");
    for (size_t i = 0; i < o.variants.size(); ++i) {
      if (!o.variants[i]->s3) continue;
      const std::vector<RunResult>& runs = results[i];
      const std::string how =
          runs[0].upload_parts > 0
              ? "multipart upload of " + std::to_string(runs[0].upload_parts) + " parts"
              : std::string("one PutObject");
      std::printf("%s: %s; the S3 test server (node) used %.2f s of CPU during the run\n",
                  o.variants[i]->name, how.c_str(), Median(runs, &RunResult::server_cpu_s));
    }
    std::printf("\n");
    std::printf(
        "{\"bench\":\"stream_window\",\"step\":\"fill\",\"rooms\":%" PRId64 ",\"peers\":%" PRId64
        ",\"seconds\":%.3f,\"rooms_per_s\":%.1f,\"struct_seconds\":%.3f,\"cpu_seconds\":%.3f,"
        "\"room_json_bytes\":%" PRId64 ",\"history_bytes\":%" PRId64 ",\"rss_kb\":%" PRId64 "}\n",
        o.rooms, o.peers, fill.seconds, fill_rate, fill.struct_seconds, fill.cpu_seconds,
        fill.room_json_bytes, fill.history_bytes, fill.rss_kb);
    for (size_t i = 0; i < o.variants.size(); ++i) {
      const std::vector<RunResult>& runs = results[i];
      std::string walls;
      for (const RunResult& r : runs) {
        char buf[32];
        std::snprintf(buf, sizeof(buf), "%s%.4f", walls.empty() ? "" : ",", r.wall_s);
        walls += buf;
      }
      std::printf(
          "{\"bench\":\"stream_window\",\"variant\":\"%s\",\"rooms\":%" PRId64 ",\"peers\":%" PRId64
          ",\"runs\":%zu,\"body_bytes\":%" PRId64 ",\"room_json_bytes\":%" PRId64
          ",\"wall_s\":%.4f,\"read_s\":%.4f,\"encode_s\":%.4f,\"put_s\":%.4f,\"cpu_s\":%.3f,"
          "\"peak_rss_kb\":%.0f,\"baseline_rss_kb\":%.0f,\"sink\":\"%s\",\"upload_parts\":%" PRId64
          ",\"server_cpu_s\":%.3f,\"etag\":\"%s\",\"wall_s_runs\":[%s]}\n",
          o.variants[i]->name, runs[0].rooms, o.peers, runs.size(), runs[0].body_bytes,
          runs[0].room_json_bytes, Median(runs, &RunResult::wall_s),
          Median(runs, &RunResult::read_s), Median(runs, &RunResult::encode_s),
          Median(runs, &RunResult::put_s), Median(runs, &RunResult::cpu_s),
          Median(runs, &RunResult::peak_rss_kb), Median(runs, &RunResult::baseline_rss_kb),
          o.variants[i]->s3 ? "s3" : "file", runs[0].upload_parts,
          Median(runs, &RunResult::server_cpu_s), runs[0].etag.c_str(), walls.c_str());
    }
  }
  s3.reset();
  if (o.keep) {
    std::fprintf(stderr, "kept %s\n", dir.c_str());
  } else {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  return rc;
}

}  // namespace
}  // namespace rtcstream

int main(int argc, char** argv) {
  rtcstream::Options options;
  rtcstream::Status s = rtcstream::ParseFlags(argc, argv, &options);
  if (!s.ok()) {
    std::fprintf(stderr, "stream_window_bench: %s\n", s.message().c_str());
    return 2;
  }
  if (!options.history.empty()) return rtcstream::RunVariant(options);
  return rtcstream::RunAll(options);
}
