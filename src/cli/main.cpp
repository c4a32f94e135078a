// rtcstream: the command-line entry point. Subcommands: serve, export, version.
// The flags are a stable contract documented in README.md.

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace {

void PrintUsage() {
  std::fputs(
      "usage: rtcstream <command> [flags]\n"
      "\n"
      "commands:\n"
      "  serve    run the collector (the watchRTC SDK endpoint)\n"
      "           [--config FILE] [--listen HOST:PORT] [--data-dir DIR] [--api-key KEY]\n"
      "           [--access-token TOKEN] [--collection-interval DUR] [--stream-interval DUR]\n"
      "           [--room-close-grace DUR] [--public-url URL] [--log-level LEVEL]\n"
      "           [--tls-cert FILE --tls-key FILE]\n"
      "  export   write the data stream of a time window\n"
      "           --data-dir DIR --from ISO8601 --to ISO8601 [--project ID] [--out FILE]\n"
      "  streams  list: show each project's data stream settings and pending windows\n"
      "           test --project ID: write and delete a probe object in the project's sink\n"
      "           [--config FILE] [--data-dir DIR]\n"
      "  import   turn recorded dumps (rtcstats, webrtc-internals) into rooms\n"
      "           --data-dir DIR --project ID [--room ID] [--config FILE]\n"
      "           [--stream-interval DUR] [--public-url URL] [--jobs N] [--verbose] FILE...\n"
      "  version  print the version\n"
      "\n"
      "DUR is like 30s, 5m, 2h. See README.md.\n",
      stderr);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    PrintUsage();
    return 2;
  }
  const std::string command = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (command == "serve") return rtcstream::RunServe(args);
  if (command == "export") return rtcstream::RunExport(args);
  if (command == "streams") return rtcstream::RunStreams(args);
  if (command == "import") return rtcstream::RunImport(args);
  if (command == "version" || command == "--version") {
    std::printf("rtcstream %s\n", RTCSTREAM_VERSION);
    return 0;
  }
  if (command == "help" || command == "--help" || command == "-h") {
    PrintUsage();
    return 0;
  }
  std::fprintf(stderr, "rtcstream: unknown command \"%s\"\n\n", command.c_str());
  PrintUsage();
  return 2;
}
