#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include <openssl/rand.h>

#include "cli/commands.h"
#include "cli/flags.h"
#include "common/log.h"
#include "common/time_util.h"
#include "server/server.h"
#include "service/collector.h"
#include "service/config.h"

namespace rtcstream {

namespace {

constexpr const char* kDefaultProject = "default";

// The default project's key lives in the data directory so that it survives restarts.
Status LoadOrCreateDefaultKey(const std::string& data_dir, std::string* key) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return Status::IOError("cannot create " + data_dir + ": " + ec.message());
  const std::string path = data_dir + "/default-api-key";
  std::ifstream in(path);
  if (in && std::getline(in, *key) && !key->empty()) return Status::OK();
  unsigned char bytes[18];
  RAND_bytes(bytes, sizeof(bytes));
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

Status BuildConfig(const std::vector<std::string>& args, ServiceConfig* config,
                   bool* generated_key) {
  std::map<std::string, std::string> flags;
  Status s = ParseFlags(args,
                        {"config", "listen", "data-dir", "api-key", "collection-interval",
                         "stream-interval", "room-close-grace", "public-url", "log-level"},
                        &flags);
  if (!s.ok()) return s;
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
  if (config->projects.empty()) {
    ProjectConfig p;
    p.id = kDefaultProject;
    std::string key;
    s = LoadOrCreateDefaultKey(config->data_dir, &key);
    if (!s.ok()) return s;
    p.api_keys.push_back(key);
    config->projects.push_back(std::move(p));
    *generated_key = true;
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

}  // namespace

int RunServe(const std::vector<std::string>& args) {
  ServiceConfig config;
  bool generated_key = false;
  Status s = BuildConfig(args, &config, &generated_key);
  if (!s.ok()) {
    std::fprintf(stderr, "rtcstream serve: %s\n", s.ToString().c_str());
    return 2;
  }

  // Block the stop signals in every thread; the main thread waits for them below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::unique_ptr<Collector> collector;
  s = Collector::Open(config, &collector);
  if (!s.ok()) {
    LogError("cannot start", {{"error", s.ToString()}});
    return 1;
  }
  ServerOptions options;
  options.host = config.listen_host;
  options.port = config.listen_port;
  options.threads =
      config.threads > 0 ? config.threads : static_cast<int>(std::thread::hardware_concurrency());
  options.max_frame_bytes = config.limits.max_frame_bytes;
  options.max_http_body_bytes = config.limits.max_http_body_bytes;
  Server server(collector.get(), options);
  s = server.Start();
  if (!s.ok()) {
    LogError("cannot start", {{"error", s.ToString()}});
    return 1;
  }
  const std::string url = "ws://" + config.listen_host + ":" + std::to_string(server.port());
  LogInfo("rtcstream listening", {{"proxy_url", url},
                                  {"data_dir", config.data_dir},
                                  {"projects", std::to_string(config.projects.size())},
                                  {"version", RTCSTREAM_VERSION}});
  if (generated_key) {
    // Shown once on the console so the app developer can paste it into the SDK config;
    // it is stored in the data directory and never written to the log.
    std::printf(
        "rtcstream is ready.\n  proxyUrl:  %s\n  rtcApiKey: %s   (project \"default\", stored in "
        "%s/default-api-key)\n",
        url.c_str(), config.projects[0].api_keys[0].c_str(), config.data_dir.c_str());
    std::fflush(stdout);
  }

  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::thread ticker([&] {
    std::unique_lock<std::mutex> lock(mu);
    while (!stopping) {
      lock.unlock();
      collector->Tick(NowMs());
      lock.lock();
      cv.wait_for(lock, std::chrono::milliseconds(500), [&] { return stopping; });
    }
  });

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  LogInfo("stopping", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
  server.Stop();
  {
    std::lock_guard<std::mutex> lock(mu);
    stopping = true;
  }
  cv.notify_all();
  ticker.join();
  collector->Flush();
  LogInfo("stopped");
  return 0;
}

}  // namespace rtcstream
