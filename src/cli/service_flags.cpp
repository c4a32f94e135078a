#include "cli/service_flags.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include <openssl/rand.h>

#include "common/log.h"

namespace rtcstream {

namespace {

constexpr const char* kDefaultProject = "default";

// The default project's key and token live in the data directory so that they
// survive restarts; the file is readable by its owner only.
Status LoadOrCreateSecret(const std::string& data_dir, const std::string& file, size_t length,
                          std::string* key) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return Status::IOError("cannot create " + data_dir + ": " + ec.message());
  const std::string path = data_dir + "/" + file;
  std::ifstream in(path);
  if (in && std::getline(in, *key) && !key->empty()) return Status::OK();
  std::vector<unsigned char> bytes(length);
  RAND_bytes(bytes.data(), static_cast<int>(bytes.size()));
  static const char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  key->clear();
  for (unsigned char b : bytes) key->push_back(kAlphabet[b % 36]);
  std::ofstream out(path, std::ios::trunc);
  out << *key << "\n";
  out.close();
  chmod(path.c_str(), 0600);
  if (!out) return Status::IOError("cannot write " + path);
  return Status::OK();
}

}  // namespace

Status BuildServiceConfig(std::map<std::string, std::string> flags, ServiceConfig* config,
                          bool* generated_key) {
  Status s;
  if (flags.count("log-level")) {
    LogLevel level;
    if (!ParseLogLevel(flags["log-level"], &level)) {
      return Status::InvalidArgument("--log-level must be debug, info, warn or error");
    }
    SetLogLevel(level);
  }
  if (flags.count("config")) {
    s = LoadConfigFile(flags["config"], config);
    if (!s.ok()) return s;
  }
  if (flags.count("listen")) {
    s = ParseListenAddress(flags["listen"], &config->listen_host, &config->listen_port);
    if (!s.ok()) return s;
  }
  if (flags.count("data-dir")) config->data_dir = flags["data-dir"];
  if (flags.count("tls-cert")) config->tls.cert_file = flags["tls-cert"];
  if (flags.count("tls-key")) config->tls.key_file = flags["tls-key"];
  if (flags.count("public-url")) config->public_url = flags["public-url"];
  if (flags.count("room-close-grace")) {
    s = ParseDuration(flags["room-close-grace"], &config->room_close_grace_ms);
    if (!s.ok()) return Status::InvalidArgument("--room-close-grace: " + s.message());
  }
  if (flags.count("api-key")) {
    ProjectConfig* p = FindProject(config, kDefaultProject);
    if (p == nullptr && !config->projects.empty()) {
      return Status::InvalidArgument(
          "--api-key sets the key of project \"default\", which the config does not declare");
    }
    if (p == nullptr) {
      config->projects.push_back(ProjectConfig{});
      p = &config->projects.back();
      p->id = kDefaultProject;
    }
    p->api_keys = {flags["api-key"]};
  }
  if (flags.count("access-token")) {
    ProjectConfig* p = FindProject(config, kDefaultProject);
    if (p == nullptr) {
      return Status::InvalidArgument(
          "--access-token sets the token of project \"default\", which is not configured");
    }
    p->access_tokens = {SecretSetting{"flag", flags["access-token"]}};
  }
  if (config->projects.empty()) {
    ProjectConfig p;
    p.id = kDefaultProject;
    std::string key;
    s = LoadOrCreateSecret(config->data_dir, "default-api-key", 18, &key);
    if (!s.ok()) return s;
    p.api_keys.push_back(key);
    config->projects.push_back(std::move(p));
    *generated_key = true;
  }
  // The default project always has an HTTP API token, kept beside its key.
  if (ProjectConfig* p = FindProject(config, kDefaultProject); p && p->access_tokens.empty()) {
    SecretSetting token{"file:" + config->data_dir + "/default-access-token", ""};
    s = LoadOrCreateSecret(config->data_dir, "default-access-token", 32, &token.value);
    if (!s.ok()) return s;
    p->access_tokens.push_back(std::move(token));
  }
  for (const char* name : {"collection-interval", "stream-interval"}) {
    if (!flags.count(name)) continue;
    int64_t ms;
    s = ParseDuration(flags[name], &ms);
    if (!s.ok()) return Status::InvalidArgument(std::string("--") + name + ": " + s.message());
    for (ProjectConfig& p : config->projects) {
      (std::string(name) == "collection-interval" ? p.collection_interval_ms
                                                  : p.stream.interval_ms) = ms;
    }
  }
  return ValidateConfig(*config);
}

}  // namespace rtcstream
