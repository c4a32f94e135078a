#include "server/connection_limiter.h"

#include <algorithm>

namespace rtcstream {

std::unique_ptr<ConnectionLimiter::Slot> ConnectionLimiter::Acquire(const std::string& address,
                                                                    Refusal* refusal) {
  std::lock_guard<std::mutex> lock(mu_);
  if (total_ >= max_total_) {
    *refusal = Refusal::kTotal;
    return nullptr;
  }
  size_t& mine = per_address_[address];
  if (mine >= max_per_address_) {
    *refusal = Refusal::kPerAddress;
    return nullptr;
  }
  ++mine;
  ++total_;
  *refusal = Refusal::kNone;
  return std::make_unique<Slot>(shared_from_this(), address);
}

void ConnectionLimiter::Release(const std::string& address) {
  std::lock_guard<std::mutex> lock(mu_);
  --total_;
  auto it = per_address_.find(address);
  if (it != per_address_.end() && --it->second == 0) per_address_.erase(it);
}

size_t ConnectionLimiter::open() const {
  std::lock_guard<std::mutex> lock(mu_);
  return total_;
}

bool TokenBucket::Take(double now) {
  if (last_ >= 0 && now > last_) tokens_ = std::min(burst_, tokens_ + (now - last_) * rate_);
  last_ = now;
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

}  // namespace rtcstream
