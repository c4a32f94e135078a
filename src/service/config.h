// The service configuration: built-in defaults, overridden by a TOML file,
// overridden by command-line flags. See README.md ("Configuration").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "geo/ip_network.h"
#include "streams/object_key.h"
#include "streams/stream_encoding.h"

namespace rtcstream {

// A secret given in the config: inline, or as "env:NAME" or "file:PATH".
struct SecretSetting {
  std::string source;  // "inline", "env:NAME" or "file:PATH" — safe to print
  std::string value;   // the secret itself — never print or log it
};

// Where and how often a project's data stream files are written.
struct StreamConfig {
  std::string sink = "file";      // "file" (default) or "s3"
  int64_t interval_ms = 3600000;  // window length; windows are aligned to the epoch
  std::string prefix;             // the seed's "filename prefix": every key starts with it
  StreamEncoding encoding;        // format = "json" | "ndjson", compression = "none" | "gzip"
  std::string key_template = std::string(kDefaultKeyTemplate);
  // S3 settings (sink = "s3").
  std::string bucket;
  std::string region = "us-east-1";
  std::string endpoint;  // S3-compatible store; path-style addressing when set
  std::string access_key_id;
  SecretSetting secret_access_key;
  SecretSetting session_token;
};

// One tenant: its API keys and settings.
struct ProjectConfig {
  std::string id;                     // [A-Za-z0-9_-]{1,64}
  std::vector<std::string> api_keys;  // the SDK's rtcApiKey: not secret (it is in web pages)
  // Bearer tokens of the HTTP API (rooms): secret; inline, env:NAME or file:PATH.
  std::vector<SecretSetting> access_tokens;
  int64_t collection_interval_ms = 8000;  // the SDK's getStats period
  StreamConfig stream;
};

// Limits that protect the service from oversized or abusive input.
// Every limit is logged with its reason and counted in metrics when hit, and
// affects only the offending connection or peer.
struct LimitsConfig {
  size_t max_frame_bytes = 1 << 20;          // one WebSocket frame as received
  size_t max_decompressed_bytes = 16 << 20;  // one frame after LZString decoding
  size_t max_http_body_bytes = 1 << 20;      // POST /trace and /error
  size_t max_connections = 20000;            // open connections, all clients
  size_t max_connections_per_address = 256;  // open connections from one address
  size_t max_frames_per_second = 20;         // sustained, per SDK socket
  size_t max_frame_burst = 200;              // frames allowed at once (buffered batches)
  int64_t handshake_timeout_ms = 15000;      // TCP accept to a complete HTTP request
  int64_t idle_timeout_ms = 120000;          // an SDK socket with no frame and no pong
  size_t max_peers_per_room = 500;           // peers in one room session
  size_t max_id_length = 256;                // room and peer ids, bytes
  size_t max_keys = 64;                      // distinct key names per peer
  size_t max_key_value_length = 1024;        // one key name or value, bytes
};

// Direct TLS (wss:// and https://) on the listening port. Off unless a certificate
// is configured; the files are read at start and again on SIGHUP.
struct TlsConfig {
  std::string cert_file;            // PEM: the server certificate, then its intermediates
  std::string key_file;             // PEM: the certificate's private key (not encrypted)
  std::string min_version = "1.2";  // the oldest protocol accepted: "1.2" or "1.3"

  // True when a certificate is configured.
  bool enabled() const { return !cert_file.empty() || !key_file.empty(); }
};

// Where peers connect from (docs/geoip.md). Without databases the location
// fields of the data stream are null.
struct GeoIpConfig {
  // City databases (MaxMind GeoIP2/GeoLite2 City, or ip-location-db's city
  // files), tried in order; the TOML value is one path or a list.
  std::vector<std::string> city_db;
  // ASN databases (MaxMind GeoLite2/GeoIP2 ASN), tried in order.
  std::vector<std::string> asn_db;
  // Reverse proxies whose X-Forwarded-For or Forwarded header names the client.
  std::vector<IpNetwork> trusted_proxies;
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
  TlsConfig tls;
  GeoIpConfig geoip;
  int threads = 0;  // 0: one per core
};

// Resolves "env:NAME", "file:PATH" or an inline value. Errors name the variable or
// file, never the value.
Status ResolveSecret(const std::string& text, std::string_view what, SecretSetting* secret);

// Reads a TOML config file into `config` (fields absent from the file keep their values).
Status LoadConfigFile(const std::string& path, ServiceConfig* config);

// Parses "HOST:PORT" (or "[v6]:PORT").
Status ParseListenAddress(const std::string& text, std::string* host, uint16_t* port);

// Checks project ids, duplicate ids and keys, intervals and the TLS settings (not
// the TLS files, which the server reads); returns the first problem.
Status ValidateConfig(const ServiceConfig& config);

// The project with this id, or nullptr.
ProjectConfig* FindProject(ServiceConfig* config, const std::string& id);

// The public URL rooms are linked from: public_url, or http://host:port
// (https:// with TLS).
std::string EffectivePublicUrl(const ServiceConfig& config);

}  // namespace rtcstream
