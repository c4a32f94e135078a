#include "session/stats_snapshot.h"

namespace rtcstream {

const StatsReport* StatsSnapshot::Find(std::string_view id) const {
  auto it = reports.find(id);
  return it == reports.end() ? nullptr : &it->second;
}

}  // namespace rtcstream
