// `rtcstream import`: recorded dumps (rtcstats-server dumps, chrome://webrtc-internals
// dumps) become room sessions in the history, as if their peers had been live.
// See docs/import.md.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/flags.h"
#include "common/batch_memory.h"
#include "common/parallel_for.h"
#include "common/time_util.h"
#include "import/dump_file.h"
#include "import/dump_format.h"
#include "rooms/imported_peer.h"
#include "service/config.h"
#include "service/history_import.h"
#include "store/history_store.h"
#include "store/trace_codec.h"

namespace rtcstream {

namespace {

void Error(const std::string& message) {
  std::fprintf(stderr, "rtcstream import: %s\n", message.c_str());
}

// Splits the arguments into flags (with their values), files and --verbose.
Status SplitArgs(const std::vector<std::string>& args, std::vector<std::string>* flags,
                 std::vector<std::string>* files, bool* verbose) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      files->insert(files->end(), args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    }
    if (arg == "--verbose") {
      *verbose = true;
    } else if (arg.starts_with("--")) {
      flags->push_back(arg);
      if (arg.find('=') == std::string::npos) {
        if (i + 1 >= args.size()) return Status::InvalidArgument(arg + " needs a value");
        flags->push_back(args[++i]);
      }
    } else {
      files->push_back(arg);
    }
  }
  return Status::OK();
}

// The project and settings the rooms go to: --config's project, else one built
// from the flags; --stream-interval and --public-url override either.
Status BuildTarget(std::map<std::string, std::string>& flags, ImportTarget* target,
                   int64_t* room_gap_ms) {
  ServiceConfig config;
  Status s;
  if (flags.count("config")) {
    s = LoadConfigFile(flags["config"], &config);
    if (!s.ok()) return s;
  }
  ProjectConfig* project = FindProject(&config, flags["project"]);
  if (project == nullptr) {
    if (flags.count("config")) {
      return Status::InvalidArgument("project \"" + flags["project"] + "\" is not in " +
                                     flags["config"]);
    }
    config.projects.push_back(ProjectConfig{});
    project = &config.projects.back();
    project->id = flags["project"];
    project->api_keys = {"import"};  // not used; a project needs one to be valid
  }
  if (flags.count("stream-interval")) {
    s = ParseDuration(flags["stream-interval"], &project->stream.interval_ms);
    if (!s.ok()) return Status::InvalidArgument("--stream-interval: " + s.message());
  }
  s = ValidateConfig(config);
  if (!s.ok()) return s;
  target->project = project->id;
  target->stream_interval_ms = project->stream.interval_ms;
  target->public_url = flags.count("public-url") ? flags["public-url"] : config.public_url;
  while (!target->public_url.empty() && target->public_url.back() == '/') {
    target->public_url.pop_back();
  }
  *room_gap_ms = config.room_close_grace_ms;
  return Status::OK();
}

// The process's peak resident set size in KiB (VmHWM), or -1.
long PeakRssKib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

std::string PeerList(const RoomRecord& record) {
  std::string out;
  for (const PeerRecord& p : record.peers) {
    if (!out.empty()) out += ", ";
    out += p.peer_id;
  }
  return out;
}

// What reading and analysing one dump file gave.
struct FileResult {
  Status status;
  ImportedPeer peer;    // its raw trace moved to `trace`
  TraceChunk trace;     // the peer's raw trace, compressed for the history
  size_t getstats = 0;  // getstats entries in the dump
};

FileResult ReadAndAnalyze(const std::string& file, const std::string& room) {
  FileResult result;
  std::string content;
  ImportedTrace trace;
  result.status = ReadDumpFile(file, kMaxDumpBytes, &content);
  if (result.status.ok()) result.status = ParseDump(content, &trace);
  content.clear();
  content.shrink_to_fit();  // the parsed trace holds what is needed
  if (result.status.ok()) result.status = AnalyzeImportedTrace(trace, file, room, &result.peer);
  result.getstats = trace.getstats_count;
  if (result.status.ok()) {
    // Compressing is most of the cost of storing a trace: done here, it runs
    // on the import's threads.
    std::string& lines = result.peer.trace;
    result.trace.raw_bytes = static_cast<int64_t>(lines.size());
    result.status = CompressTraceChunk(lines, &result.trace.compressed);
    lines.clear();
    lines.shrink_to_fit();
  }
  return result;
}

}  // namespace

int RunImport(const std::vector<std::string>& args) {
  std::vector<std::string> flag_args, files;
  bool verbose = false;
  std::map<std::string, std::string> flags;
  Status s = SplitArgs(args, &flag_args, &files, &verbose);
  if (s.ok()) {
    s = ParseFlags(
        flag_args,
        {"data-dir", "project", "room", "config", "stream-interval", "public-url", "jobs"}, &flags);
  }
  size_t jobs = 0;  // one per core
  if (s.ok() && flags.count("jobs")) {
    const std::string& value = flags["jobs"];
    if (value.empty() || value.size() > 4 ||
        value.find_first_not_of("0123456789") != std::string::npos || std::stoul(value) == 0) {
      s = Status::InvalidArgument("--jobs must be a whole number from 1 to 9999");
    } else {
      jobs = std::stoul(value);
    }
  }
  if (s.ok() && (!flags.count("data-dir") || !flags.count("project"))) {
    s = Status::InvalidArgument("--data-dir and --project are required");
  }
  if (s.ok() && files.empty()) s = Status::InvalidArgument("no dump file given");
  ImportTarget target;
  int64_t room_gap_ms = 0;
  if (s.ok()) s = BuildTarget(flags, &target, &room_gap_ms);
  if (!s.ok()) {
    Error(s.message());
    std::fputs(
        "usage: rtcstream import --data-dir DIR --project ID [--room ID] [--config FILE]\n"
        "                        [--stream-interval DUR] [--public-url URL] [--jobs N] "
        "[--verbose]\n"
        "                        FILE...\n",
        stderr);
    return 2;
  }

  KeepFreedMemoryForReuse();
  // Read every dump first: rooms are made of the peers of several files. The
  // files are independent until then, so they are read and analysed in
  // parallel; results and messages keep the order of the command line.
  std::vector<FileResult> results(files.size());
  std::vector<uint64_t> sizes(files.size(), 0);
  for (size_t i = 0; i < files.size(); ++i) {
    std::error_code ec;
    const uintmax_t size = std::filesystem::file_size(files[i], ec);
    if (!ec) sizes[i] = size;  // else ReadAndAnalyze says what is wrong
  }
  // Looked up once: the threads must not touch the map (operator[] inserts).
  const std::string room = flags["room"];
  ParallelForLargestFirst(sizes, jobs,
                          [&](size_t i) { results[i] = ReadAndAnalyze(files[i], room); });
  std::vector<ImportedPeer> peers;
  std::vector<TraceChunk> traces;  // traces[i] is peers[i]'s
  size_t failed = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string& file = files[i];
    FileResult& result = results[i];
    ImportedPeer& peer = result.peer;
    if (!result.status.ok()) {
      Error(file + ": " + result.status.message());
      ++failed;
      continue;
    }
    if (peer.rejected > 0) {
      Error(file + ": " + std::to_string(peer.rejected) +
            " entries skipped (first: " + peer.first_rejection + ")");
    }
    if (verbose) {
      std::fprintf(stderr,
                   "rtcstream import: %s: %s dump, %zu entries (%zu getstats), peer \"%s\", "
                   "room \"%s\"\n",
                   file.c_str(), peer.format.c_str(), peer.tuples, result.getstats,
                   peer.record.peer_id.c_str(), peer.room_id.c_str());
    }
    peers.push_back(std::move(peer));
    traces.push_back(std::move(result.trace));
  }
  results.clear();

  size_t stored = 0, duplicates = 0;
  bool store_failed = false;
  if (!peers.empty()) {
    std::unique_ptr<HistoryStore> store;
    s = OpenHistory(flags["data-dir"], HistoryOpenMode::kCreate, &store);
    if (!s.ok()) {
      Error(s.ToString());
      return 1;
    }
    for (const ImportedRoom& room : GroupImportedPeers(peers, room_gap_ms)) {
      ImportedRoomResult result;
      s = StoreImportedRoom(store.get(), target, room, peers, traces, NowMs(), &result);
      const std::string what =
          "room \"" + room.record.room_id + "\" " + FormatIso8601(room.record.start_ms) + " .. " +
          FormatIso8601(room.record.end_ms) + " (" + PeerList(room.record) + ")";
      if (!s.ok()) {
        Error(what + ": " + s.ToString());
        store_failed = true;
      } else if (result.duplicate) {
        std::printf("%s: already imported, skipped\n", what.c_str());
        ++duplicates;
      } else {
        std::printf("%s: imported, data stream window %s\n", what.c_str(),
                    FormatIso8601(result.window_start).c_str());
        ++stored;
      }
    }
  }
  std::fflush(stdout);
  std::fprintf(stderr, "rtcstream import: %zu of %zu files read, %zu rooms imported", peers.size(),
               files.size(), stored);
  if (duplicates > 0) std::fprintf(stderr, ", %zu already imported", duplicates);
  if (failed > 0) std::fprintf(stderr, ", %zu file(s) not imported", failed);
  std::fputs("\n", stderr);
  if (verbose) std::fprintf(stderr, "rtcstream import: peak RSS %ld KiB\n", PeakRssKib());
  return failed > 0 || store_failed ? 1 : 0;
}

}  // namespace rtcstream
