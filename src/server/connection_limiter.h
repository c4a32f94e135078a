// ConnectionLimiter: caps open connections, overall and per client address, so
// that one address (or a flood of idle sockets) cannot use up the service.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace rtcstream {

class ConnectionLimiter : public std::enable_shared_from_this<ConnectionLimiter> {
 public:
  ConnectionLimiter(size_t max_total, size_t max_per_address)
      : max_total_(max_total), max_per_address_(max_per_address) {}

  // Held while a connection is open; releases its slot when destroyed.
  class Slot {
   public:
    Slot(std::shared_ptr<ConnectionLimiter> limiter, std::string address)
        : limiter_(std::move(limiter)), address_(std::move(address)) {}
    ~Slot() { limiter_->Release(address_); }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

   private:
    std::shared_ptr<ConnectionLimiter> limiter_;
    std::string address_;
  };

  // Why a connection was refused.
  enum class Refusal { kNone, kTotal, kPerAddress };

  // Takes a slot for a new connection from `address`, or returns nullptr and the
  // limit that refused it.
  std::unique_ptr<Slot> Acquire(const std::string& address, Refusal* refusal);

  // Open connections now (for tests and metrics).
  size_t open() const;

 private:
  void Release(const std::string& address);

  const size_t max_total_;
  const size_t max_per_address_;
  mutable std::mutex mu_;
  size_t total_ = 0;
  std::unordered_map<std::string, size_t> per_address_;
};

// A token bucket: `rate` tokens per second, at most `burst` saved up. Not thread-safe.
class TokenBucket {
 public:
  TokenBucket(double rate, double burst) : rate_(rate), burst_(burst), tokens_(burst) {}

  // Takes one token at time `now_seconds` (any monotonic clock); false when empty.
  bool Take(double now_seconds);

 private:
  double rate_;
  double burst_;
  double tokens_;
  double last_ = -1;
};

}  // namespace rtcstream
