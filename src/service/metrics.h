// Metrics: the service's Prometheus metrics (served at GET /metrics).
//
// A thin, typed facade over prometheus-cpp so that the rest of the code base
// records events with one call and never includes the library's headers.
// Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace rtcstream {

class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // SDK sockets.
  void ConnectionOpened();
  void ConnectionClosed();
  // `reason`: a short fixed label such as "api_key".
  void ConnectionRejected(std::string_view reason);

  // One text frame from an SDK socket, accepted (possibly with some tuples rejected)
  // or rejected whole. `reason` is a fixed label: "lzstring", "json", "tuple", "too_large".
  void FrameAccepted(size_t bytes);
  void FrameRejected(size_t bytes, std::string_view reason);
  void TuplesRejected(size_t count);

  // A protective limit refused input: "max_frame_bytes", "max_decompressed_bytes",
  // "max_http_body_bytes".
  void LimitHit(std::string_view limit);

  // A TLS connection that failed before its handshake completed. `reason` is a fixed
  // label: "timeout", "closed", "not_tls" (plain HTTP or other bytes), "protocol".
  void TlsHandshakeFailed(std::string_view reason);
  // A reload of the TLS certificate (SIGHUP), successful or refused.
  void TlsReloaded(bool ok);
  // The expiry of the certificate being served, in seconds since the epoch.
  void SetTlsCertificateExpiry(int64_t unix_seconds);

  // One group commit of the journal.
  void JournalCommitted(double seconds, size_t bytes);
  void JournalFailed();
  // Seconds since the start of the last journal pass that committed everything then
  // accepted: the most a crash could lose right now (about the journal interval when
  // healthy; it grows while commits fail or stall).
  void SetJournalLag(double seconds);

  // A closed peer's trace chunks were rewritten as one, in stored (compressed) bytes.
  void TraceCompacted(size_t bytes_before, size_t bytes_after);
  void TraceCompactionFailed();

  // Data stream delivery.
  void WindowDelivered(std::string_view project, double seconds, size_t bytes);
  void WindowFailed(std::string_view project);
  void SetPendingWindows(std::string_view project, size_t count);

  void SetOpenRooms(size_t count);
  void SetLiveSessions(size_t count);

  // The Prometheus text exposition format.
  std::string Render() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rtcstream
