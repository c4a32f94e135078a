#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/service_flags.h"
#include "common/log.h"
#include "common/time_util.h"
#include "server/server.h"
#include "service/collector.h"
#include "service/config.h"

namespace rtcstream {

namespace {
// How often accepted tuples are committed to the history: the most a crash can lose.
constexpr int kJournalIntervalMs = 50;
// The watchRTC SDK reconnects a dropped socket after a random 1-4 s backoff.
constexpr int64_t kSdkMaxReconnectBackoffMs = 4000;

// Logs the public facts of a certificate, and warns when it has expired: browsers
// refuse it, so SDKs cannot connect.
void LogCertificate(std::string_view message, const CertificateSummary& cert) {
  LogInfo(message, {{"subject", cert.subject},
                    {"issuer", cert.issuer},
                    {"serial", cert.serial},
                    {"not_after", cert.not_after}});
  if (cert.not_after_unix * 1000 < NowMs()) {
    LogWarn("the TLS certificate has expired; browsers will refuse to connect",
            {{"subject", cert.subject}, {"not_after", cert.not_after}});
  }
}

// SIGHUP: new connections get the certificate and key now in the files; a file
// that cannot be used leaves the current certificate in place.
void ReloadCertificate(Server* server) {
  if (!server->tls()) {
    LogInfo("SIGHUP ignored: TLS is not configured");
    return;
  }
  CertificateSummary cert;
  Status s = server->ReloadTls(&cert);
  if (!s.ok()) {
    LogError("TLS reload failed; still serving the previous certificate",
             {{"reason", s.ToString()}, {"serial", server->certificate().serial}});
    return;
  }
  LogCertificate("reloaded TLS certificate", cert);
}
}  // namespace

int RunServe(const std::vector<std::string>& args) {
  ServiceConfig config;
  bool generated_key = false;
  std::map<std::string, std::string> flags;
  Status s = ParseFlags(
      args,
      {"config", "listen", "data-dir", "api-key", "access-token", "collection-interval",
       "stream-interval", "room-close-grace", "public-url", "log-level", "tls-cert", "tls-key"},
      &flags);
  if (s.ok()) s = BuildServiceConfig(flags, &config, &generated_key);
  if (!s.ok()) {
    std::fprintf(stderr, "rtcstream serve: %s\n", s.ToString().c_str());
    return 2;
  }

  // Block the stop signals and SIGHUP (reload the TLS certificate) in every thread;
  // the main thread waits for them below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
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
  options.max_connections = config.limits.max_connections;
  options.max_connections_per_address = config.limits.max_connections_per_address;
  options.max_frames_per_second = config.limits.max_frames_per_second;
  options.max_frame_burst = config.limits.max_frame_burst;
  options.handshake_timeout_ms = config.limits.handshake_timeout_ms;
  options.idle_timeout_ms = config.limits.idle_timeout_ms;
  options.tls = config.tls;
  options.trusted_proxies = config.geoip.trusted_proxies;
  Server server(collector.get(), options);
  s = server.Start();
  if (!s.ok()) {
    LogError("cannot start", {{"error", s.ToString()}});
    return 1;
  }
  if (server.tls()) LogCertificate("serving TLS certificate", server.certificate());
  const std::string url = std::string(server.tls() ? "wss://" : "ws://") + config.listen_host +
                          ":" + std::to_string(server.port());
  LogInfo("rtcstream listening", {{"proxy_url", url},
                                  {"data_dir", config.data_dir},
                                  {"projects", std::to_string(config.projects.size())},
                                  {"version", RTCSTREAM_VERSION}});
  // The SDK retries a dropped socket after a 1-4 s backoff; a shorter grace closes the
  // room before its peers are back, and they continue in a new room session.
  if (config.room_close_grace_ms < kSdkMaxReconnectBackoffMs + 1000) {
    LogWarn(
        "room_close_grace is shorter than the SDK's reconnect backoff; a peer that "
        "reconnects after a drop or a restart may start a new room session",
        {{"room_close_grace_ms", std::to_string(config.room_close_grace_ms)}});
  }
  if (generated_key) {
    // Shown once on the console so the app developer can paste it into the SDK config;
    // it is stored in the data directory and never written to the log.
    std::printf(
        "rtcstream is ready.\n  proxyUrl:  %s\n  rtcApiKey: %s   (project \"default\", stored in "
        "%s/default-api-key)\n  HTTP API token: in %s/default-access-token\n",
        url.c_str(), config.projects[0].api_keys[0].c_str(), config.data_dir.c_str(),
        config.data_dir.c_str());
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

  // The journal: accepted tuples reach the history within kJournalIntervalMs, in one
  // commit per interval however many peers are sending.
  std::thread journal([&] {
    std::unique_lock<std::mutex> lock(mu);
    while (!stopping) {
      lock.unlock();
      collector->PersistTraces();
      lock.lock();
      cv.wait_for(lock, std::chrono::milliseconds(kJournalIntervalMs), [&] { return stopping; });
    }
  });

  // Deliveries talk to remote object stores and may wait on retries: they get their
  // own thread so that rooms keep closing while an upload is slow.
  std::thread deliverer([&] {
    std::unique_lock<std::mutex> lock(mu);
    while (!stopping) {
      lock.unlock();
      collector->Deliver(NowMs());
      lock.lock();
      cv.wait_for(lock, std::chrono::seconds(1), [&] { return stopping; });
    }
  });

  int signal_number = 0;
  while (sigwait(&signals, &signal_number) == 0 && signal_number == SIGHUP) {
    ReloadCertificate(&server);
  }
  LogInfo("stopping", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
  server.Stop();
  {
    std::lock_guard<std::mutex> lock(mu);
    stopping = true;
  }
  cv.notify_all();
  ticker.join();
  deliverer.join();
  journal.join();
  collector->Flush();
  LogInfo("stopped");
  return 0;
}

}  // namespace rtcstream
