// The service configuration: built-in defaults, overridden by a TOML file,
// overridden by command-line flags. See README.md ("Configuration").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace rtcstream {

// Where and how often a project's data stream files are written.
struct StreamConfig {
  std::string sink = "file";      // "file" (default) or "s3"
  int64_t interval_ms = 3600000;  // window length; windows are aligned to the epoch
  std::string prefix;             // prepended to each file name (a "filename prefix")
};

// One tenant: its API keys and settings.
struct ProjectConfig {
  std::string id;  // [A-Za-z0-9_-]{1,64}
  std::vector<std::string> api_keys;
  int64_t collection_interval_ms = 8000;  // the SDK's getStats period
  StreamConfig stream;
};

// Limits that protect the service from oversized or abusive input.
struct LimitsConfig {
  size_t max_frame_bytes = 1 << 20;          // one WebSocket frame as received
  size_t max_decompressed_bytes = 16 << 20;  // one frame after LZString decoding
  size_t max_http_body_bytes = 1 << 20;      // POST /trace and /error
};

struct ServiceConfig {
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 8080;
  std::string data_dir = "rtcstream-data";
  std::string public_url;  // empty: http://<listen>
  int64_t room_close_grace_ms = 60000;
  // Shared by the default project when no project is configured.
  std::vector<ProjectConfig> projects;
  LimitsConfig limits;
  int threads = 0;  // 0: one per core
};

// Reads a TOML config file into `config` (fields absent from the file keep their values).
Status LoadConfigFile(const std::string& path, ServiceConfig* config);

// Parses "HOST:PORT" (or "[v6]:PORT").
Status ParseListenAddress(const std::string& text, std::string* host, uint16_t* port);

// Checks project ids, duplicate ids and keys, intervals; returns the first problem.
Status ValidateConfig(const ServiceConfig& config);

// The project with this id, or nullptr.
ProjectConfig* FindProject(ServiceConfig* config, const std::string& id);

// The public URL rooms are linked from: public_url or http://host:port.
std::string EffectivePublicUrl(const ServiceConfig& config);

}  // namespace rtcstream
