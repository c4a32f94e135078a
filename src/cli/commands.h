// The subcommands of the rtcstream binary. Each takes the arguments after the
// command name and returns the process exit code.
#pragma once

#include <string>
#include <vector>

namespace rtcstream {

// `rtcstream serve`: runs the collector until SIGINT or SIGTERM.
int RunServe(const std::vector<std::string>& args);

// `rtcstream export`: writes the data stream of a window to a file or stdout.
int RunExport(const std::vector<std::string>& args);

// `rtcstream streams list|test`: shows each project's stream settings and delivery
// state, or checks that a project's sink accepts a write.
int RunStreams(const std::vector<std::string>& args);

// `rtcstream import`: turns recorded dumps into room sessions in the history.
int RunImport(const std::vector<std::string>& args);

}  // namespace rtcstream
