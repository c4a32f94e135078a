// rtcstream_loadgen: drives a running collector with simulated watchRTC SDK
// peers replaying recorded SDK traffic, and reports the sustained rates.
// Loopback only; bounded by --duration. See docs/benchmarks.md.
#include <cstdio>
#include <string>
#include <vector>

#include "loadgen/load_options.h"
#include "loadgen/load_run.h"
#include "loadgen/peer_script.h"
#include "sdk_recording.h"

int main(int argc, char** argv) {
  using rtcstream::Status;
  rtcstream::LoadOptions options;
  Status s = rtcstream::ParseLoadOptions(std::vector<std::string>(argv + 1, argv + argc), &options);
  if (!s.ok()) {
    if (s.message() == rtcstream::LoadUsage()) {  // --help
      std::fputs(rtcstream::LoadUsage(), stdout);
      return 0;
    }
    std::fprintf(stderr, "rtcstream_loadgen: %s\n\n%s", s.message().c_str(),
                 rtcstream::LoadUsage());
    return 2;
  }
  rtcstream::Recording recording;
  std::vector<rtcstream::ConnectionScript> scripts;
  s = rtcstream::LoadRecording(options.recording, &recording);
  if (s.ok()) s = rtcstream::BuildScripts(recording, &scripts);
  if (!s.ok()) {
    std::fprintf(stderr, "rtcstream_loadgen: %s\n", s.ToString().c_str());
    return 1;
  }
  rtcstream::LoadRun run(options, std::move(scripts));
  std::string report;
  s = run.Run(&report);
  if (!s.ok()) {
    std::fprintf(stderr, "rtcstream_loadgen: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("%s\n", report.c_str());
  return 0;
}
