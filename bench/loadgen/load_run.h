// LoadRun: one run of the load generator. It creates the simulated peers,
// runs them on Asio for --duration, waits for their closing handshakes and
// reports the rates as JSON.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "loadgen/load_options.h"
#include "loadgen/peer_script.h"

namespace rtcstream {

using LoadClock = std::chrono::steady_clock;

// Counters shared by every simulated peer.
struct LoadCounters {
  std::atomic<uint64_t> frames{0};
  std::atomic<uint64_t> tuples{0};
  std::atomic<uint64_t> getstats{0};
  std::atomic<uint64_t> bytes{0};  // frame bytes as sent (WebSocket payload)
  std::atomic<int> connected{0};
  std::atomic<int> handshakes_done{0};  // connected, rejected or failed before the reply
  std::atomic<int> closed{0};           // clean closing handshakes at the end
  // Errors, by where they happened.
  std::atomic<int> connect_errors{0};
  std::atomic<int> handshake_errors{0};  // upgrade refused, wrong subprotocol, no reply
  std::atomic<int> rejected{0};          // an {"error": ...} reply
  std::atomic<int> write_errors{0};
  std::atomic<int> closed_by_server{0};
  std::atomic<int> close_errors{0};  // the closing handshake failed or timed out
  std::atomic<int> not_started{0};   // the run ended before the peer's turn to connect
};

class SimPeer;

class LoadRun {
 public:
  LoadRun(LoadOptions options, std::vector<ConnectionScript> scripts);
  ~LoadRun();
  LoadRun(const LoadRun&) = delete;
  LoadRun& operator=(const LoadRun&) = delete;

  // Runs the whole load and sets *report to the JSON summary. Bounded in time:
  // --duration, then at most --drain-timeout for the closing handshakes.
  Status Run(std::string* report);

  // For the peers:
  const LoadOptions& options() const { return options_; }
  const boost::asio::ip::tcp::endpoint& endpoint() const { return endpoint_; }
  LoadClock::time_point stop_at() const { return stop_at_; }
  // Loop mode: no frame before every peer had its turn to connect, so that the
  // handshakes do not compete with a saturated server.
  LoadClock::time_point send_from() const { return send_from_; }
  LoadCounters& counters() { return counters_; }
  // A peer got its reply (ok) or failed before it; `ms` is from connect to reply.
  void OnHandshakeDone(int index, bool ok, double ms);
  // A peer's closing handshake completed.
  void OnClosed();
  // A peer is done, whatever happened.
  void OnPeerFinished();

 private:
  // Counter values at one instant.
  struct Snapshot {
    double t_s = 0;  // since the start of the run
    uint64_t frames = 0, tuples = 0, getstats = 0, bytes = 0;
  };
  Snapshot Take() const;
  void Progress();
  std::string Report(double client_cpu_s) const;

  LoadOptions options_;
  std::vector<ConnectionScript> scripts_;
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::endpoint endpoint_;
  LoadClock::time_point start_;
  LoadClock::time_point stop_at_;
  LoadClock::time_point send_from_;
  LoadCounters counters_;
  std::atomic<int> unfinished_{0};
  std::vector<std::shared_ptr<SimPeer>> peers_;
  std::vector<double> connect_ms_;  // per peer; -1 when it never connected

  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::steady_timer stop_timer_;
  boost::asio::steady_timer progress_timer_;
  boost::asio::steady_timer deadline_timer_;
  boost::asio::steady_timer warmup_timer_;

  mutable std::mutex mu_;  // guards the snapshots below
  // Start of the sustained window: the warm-up is over and every peer connected.
  std::optional<Snapshot> window_start_;
  bool warm_ = false;
  std::optional<Snapshot> at_stop_;
  std::optional<Snapshot> last_progress_;
  double last_close_s_ = 0;
  bool deadline_hit_ = false;
};

}  // namespace rtcstream
