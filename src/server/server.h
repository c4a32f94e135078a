// Server: the HTTP and WebSocket front door (Boost.Beast), speaking the watchRTC
// SDK's protocol (docs/sdk-protocol.md) and the small HTTP API.
//
// Endpoints, under any path prefix the app put in its proxyUrl:
//   GET  <any> with Upgrade: websocket   the SDK's socket (subprotocol "2.0")
//   POST .../trace, POST .../error        the SDK's HTTP fallback (CORS)
//   GET  /rooms/<room>                    the closed sessions of a room, JSON
//   GET  /healthz                         liveness
//   GET  /readyz                          readiness (the history accepts writes)
//   GET  /metrics                         Prometheus metrics
//
// With TLS configured, the port speaks only TLS (wss:// and https://).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "geo/ip_network.h"
#include "server/tls_context.h"
#include "service/config.h"

namespace rtcstream {

class Collector;

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 picks a free port
  int threads = 1;
  size_t max_frame_bytes = 1 << 20;
  size_t max_http_body_bytes = 1 << 20;
  size_t max_connections = 20000;
  size_t max_connections_per_address = 256;
  size_t max_frames_per_second = 20;
  size_t max_frame_burst = 200;
  int64_t handshake_timeout_ms = 15000;  // accept to a complete request, TLS included
  int64_t idle_timeout_ms = 120000;
  TlsConfig tls;  // off unless a certificate is configured
  // Reverse proxies whose X-Forwarded-For or Forwarded header names the client
  // (geo/client_address.h); the collector gets the client's address.
  std::vector<IpNetwork> trusted_proxies;
};

class Server {
 public:
  // `collector` must outlive the server.
  Server(Collector* collector, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Loads the TLS certificate (when configured), binds, listens and starts the
  // worker threads.
  Status Start();

  // The port actually bound (useful with port 0).
  uint16_t port() const;

  // True when the port speaks TLS.
  bool tls() const;

  // The certificate new TLS connections are served (after Start or ReloadTls).
  CertificateSummary certificate() const;

  // Reads the certificate and key files again. On success new connections use the
  // new certificate while open ones keep theirs; on error nothing changes. Thread-safe.
  Status ReloadTls(CertificateSummary* summary);

  // Stops accepting, closes every connection and joins the worker threads.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rtcstream
