#include "service/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace rtcstream {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;
using prometheus::Counter;
using prometheus::Family;
using prometheus::Gauge;
using prometheus::Histogram;

struct Metrics::Impl {
  prometheus::Registry registry;
  Family<Gauge>& connections_open = BuildGauge()
                                        .Name("rtcstream_connections_open")
                                        .Help("SDK WebSocket connections currently open")
                                        .Register(registry);
  Family<Counter>& connections = BuildCounter()
                                     .Name("rtcstream_connections_total")
                                     .Help("SDK WebSocket connections accepted")
                                     .Register(registry);
  Family<Counter>& connections_rejected = BuildCounter()
                                              .Name("rtcstream_connections_rejected_total")
                                              .Help("SDK connections rejected, by reason")
                                              .Register(registry);
  Family<Counter>& frames = BuildCounter()
                                .Name("rtcstream_frames_total")
                                .Help("SDK frames received, by result")
                                .Register(registry);
  Family<Counter>& frame_bytes = BuildCounter()
                                     .Name("rtcstream_frame_bytes_total")
                                     .Help("Bytes of SDK frames received")
                                     .Register(registry);
  Family<Counter>& decode_errors = BuildCounter()
                                       .Name("rtcstream_decode_errors_total")
                                       .Help("Frames or tuples rejected by decoding, by reason")
                                       .Register(registry);
  Family<Counter>& limit_hits = BuildCounter()
                                    .Name("rtcstream_limit_hits_total")
                                    .Help("Input refused by a protective limit, by limit")
                                    .Register(registry);
  Family<Gauge>& journal_lag = BuildGauge()
                                   .Name("rtcstream_journal_lag_seconds")
                                   .Help(
                                       "Age of the oldest accepted tuple that may not be "
                                       "committed yet")
                                   .Register(registry);
  Family<Counter>& compactions = BuildCounter()
                                     .Name("rtcstream_trace_compactions_total")
                                     .Help("Closed peers' traces rewritten as one chunk, by result")
                                     .Register(registry);
  Family<Counter>& compaction_bytes = BuildCounter()
                                          .Name("rtcstream_trace_compaction_bytes_total")
                                          .Help("Stored trace bytes before and after compaction")
                                          .Register(registry);
  Family<Counter>& tls_handshake_failures =
      BuildCounter()
          .Name("rtcstream_tls_handshake_failures_total")
          .Help("TLS connections that failed before the handshake completed, by reason")
          .Register(registry);
  Family<Counter>& tls_reloads = BuildCounter()
                                     .Name("rtcstream_tls_reloads_total")
                                     .Help("Reloads of the TLS certificate (SIGHUP), by result")
                                     .Register(registry);
  Family<Gauge>& tls_certificate_expiry =
      BuildGauge()
          .Name("rtcstream_tls_certificate_expiry_seconds")
          .Help("Expiry of the TLS certificate being served, seconds since the epoch")
          .Register(registry);
  Family<Histogram>& journal_seconds = BuildHistogram()
                                           .Name("rtcstream_journal_commit_seconds")
                                           .Help("Duration of one journal group commit")
                                           .Register(registry);
  Family<Counter>& journal_bytes = BuildCounter()
                                       .Name("rtcstream_journal_bytes_total")
                                       .Help("Trace bytes committed by the journal")
                                       .Register(registry);
  Family<Counter>& journal_failures = BuildCounter()
                                          .Name("rtcstream_journal_failures_total")
                                          .Help("Journal commits that failed (retried)")
                                          .Register(registry);
  Family<Histogram>& upload_seconds = BuildHistogram()
                                          .Name("rtcstream_window_upload_seconds")
                                          .Help("Time to build and deliver one window")
                                          .Register(registry);
  Family<Counter>& upload_bytes = BuildCounter()
                                      .Name("rtcstream_window_bytes_total")
                                      .Help("Bytes of data stream files delivered")
                                      .Register(registry);
  Family<Counter>& upload_failures = BuildCounter()
                                         .Name("rtcstream_window_failures_total")
                                         .Help("Failed delivery attempts of windows")
                                         .Register(registry);
  Family<Gauge>& pending_windows = BuildGauge()
                                       .Name("rtcstream_pending_windows")
                                       .Help("Sealed windows not yet delivered")
                                       .Register(registry);
  Family<Gauge>& open_rooms = BuildGauge()
                                  .Name("rtcstream_open_rooms")
                                  .Help("Room sessions currently open")
                                  .Register(registry);
  Family<Gauge>& live_sessions = BuildGauge()
                                     .Name("rtcstream_live_sessions")
                                     .Help("SDK sessions (peers) known to the collector")
                                     .Register(registry);

  static prometheus::Histogram::BucketBoundaries CommitBuckets() {
    return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1};
  }
  static prometheus::Histogram::BucketBoundaries UploadBuckets() {
    return {0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300};
  }
};

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {}
Metrics::~Metrics() = default;

void Metrics::ConnectionOpened() {
  impl_->connections_open.Add({}).Increment();
  impl_->connections.Add({}).Increment();
}

void Metrics::ConnectionClosed() { impl_->connections_open.Add({}).Decrement(); }

void Metrics::ConnectionRejected(std::string_view reason) {
  impl_->connections_rejected.Add({{"reason", std::string(reason)}}).Increment();
}

void Metrics::FrameAccepted(size_t bytes) {
  impl_->frames.Add({{"result", "accepted"}}).Increment();
  impl_->frame_bytes.Add({}).Increment(static_cast<double>(bytes));
}

void Metrics::FrameRejected(size_t bytes, std::string_view reason) {
  impl_->frames.Add({{"result", "rejected"}}).Increment();
  impl_->frame_bytes.Add({}).Increment(static_cast<double>(bytes));
  impl_->decode_errors.Add({{"reason", std::string(reason)}}).Increment();
}

void Metrics::TuplesRejected(size_t count) {
  if (count == 0) return;
  impl_->decode_errors.Add({{"reason", "tuple"}}).Increment(static_cast<double>(count));
}

void Metrics::LimitHit(std::string_view limit) {
  impl_->limit_hits.Add({{"limit", std::string(limit)}}).Increment();
}

void Metrics::TlsHandshakeFailed(std::string_view reason) {
  impl_->tls_handshake_failures.Add({{"reason", std::string(reason)}}).Increment();
}

void Metrics::TlsReloaded(bool ok) {
  impl_->tls_reloads.Add({{"result", ok ? "ok" : "error"}}).Increment();
}

void Metrics::SetTlsCertificateExpiry(int64_t unix_seconds) {
  impl_->tls_certificate_expiry.Add({}).Set(static_cast<double>(unix_seconds));
}

void Metrics::JournalCommitted(double seconds, size_t bytes) {
  impl_->journal_seconds.Add({}, Impl::CommitBuckets()).Observe(seconds);
  impl_->journal_bytes.Add({}).Increment(static_cast<double>(bytes));
}

void Metrics::JournalFailed() { impl_->journal_failures.Add({}).Increment(); }

void Metrics::SetJournalLag(double seconds) { impl_->journal_lag.Add({}).Set(seconds); }

void Metrics::TraceCompacted(size_t bytes_before, size_t bytes_after) {
  impl_->compactions.Add({{"result", "ok"}}).Increment();
  impl_->compaction_bytes.Add({{"stage", "before"}}).Increment(static_cast<double>(bytes_before));
  impl_->compaction_bytes.Add({{"stage", "after"}}).Increment(static_cast<double>(bytes_after));
}

void Metrics::TraceCompactionFailed() {
  impl_->compactions.Add({{"result", "failed"}}).Increment();
}

void Metrics::WindowDelivered(std::string_view project, double seconds, size_t bytes) {
  const prometheus::Labels labels{{"project", std::string(project)}};
  impl_->upload_seconds.Add(labels, Impl::UploadBuckets()).Observe(seconds);
  impl_->upload_bytes.Add(labels).Increment(static_cast<double>(bytes));
}

void Metrics::WindowFailed(std::string_view project) {
  impl_->upload_failures.Add({{"project", std::string(project)}}).Increment();
}

void Metrics::SetPendingWindows(std::string_view project, size_t count) {
  impl_->pending_windows.Add({{"project", std::string(project)}}).Set(static_cast<double>(count));
}

void Metrics::SetOpenRooms(size_t count) {
  impl_->open_rooms.Add({}).Set(static_cast<double>(count));
}

void Metrics::SetLiveSessions(size_t count) {
  impl_->live_sessions.Add({}).Set(static_cast<double>(count));
}

std::string Metrics::Render() const {
  return prometheus::TextSerializer().Serialize(impl_->registry.Collect());
}

}  // namespace rtcstream
