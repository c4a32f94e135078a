#include "analysis/call_setup.h"

namespace rtcstream {

namespace {

// The earliest of `instants` at or after `start`.
std::optional<double> FirstFrom(const std::vector<double>& instants, double start) {
  std::optional<double> first;
  for (double t : instants) {
    if (t >= start && (!first || t < *first)) first = t;
  }
  return first;
}

}  // namespace

void CallSetupTracker::OnSetLocalDescription(double ts_ms) {
  if (!first_sld_ms_ || ts_ms < *first_sld_ms_) first_sld_ms_ = ts_ms;
}

void CallSetupTracker::OnConnectionState(std::string_view state, double ts_ms) {
  saw_connection_state_ = true;
  if (state == "connected") connected_ms_.push_back(ts_ms);
}

void CallSetupTracker::OnIceConnectionState(std::string_view state, double ts_ms) {
  if (state == "connected" || state == "completed") ice_connected_ms_.push_back(ts_ms);
}

std::optional<double> CallSetupTracker::Value() const {
  if (!first_sld_ms_) return std::nullopt;
  const std::vector<double>& instants = saw_connection_state_ ? connected_ms_ : ice_connected_ms_;
  const std::optional<double> connected = FirstFrom(instants, *first_sld_ms_);
  if (!connected) return std::nullopt;
  return *connected - *first_sld_ms_;
}

}  // namespace rtcstream
