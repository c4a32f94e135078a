// Turns the service flags shared by `serve` and `streams` into a ServiceConfig:
// --config FILE first, then the other flags on top, then the default project.
#pragma once

#include <map>
#include <string>

#include "common/status.h"
#include "service/config.h"

namespace rtcstream {

// `flags` maps flag names (without "--") to values, as ParseFlags returns them.
// Recognised: config, listen, data-dir, api-key, access-token, collection-interval,
// stream-interval, room-close-grace, public-url, log-level, tls-cert, tls-key. When no project is
// configured, a project "default" is created with a key generated once and kept
// in <data-dir>/default-api-key (*generated_key is then set).
Status BuildServiceConfig(std::map<std::string, std::string> flags, ServiceConfig* config,
                          bool* generated_key);

}  // namespace rtcstream
