#include "loadgen/load_options.h"

#include <boost/asio/ip/address.hpp>

#include <cstdlib>
#include <map>

#include "sdk_recording.h"

namespace rtcstream {

namespace {

Status ParseNumber(const std::string& flag, const std::string& text, double min, double max,
                   double* out) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(v >= min && v <= max)) {
    return Status::InvalidArgument("--" + flag + " must be a number in [" + std::to_string(min) +
                                   ", " + std::to_string(max) + "], got \"" + text + "\"");
  }
  *out = v;
  return Status::OK();
}

}  // namespace

const char* LoadUsage() {
  return "usage: rtcstream_loadgen --port PORT [flags]\n"
         "\n"
         "Simulated watchRTC SDK peers: each opens a WebSocket, waits for the reply, then\n"
         "sends the frames of one recorded SDK connection (its own room and peer ids).\n"
         "\n"
         "  --host HOST           loopback address of the collector (default 127.0.0.1)\n"
         "  --port PORT           its port (required)\n"
         "  --api-key KEY         the apiKey query parameter (default bench-key)\n"
         "  --recording FILE      JSONL recording (default: the two-peer-call fixture)\n"
         "  --peers N             concurrent simulated peers (default 1000)\n"
         "  --duration SECONDS    sending stops after this, then every socket closes (default 60)\n"
         "  --mode replay|loop    replay: the recorded timing / --speedup, the getstats deltas\n"
         "                        repeated after the call; loop: every frame as fast as possible\n"
         "  --speedup X           timing compression of replay mode (default 1)\n"
         "  --room-size N         peers per room (default: the recording's connections)\n"
         "  --connect-rate N      new peers per second (default 500)\n"
         "  --threads N           I/O threads, 1 or 2 (default 1)\n"
         "  --window N            loop mode: frames per peer not yet acknowledged by the\n"
         "                        server (a ping after every N/2 frames; default 64)\n"
         "  --warmup S            sustained rates start S seconds after sending may start\n"
         "                        and every peer connected (default 5)\n"
         "  --drain-timeout S     limit for the closing handshakes (default 30)\n"
         "  --progress S          a progress line on stderr every S seconds (default 5, 0: none)\n"
         "\n"
         "Prints one JSON object on stdout at the end.\n";
}

Status ParseLoadOptions(const std::vector<std::string>& args, LoadOptions* out) {
  std::map<std::string, std::string> flags;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") return Status::InvalidArgument(LoadUsage());
    if (a.rfind("--", 0) != 0) return Status::InvalidArgument("unexpected argument \"" + a + "\"");
    const size_t eq = a.find('=');
    if (eq != std::string::npos) {
      flags[a.substr(2, eq - 2)] = a.substr(eq + 1);
    } else if (i + 1 < args.size()) {
      flags[a.substr(2)] = args[++i];
    } else {
      return Status::InvalidArgument(a + " needs a value");
    }
  }
  double v = 0;
  Status s;
  for (const auto& [flag, value] : flags) {
    if (flag == "host") {
      boost::system::error_code ec;
      const std::string host = value == "localhost" ? "127.0.0.1" : value;
      const auto address = boost::asio::ip::make_address(host, ec);
      // Load goes to this machine only.
      if (ec || !address.is_loopback()) {
        return Status::InvalidArgument("--host must be a loopback address, got \"" + value + "\"");
      }
      out->host = host;
    } else if (flag == "port") {
      s = ParseNumber(flag, value, 1, 65535, &v);
      out->port = static_cast<uint16_t>(v);
    } else if (flag == "api-key") {
      out->api_key = value;
    } else if (flag == "recording") {
      out->recording = value;
    } else if (flag == "peers") {
      s = ParseNumber(flag, value, 1, 20000, &v);
      out->peers = static_cast<int>(v);
    } else if (flag == "duration") {
      s = ParseNumber(flag, value, 1, 3600, &out->duration_s);
    } else if (flag == "mode") {
      if (value != "replay" && value != "loop") {
        return Status::InvalidArgument("--mode must be replay or loop");
      }
      out->mode = value == "loop" ? PaceMode::kLoop : PaceMode::kReplay;
    } else if (flag == "speedup") {
      s = ParseNumber(flag, value, 0.01, 1000, &out->speedup);
    } else if (flag == "room-size") {
      s = ParseNumber(flag, value, 1, 100, &v);
      out->room_size = static_cast<int>(v);
    } else if (flag == "connect-rate") {
      s = ParseNumber(flag, value, 1, 100000, &out->connect_rate);
    } else if (flag == "threads") {
      s = ParseNumber(flag, value, 1, 2, &v);
      out->threads = static_cast<int>(v);
    } else if (flag == "window") {
      s = ParseNumber(flag, value, 2, 1024, &v);
      out->window = static_cast<int>(v);
    } else if (flag == "warmup") {
      s = ParseNumber(flag, value, 0, 3600, &out->warmup_s);
    } else if (flag == "drain-timeout") {
      s = ParseNumber(flag, value, 1, 600, &out->drain_timeout_s);
    } else if (flag == "progress") {
      s = ParseNumber(flag, value, 0, 3600, &out->progress_s);
    } else {
      return Status::InvalidArgument("unknown flag --" + flag);
    }
    if (!s.ok()) return s;
  }
  if (out->port == 0) return Status::InvalidArgument("--port is required");
  if (out->warmup_s >= out->duration_s) {
    return Status::InvalidArgument("--warmup must be shorter than --duration");
  }
  if (out->recording.empty()) out->recording = RecordingPath("two-peer-call");
  return Status::OK();
}

}  // namespace rtcstream
