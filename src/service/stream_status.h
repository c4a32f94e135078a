// StreamStatus: a project's data stream settings and delivery state, for people.
//
// Shared by `rtcstream streams list` and the HTTP API's `GET /streams`, so both
// show the same facts and neither can print a secret: access key ids are masked
// and secrets are described by where they come from, never by their value.
#pragma once

#include <string>
#include <vector>

#include "service/config.h"
#include "store/history_store.h"

namespace rtcstream {

// The first characters of an access key id and "****" ("(none)" when empty).
// Key ids are not secret, but there is no need to show all of one.
std::string MaskAccessKeyId(const std::string& id);

// "set (env:NAME)", "set (inline)", ... or "(none)": never the value itself.
std::string DescribeSecret(const SecretSetting& secret);

// A duration as the config writes it: "1h", "5m", "30s" or "250ms".
std::string FormatDurationSetting(int64_t ms);

// The JSON of GET /streams for one project: its settings (secrets described,
// not shown), the windows still pending with their attempts and last error, and
// the most recent windows with their delivery records (`recent`, newest first).
std::string StreamStatusJson(const ProjectConfig& project, const std::vector<StreamWindow>& pending,
                             const std::vector<StreamWindow>& recent);

}  // namespace rtcstream
