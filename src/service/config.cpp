#include "service/config.h"

#include <fcntl.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <set>

#include "common/time_util.h"

namespace rtcstream {

namespace {

// A duration given as a string ("30s") or, when `integer_unit_ms` is set, as a
// bare integer in that unit (stream intervals are given in minutes).
Status ReadDuration(const toml::node* node, std::string_view name, int64_t integer_unit_ms,
                    int64_t* out) {
  if (node == nullptr) return Status::OK();
  if (auto s = node->value<std::string>()) {
    Status st = ParseDuration(*s, out);
    if (!st.ok()) return Status::InvalidArgument(std::string(name) + ": " + st.message());
    return Status::OK();
  }
  if (auto i = node->value_exact<int64_t>(); i && integer_unit_ms > 0) {
    if (*i > std::numeric_limits<int64_t>::max() / integer_unit_ms ||
        *i < std::numeric_limits<int64_t>::min() / integer_unit_ms) {
      return Status::InvalidArgument(std::string(name) + " is out of range");
    }
    *out = *i * integer_unit_ms;
    return Status::OK();
  }
  return Status::InvalidArgument(std::string(name) + " must be a duration such as \"30s\"");
}

Status ReadString(const toml::node* node, std::string_view name, std::string* out) {
  if (node == nullptr) return Status::OK();
  if (auto s = node->value<std::string>()) {
    *out = *s;
    return Status::OK();
  }
  return Status::InvalidArgument(std::string(name) + " must be a string");
}

// One string or a list of strings (file paths).
Status ReadStringList(const toml::node* node, std::string_view name,
                      std::vector<std::string>* out) {
  if (node == nullptr) return Status::OK();
  const std::string error = std::string(name) + " must be a non-empty string or a list of them";
  out->clear();
  if (auto s = node->value<std::string>()) {
    if (s->empty()) return Status::InvalidArgument(error);
    out->push_back(*s);
    return Status::OK();
  }
  const toml::array* arr = node->as_array();
  if (arr == nullptr) return Status::InvalidArgument(error);
  for (const toml::node& item : *arr) {
    auto s = item.value<std::string>();
    if (!s || s->empty()) return Status::InvalidArgument(error);
    out->push_back(*s);
  }
  return Status::OK();
}

Status ReadGeoIp(const toml::table& table, GeoIpConfig* geoip) {
  Status s = ReadStringList(table.get("city_db"), "geoip.city_db", &geoip->city_db);
  if (!s.ok()) return s;
  s = ReadStringList(table.get("asn_db"), "geoip.asn_db", &geoip->asn_db);
  if (!s.ok()) return s;
  if (const toml::node* n = table.get("trusted_proxies")) {
    const toml::array* arr = n->as_array();
    if (arr == nullptr) {
      return Status::InvalidArgument(
          "geoip.trusted_proxies must be a list of CIDRs such as [\"10.0.0.0/8\"]");
    }
    geoip->trusted_proxies.clear();
    for (const toml::node& item : *arr) {
      auto text = item.value<std::string>();
      if (!text) return Status::InvalidArgument("geoip.trusted_proxies must be a list of strings");
      IpNetwork network;
      if (s = ParseIpNetwork(*text, &network); !s.ok()) {
        return Status::InvalidArgument("geoip.trusted_proxies: " + s.message());
      }
      geoip->trusted_proxies.push_back(network);
    }
  }
  return Status::OK();
}

// Reads the secret file `path` into *value. The error says why it cannot be
// read ("No such file or directory", "Is a directory", too large), never what
// it holds.
Status ReadSecretFile(const std::string& path, std::string* value) {
  constexpr size_t kMaxSecretBytes = 64 << 10;  // also stops /dev/zero and the like
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(std::strerror(errno));
  char buffer[4096];
  ssize_t n = 0;
  while (value->size() <= kMaxSecretBytes) {
    n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    value->append(buffer, static_cast<size_t>(n));
  }
  const int error = errno;
  close(fd);
  if (n < 0) return Status::IOError(std::strerror(error));
  if (value->size() > kMaxSecretBytes) return Status::IOError("larger than 64 KiB");
  return Status::OK();
}

bool ValidProjectId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  }
  return true;
}

}  // namespace

Status ResolveSecret(const std::string& text, std::string_view what, SecretSetting* secret) {
  if (text.rfind("env:", 0) == 0) {
    const std::string name = text.substr(4);
    const char* value = std::getenv(name.c_str());
    if (value == nullptr || *value == '\0') {
      return Status::InvalidArgument(std::string(what) + ": environment variable " + name +
                                     " is not set");
    }
    secret->source = text;
    secret->value = value;
    return Status::OK();
  }
  if (text.rfind("file:", 0) == 0) {
    const std::string path = text.substr(5);
    std::string value;
    if (Status s = ReadSecretFile(path, &value); !s.ok()) {
      return Status::InvalidArgument(std::string(what) + ": cannot read " + path + " (" +
                                     s.message() + ")");
    }
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
    if (value.empty())
      return Status::InvalidArgument(std::string(what) + ": " + path + " is empty");
    secret->source = text;
    secret->value = std::move(value);
    return Status::OK();
  }
  secret->source = "inline";
  secret->value = text;
  return Status::OK();
}

Status ParseListenAddress(const std::string& text, std::string* host, uint16_t* port) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) {
    return Status::InvalidArgument("listen address \"" + text + "\" must be HOST:PORT");
  }
  std::string h = text.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  int p = 0;
  for (size_t i = colon + 1; i < text.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i])) || p > 65535) {
      return Status::InvalidArgument("listen address \"" + text + "\" has an invalid port");
    }
    p = p * 10 + (text[i] - '0');
  }
  if (p > 65535) return Status::InvalidArgument("listen port out of range in \"" + text + "\"");
  *host = h.empty() ? "0.0.0.0" : h;
  *port = static_cast<uint16_t>(p);
  return Status::OK();
}

Status LoadConfigFile(const std::string& path, ServiceConfig* config) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return Status::InvalidArgument("config " + path + ":" + std::to_string(where.line) + ":" +
                                   std::to_string(where.column) + ": " +
                                   std::string(e.description()));
  }
  Status s;
  if (const toml::node* n = root.get("listen")) {
    std::string listen;
    if (s = ReadString(n, "listen", &listen); !s.ok()) return s;
    if (s = ParseListenAddress(listen, &config->listen_host, &config->listen_port); !s.ok()) {
      return s;
    }
  }
  if (s = ReadString(root.get("data_dir"), "data_dir", &config->data_dir); !s.ok()) return s;
  if (s = ReadString(root.get("public_url"), "public_url", &config->public_url); !s.ok()) return s;
  if (s = ReadDuration(root.get("room_close_grace"), "room_close_grace", 1000,
                       &config->room_close_grace_ms);
      !s.ok()) {
    return s;
  }
  if (const toml::node* n = root.get("threads")) {
    auto v = n->value_exact<int64_t>();
    if (!v || *v < 0 || *v > 256) return Status::InvalidArgument("threads must be 0..256");
    config->threads = static_cast<int>(*v);
  }
  if (const toml::table* limits = root["limits"].as_table()) {
    auto read_size = [&](const char* name, size_t* out) -> Status {
      if (const toml::node* n = limits->get(name)) {
        auto v = n->value_exact<int64_t>();
        if (!v || *v <= 0)
          return Status::InvalidArgument(std::string("limits.") + name +
                                         " must be a positive integer");
        *out = static_cast<size_t>(*v);
      }
      return Status::OK();
    };
    if (s = read_size("max_frame_bytes", &config->limits.max_frame_bytes); !s.ok()) return s;
    if (s = read_size("max_decompressed_bytes", &config->limits.max_decompressed_bytes); !s.ok()) {
      return s;
    }
    if (s = read_size("max_http_body_bytes", &config->limits.max_http_body_bytes); !s.ok()) {
      return s;
    }
    LimitsConfig& l = config->limits;
    for (auto [name, out] : std::initializer_list<std::pair<const char*, size_t*>>{
             {"max_connections", &l.max_connections},
             {"max_connections_per_address", &l.max_connections_per_address},
             {"max_frames_per_second", &l.max_frames_per_second},
             {"max_frame_burst", &l.max_frame_burst},
             {"max_peers_per_room", &l.max_peers_per_room},
             {"max_id_length", &l.max_id_length},
             {"max_keys", &l.max_keys},
             {"max_key_value_length", &l.max_key_value_length}}) {
      if (s = read_size(name, out); !s.ok()) return s;
    }
    for (auto [name, out] : std::initializer_list<std::pair<const char*, int64_t*>>{
             {"handshake_timeout", &l.handshake_timeout_ms},
             {"idle_timeout", &l.idle_timeout_ms}}) {
      if (s = ReadDuration(limits->get(name), std::string("limits.") + name, 1000, out); !s.ok()) {
        return s;
      }
    }
  }
  if (const toml::node* n = root.get("tls")) {
    const toml::table* tls = n->as_table();
    if (tls == nullptr) return Status::InvalidArgument("tls must be a table ([tls])");
    for (auto [name, out] : std::initializer_list<std::pair<const char*, std::string*>>{
             {"cert_file", &config->tls.cert_file},
             {"key_file", &config->tls.key_file},
             {"min_version", &config->tls.min_version}}) {
      if (s = ReadString(tls->get(name), std::string("tls.") + name, out); !s.ok()) return s;
    }
  }
  if (const toml::node* n = root.get("geoip")) {
    const toml::table* geoip = n->as_table();
    if (geoip == nullptr) return Status::InvalidArgument("geoip must be a [geoip] table");
    if (s = ReadGeoIp(*geoip, &config->geoip); !s.ok()) return s;
  }
  if (const toml::node* n = root.get("project")) {
    const toml::array* projects = n->as_array();
    if (projects == nullptr) return Status::InvalidArgument("project must be [[project]] tables");
    for (const toml::node& pn : *projects) {
      const toml::table* pt = pn.as_table();
      if (pt == nullptr) return Status::InvalidArgument("project must be [[project]] tables");
      ProjectConfig project;
      if (s = ReadString(pt->get("id"), "project.id", &project.id); !s.ok()) return s;
      const std::string where = "project \"" + project.id + "\": ";
      if (const toml::node* keys = pt->get("api_keys")) {
        const toml::array* arr = keys->as_array();
        if (arr == nullptr) return Status::InvalidArgument(where + "api_keys must be a list");
        for (const toml::node& k : *arr) {
          auto key = k.value<std::string>();
          if (!key || key->empty()) {
            return Status::InvalidArgument(where + "api_keys must be non-empty strings");
          }
          project.api_keys.push_back(*key);
        }
      }
      if (const toml::node* tokens = pt->get("access_tokens")) {
        const toml::array* arr = tokens->as_array();
        if (arr == nullptr) return Status::InvalidArgument(where + "access_tokens must be a list");
        for (const toml::node& t : *arr) {
          auto text = t.value<std::string>();
          if (!text || text->empty()) {
            return Status::InvalidArgument(where + "access_tokens must be non-empty strings");
          }
          SecretSetting token;
          if (s = ResolveSecret(*text, "access_tokens", &token); !s.ok()) {
            return Status::InvalidArgument(where + s.message());
          }
          project.access_tokens.push_back(std::move(token));
        }
      }
      if (s = ReadDuration(pt->get("collection_interval"), "collection_interval", 1,
                           &project.collection_interval_ms);
          !s.ok()) {
        return Status::InvalidArgument(where + s.message());
      }
      if (const toml::table* st = (*pt)["stream"].as_table()) {
        if (s = ReadString(st->get("sink"), "sink", &project.stream.sink); !s.ok()) {
          return Status::InvalidArgument(where + s.message());
        }
        if (s = ReadDuration(st->get("interval"), "stream.interval", 60000,
                             &project.stream.interval_ms);
            !s.ok()) {
          return Status::InvalidArgument(where + s.message());
        }
        StreamConfig& stream = project.stream;
        std::string format = "json", compression = "none", secret, token;
        for (auto [name, out] : std::initializer_list<std::pair<const char*, std::string*>>{
                 {"prefix", &stream.prefix},
                 {"key_template", &stream.key_template},
                 {"format", &format},
                 {"compression", &compression},
                 {"bucket", &stream.bucket},
                 {"region", &stream.region},
                 {"endpoint", &stream.endpoint},
                 {"access_key_id", &stream.access_key_id},
                 {"secret_access_key", &secret},
                 {"session_token", &token}}) {
          if (s = ReadString(st->get(name), std::string("stream.") + name, out); !s.ok()) {
            return Status::InvalidArgument(where + s.message());
          }
        }
        if (s = ParseStreamFormat(format, &stream.encoding.format); !s.ok()) {
          return Status::InvalidArgument(where + "stream." + s.message());
        }
        if (s = ParseStreamCompression(compression, &stream.encoding.compression); !s.ok()) {
          return Status::InvalidArgument(where + "stream." + s.message());
        }
        if (!secret.empty()) {
          if (s = ResolveSecret(secret, "stream.secret_access_key", &stream.secret_access_key);
              !s.ok()) {
            return Status::InvalidArgument(where + s.message());
          }
        }
        if (!token.empty()) {
          if (s = ResolveSecret(token, "stream.session_token", &stream.session_token); !s.ok()) {
            return Status::InvalidArgument(where + s.message());
          }
        }
      }
      config->projects.push_back(std::move(project));
    }
  }
  return Status::OK();
}

Status ValidateConfig(const ServiceConfig& config) {
  if (config.projects.empty()) return Status::InvalidArgument("no project is configured");
  std::set<std::string> ids, keys;
  for (const ProjectConfig& p : config.projects) {
    if (!ValidProjectId(p.id)) {
      return Status::InvalidArgument("project id \"" + p.id +
                                     "\" must be 1-64 characters of A-Z a-z 0-9 _ -");
    }
    if (!ids.insert(p.id).second) {
      return Status::InvalidArgument("project id \"" + p.id + "\" is declared twice");
    }
    if (p.api_keys.empty()) {
      return Status::InvalidArgument("project \"" + p.id + "\" has no api_keys");
    }
    for (const std::string& k : p.api_keys) {
      // Never echo a key: say which project holds the duplicate instead.
      if (!keys.insert(k).second) {
        return Status::InvalidArgument("project \"" + p.id +
                                       "\" reuses an API key of another project");
      }
    }
    for (const SecretSetting& t : p.access_tokens) {
      if (t.value.size() < 16) {
        return Status::InvalidArgument("project \"" + p.id +
                                       "\": access tokens must be at least 16 characters");
      }
      // API keys are published in web pages, so a token must never equal one.
      if (!keys.insert("token:" + t.value).second || keys.count(t.value) > 0) {
        return Status::InvalidArgument("project \"" + p.id +
                                       "\": an access token is reused or equals an API key");
      }
    }
    if (p.collection_interval_ms < 100 || p.collection_interval_ms > 600000) {
      return Status::InvalidArgument("project \"" + p.id +
                                     "\": collection_interval must be between 100ms and 10m");
    }
    if (p.stream.interval_ms < 1000) {
      return Status::InvalidArgument("project \"" + p.id +
                                     "\": stream interval must be at least 1s");
    }
    const std::string where = "project \"" + p.id + "\": ";
    Status s = ValidateKeyTemplate(p.stream.key_template);
    if (!s.ok()) return Status::InvalidArgument(where + s.message());
    if (!p.stream.prefix.empty() && p.stream.prefix.front() == '/') {
      return Status::InvalidArgument(where + "stream.prefix must not start with '/'");
    }
    if (p.stream.sink == "s3") {
      if (p.stream.bucket.empty())
        return Status::InvalidArgument(where + "stream.bucket is required");
      if (p.stream.access_key_id.empty() || p.stream.secret_access_key.value.empty()) {
        return Status::InvalidArgument(
            where + "stream.access_key_id and stream.secret_access_key are required for sink s3");
      }
    } else if (p.stream.sink != "file") {
      return Status::InvalidArgument(where + "stream sink \"" + p.stream.sink +
                                     "\" is not supported (use \"file\" or \"s3\")");
    }
  }
  if (config.room_close_grace_ms < 0) {
    return Status::InvalidArgument("room_close_grace must not be negative");
  }
  if (config.tls.enabled() && (config.tls.cert_file.empty() || config.tls.key_file.empty())) {
    return Status::InvalidArgument(
        "TLS needs both a certificate (tls.cert_file, --tls-cert) and "
        "its private key (tls.key_file, --tls-key)");
  }
  if (config.tls.min_version != "1.2" && config.tls.min_version != "1.3") {
    return Status::InvalidArgument("tls.min_version must be \"1.2\" or \"1.3\"");
  }
  return Status::OK();
}

ProjectConfig* FindProject(ServiceConfig* config, const std::string& id) {
  for (ProjectConfig& p : config->projects) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

std::string EffectivePublicUrl(const ServiceConfig& config) {
  std::string url = config.public_url;
  if (url.empty()) {
    url = (config.tls.enabled() ? "https://" : "http://") + config.listen_host + ":" +
          std::to_string(config.listen_port);
  }
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace rtcstream
