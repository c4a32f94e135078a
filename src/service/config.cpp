#include "service/config.h"

#include <fcntl.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

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

// A list of non-empty strings (API keys, access tokens).
Status ReadNonEmptyStrings(const toml::node* node, const std::string& name,
                           std::vector<std::string>* out) {
  if (node == nullptr) return Status::OK();
  const toml::array* arr = node->as_array();
  if (arr == nullptr) return Status::InvalidArgument(name + " must be a list");
  for (const toml::node& item : *arr) {
    auto text = item.value<std::string>();
    if (!text || text->empty()) return Status::InvalidArgument(name + " must be non-empty strings");
    out->push_back(*text);
  }
  return Status::OK();
}

// The number of one-character insertions, deletions and substitutions that turn
// `a` into `b` (Levenshtein), to suggest the key a misspelt one was meant to be.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// A table of the config file as the loader reads it. It remembers every key the
// loader asks for, so that a key it never asks for (a misspelling such as
// "api_key" for "api_keys") is an error that names the key, its table and its
// line, instead of a setting that is silently ignored.
class TableReader {
 public:
  // `where` names the table in messages: "at the top level", "in [tls]", ...
  TableReader(const toml::table& table, const std::string& path, std::string where)
      : table_(table), path_(path), where_(std::move(where)) {}

  // The value of `key`, or nullptr when the table has none. Makes `key` known.
  const toml::node* Get(std::string_view key) {
    known_.emplace(key);
    return table_.get(key);
  }

  // The config file's path, for messages.
  const std::string& path() const { return path_; }

  // Renames the table in messages (a project is named by its id once that is read).
  void set_where(std::string where) { where_ = std::move(where); }

  // InvalidArgument for the first key, in the file's order, that Get was never
  // asked for: "config FILE:LINE:COLUMN: unknown key "K" in [T]; did you mean ...".
  Status CheckForUnknownKeys() const;

 private:
  const toml::table& table_;
  const std::string& path_;
  std::string where_;
  std::set<std::string, std::less<>> known_;
};

Status TableReader::CheckForUnknownKeys() const {
  const toml::key* unknown = nullptr;
  for (const auto& [key, value] : table_) {
    if (known_.count(key.str()) == 0 &&
        (unknown == nullptr || key.source().begin < unknown->source().begin)) {
      unknown = &key;
    }
  }
  if (unknown == nullptr) return Status::OK();
  const toml::source_position& at = unknown->source().begin;
  const std::string message = "config " + path_ + ":" + std::to_string(at.line) + ":" +
                              std::to_string(at.column) + ": unknown key \"" +
                              std::string(unknown->str()) + "\" " + where_;
  // The closest known key, if it is close enough to be the one that was meant.
  const std::string* closest = nullptr;
  size_t closest_distance = 3;
  for (const std::string& known : known_) {
    const size_t distance = EditDistance(unknown->str(), known);
    if (distance < closest_distance) {
      closest = &known;
      closest_distance = distance;
    }
  }
  if (closest == nullptr) return Status::InvalidArgument(message);
  return Status::InvalidArgument(message + "; did you mean \"" + *closest + "\"?");
}

// Reads the table `key` of `parent` with read(TableReader&), when there is one,
// then rejects the keys `read` did not ask for. `header` is the table's header
// ("[tls]"), `where` names it in messages.
template <typename Read>
Status ReadTable(TableReader& parent, std::string_view key, const std::string& header,
                 std::string where, Read read) {
  const toml::node* node = parent.Get(key);
  if (node == nullptr) return Status::OK();
  const toml::table* table = node->as_table();
  if (table == nullptr) {
    return Status::InvalidArgument(std::string(key) + " must be a table (" + header + ")");
  }
  TableReader reader(*table, parent.path(), std::move(where));
  Status s = read(reader);
  return s.ok() ? reader.CheckForUnknownKeys() : s;
}

Status ReadLimits(TableReader& table, LimitsConfig* l) {
  for (auto [name, out] : std::initializer_list<std::pair<const char*, size_t*>>{
           {"max_frame_bytes", &l->max_frame_bytes},
           {"max_decompressed_bytes", &l->max_decompressed_bytes},
           {"max_http_body_bytes", &l->max_http_body_bytes},
           {"max_connections", &l->max_connections},
           {"max_connections_per_address", &l->max_connections_per_address},
           {"max_frames_per_second", &l->max_frames_per_second},
           {"max_frame_burst", &l->max_frame_burst},
           {"max_peers_per_room", &l->max_peers_per_room},
           {"max_id_length", &l->max_id_length},
           {"max_keys", &l->max_keys},
           {"max_key_value_length", &l->max_key_value_length}}) {
    if (const toml::node* n = table.Get(name)) {
      auto v = n->value_exact<int64_t>();
      if (!v || *v <= 0) {
        return Status::InvalidArgument(std::string("limits.") + name +
                                       " must be a positive integer");
      }
      *out = static_cast<size_t>(*v);
    }
  }
  for (auto [name, out] : std::initializer_list<std::pair<const char*, int64_t*>>{
           {"handshake_timeout", &l->handshake_timeout_ms},
           {"idle_timeout", &l->idle_timeout_ms}}) {
    Status s = ReadDuration(table.Get(name), std::string("limits.") + name, 1000, out);
    if (!s.ok()) return s;
  }
  return Status::OK();
}

Status ReadTls(TableReader& table, TlsConfig* tls) {
  for (auto [name, out] : std::initializer_list<std::pair<const char*, std::string*>>{
           {"cert_file", &tls->cert_file},
           {"key_file", &tls->key_file},
           {"min_version", &tls->min_version}}) {
    Status s = ReadString(table.Get(name), std::string("tls.") + name, out);
    if (!s.ok()) return s;
  }
  return Status::OK();
}

Status ReadGeoIp(TableReader& table, GeoIpConfig* geoip) {
  Status s = ReadStringList(table.Get("city_db"), "geoip.city_db", &geoip->city_db);
  if (!s.ok()) return s;
  s = ReadStringList(table.Get("asn_db"), "geoip.asn_db", &geoip->asn_db);
  if (!s.ok()) return s;
  if (const toml::node* n = table.Get("trusted_proxies")) {
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

// [project.stream]; errors do not name the project (the caller does).
Status ReadStream(TableReader& table, StreamConfig* stream) {
  Status s = ReadString(table.Get("sink"), "stream.sink", &stream->sink);
  if (!s.ok()) return s;
  s = ReadDuration(table.Get("interval"), "stream.interval", 60000, &stream->interval_ms);
  if (!s.ok()) return s;
  std::string format = "json", compression = "none", secret, token;
  for (auto [name, out] : std::initializer_list<std::pair<const char*, std::string*>>{
           {"prefix", &stream->prefix},
           {"key_template", &stream->key_template},
           {"format", &format},
           {"compression", &compression},
           {"bucket", &stream->bucket},
           {"region", &stream->region},
           {"endpoint", &stream->endpoint},
           {"access_key_id", &stream->access_key_id},
           {"secret_access_key", &secret},
           {"session_token", &token}}) {
    if (s = ReadString(table.Get(name), std::string("stream.") + name, out); !s.ok()) return s;
  }
  if (s = ParseStreamFormat(format, &stream->encoding.format); !s.ok()) {
    return Status::InvalidArgument("stream." + s.message());
  }
  if (s = ParseStreamCompression(compression, &stream->encoding.compression); !s.ok()) {
    return Status::InvalidArgument("stream." + s.message());
  }
  if (!secret.empty()) {
    s = ResolveSecret(secret, "stream.secret_access_key", &stream->secret_access_key);
    if (!s.ok()) return s;
  }
  if (!token.empty()) {
    s = ResolveSecret(token, "stream.session_token", &stream->session_token);
    if (!s.ok()) return s;
  }
  return Status::OK();
}

// One [[project]] table, the `index`th (from 0).
Status ReadProject(TableReader& table, size_t index, ProjectConfig* project) {
  table.set_where("in [[project]] number " + std::to_string(index + 1));
  Status s = ReadString(table.Get("id"), "project.id", &project->id);
  if (!s.ok()) return s;
  if (!project->id.empty()) table.set_where("in [[project]] \"" + project->id + "\"");
  const std::string where = "project \"" + project->id + "\": ";
  if (s = ReadNonEmptyStrings(table.Get("api_keys"), "api_keys", &project->api_keys); !s.ok()) {
    return Status::InvalidArgument(where + s.message());
  }
  std::vector<std::string> tokens;
  if (s = ReadNonEmptyStrings(table.Get("access_tokens"), "access_tokens", &tokens); !s.ok()) {
    return Status::InvalidArgument(where + s.message());
  }
  for (const std::string& text : tokens) {
    SecretSetting token;
    if (s = ResolveSecret(text, "access_tokens", &token); !s.ok()) {
      return Status::InvalidArgument(where + s.message());
    }
    project->access_tokens.push_back(std::move(token));
  }
  if (s = ReadDuration(table.Get("collection_interval"), "collection_interval", 1,
                       &project->collection_interval_ms);
      !s.ok()) {
    return Status::InvalidArgument(where + s.message());
  }
  return ReadTable(table, "stream", "[project.stream]",
                   "in [project.stream] of project \"" + project->id + "\"",
                   [&](TableReader& stream) {
                     Status st = ReadStream(stream, &project->stream);
                     return st.ok() ? st : Status::InvalidArgument(where + st.message());
                   });
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
  TableReader top(root, path, "at the top level");
  Status s;
  if (const toml::node* n = top.Get("listen")) {
    std::string listen;
    if (s = ReadString(n, "listen", &listen); !s.ok()) return s;
    if (s = ParseListenAddress(listen, &config->listen_host, &config->listen_port); !s.ok()) {
      return s;
    }
  }
  if (s = ReadString(top.Get("data_dir"), "data_dir", &config->data_dir); !s.ok()) return s;
  if (s = ReadString(top.Get("public_url"), "public_url", &config->public_url); !s.ok()) return s;
  if (s = ReadDuration(top.Get("room_close_grace"), "room_close_grace", 1000,
                       &config->room_close_grace_ms);
      !s.ok()) {
    return s;
  }
  if (const toml::node* n = top.Get("threads")) {
    auto v = n->value_exact<int64_t>();
    if (!v || *v < 0 || *v > 256) return Status::InvalidArgument("threads must be 0..256");
    config->threads = static_cast<int>(*v);
  }
  s = ReadTable(top, "limits", "[limits]", "in [limits]",
                [&](TableReader& t) { return ReadLimits(t, &config->limits); });
  if (!s.ok()) return s;
  s = ReadTable(top, "tls", "[tls]", "in [tls]",
                [&](TableReader& t) { return ReadTls(t, &config->tls); });
  if (!s.ok()) return s;
  s = ReadTable(top, "geoip", "[geoip]", "in [geoip]",
                [&](TableReader& t) { return ReadGeoIp(t, &config->geoip); });
  if (!s.ok()) return s;
  if (const toml::node* n = top.Get("project")) {
    const toml::array* projects = n->as_array();
    if (projects == nullptr) return Status::InvalidArgument("project must be [[project]] tables");
    for (size_t i = 0; i < projects->size(); ++i) {
      const toml::table* table = projects->get(i)->as_table();
      if (table == nullptr) return Status::InvalidArgument("project must be [[project]] tables");
      TableReader reader(*table, path, "");
      ProjectConfig project;
      if (s = ReadProject(reader, i, &project); !s.ok()) return s;
      if (s = reader.CheckForUnknownKeys(); !s.ok()) return s;
      config->projects.push_back(std::move(project));
    }
  }
  return top.CheckForUnknownKeys();
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
