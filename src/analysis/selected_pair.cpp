#include "analysis/selected_pair.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace rtcstream {

namespace {

// Keeps the candidate with the smallest id.
void Consider(std::optional<SelectedPair>* best, std::string_view id, const StatsReport* report) {
  if (!*best || id < (*best)->id) *best = SelectedPair{id, report};
}

std::optional<SelectedPair> FromTransports(const StatsSnapshot& snapshot,
                                           std::span<const IdentifiedReport> transports) {
  std::optional<SelectedPair> best;
  for (const IdentifiedReport& transport : transports) {
    const std::optional<std::string_view> pair_id =
        GetString(*transport.report, StatField::kSelectedCandidatePairId);
    if (!pair_id) continue;
    auto it = snapshot.reports.find(*pair_id);
    if (it == snapshot.reports.end()) continue;
    Consider(&best, it->first, &it->second);
  }
  return best;
}

std::optional<SelectedPair> FromPairFlags(std::span<const IdentifiedReport> candidate_pairs) {
  std::optional<SelectedPair> selected;
  std::optional<SelectedPair> nominated;
  for (const auto& [id, report] : candidate_pairs) {
    if (GetBool(*report, StatField::kSelected) == true) Consider(&selected, id, report);
    if (GetBool(*report, StatField::kNominated) == true &&
        GetString(*report, StatField::kState) == "succeeded") {
      Consider(&nominated, id, report);
    }
  }
  return selected ? selected : nominated;
}

std::optional<std::string> Lower(std::optional<std::string_view> text) {
  if (!text || text->empty()) return std::nullopt;
  std::string out(*text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The transport to the TURN server from its URL (RFC 7065): "turns:" is TLS,
// "?transport=tcp" is TCP, anything else defaults to UDP.
std::optional<std::string> TransportFromTurnUrl(std::optional<std::string_view> url) {
  const std::optional<std::string> lower = Lower(url);
  if (!lower) return std::nullopt;
  if (lower->starts_with("turns:")) return "tls";
  if (!lower->starts_with("turn:")) return std::nullopt;
  if (lower->find("transport=tcp") != std::string::npos) return "tcp";
  return "udp";
}

}  // namespace

std::optional<SelectedPair> FindSelectedPair(const StatsSnapshot& snapshot,
                                             std::span<const IdentifiedReport> transports,
                                             std::span<const IdentifiedReport> candidate_pairs) {
  if (std::optional<SelectedPair> pair = FromTransports(snapshot, transports)) return pair;
  return FromPairFlags(candidate_pairs);
}

std::optional<PeerFeatures> PairFeatures(const StatsSnapshot& snapshot, const StatsReport& pair) {
  const std::optional<std::string_view> local_id = GetString(pair, StatField::kLocalCandidateId);
  if (!local_id) return std::nullopt;
  const StatsReport* local = snapshot.Find(*local_id);
  if (local == nullptr) return std::nullopt;
  PeerFeatures features;
  if (GetString(*local, StatField::kCandidateType) == "relay") {
    features.connection_type = "TURN";
    features.media_transport = Lower(GetString(*local, StatField::kRelayProtocol));
    if (!features.media_transport) {
      features.media_transport = TransportFromTurnUrl(GetString(*local, StatField::kUrl));
    }
  } else {
    features.connection_type = "direct";
    features.media_transport = Lower(GetString(*local, StatField::kProtocol));
  }
  return features;
}

}  // namespace rtcstream
