#include <cstdio>
#include <filesystem>
#include <memory>

#include "cli/commands.h"
#include "cli/flags.h"
#include "common/time_util.h"
#include "sinks/file_sink.h"
#include "store/history_store.h"
#include "streams/room_json.h"

namespace rtcstream {

int RunExport(const std::vector<std::string>& args) {
  std::map<std::string, std::string> flags;
  Status s = ParseFlags(args, {"data-dir", "from", "to", "project", "out"}, &flags);
  EpochMs from = 0, to = 0;
  if (s.ok() && (!flags.count("data-dir") || !flags.count("from") || !flags.count("to"))) {
    s = Status::InvalidArgument("--data-dir, --from and --to are required");
  }
  if (s.ok()) s = ParseIso8601(flags["from"], &from);
  if (s.ok()) s = ParseIso8601(flags["to"], &to);
  if (s.ok() && to <= from) s = Status::InvalidArgument("--to must be after --from");
  std::unique_ptr<HistoryStore> store;
  if (s.ok()) s = OpenHistory(flags["data-dir"], HistoryOpenMode::kExisting, &store);
  if (!s.ok() &&
      (s.code() == Status::Code::kInvalidArgument || s.code() == Status::Code::kNotFound)) {
    std::fprintf(stderr, "rtcstream export: %s\n", s.ToString().c_str());
    return 2;
  }
  std::vector<std::string> rooms;
  if (s.ok()) s = store->RoomsEndedBetween(flags["project"], from, to, &rooms);
  if (!s.ok()) {
    std::fprintf(stderr, "rtcstream export: %s\n", s.ToString().c_str());
    return 1;
  }
  const std::string body = StreamFileBody(rooms);
  const std::string out = flags.count("out") ? flags["out"] : "-";
  if (out == "-") {
    std::fwrite(body.data(), 1, body.size(), stdout);
    return std::fflush(stdout) == 0 ? 0 : 1;
  }
  // The file sink writes a hidden temporary file next to the target, fsyncs it and
  // renames it: a reader (or a crash) never sees half a file.
  const std::filesystem::path target = std::filesystem::absolute(out);
  std::unique_ptr<FileSink> sink;
  s = FileSink::Create(target.parent_path().string(), &sink);
  PutResult put;
  if (s.ok()) s = sink->Put(target.filename().string(), body, "application/json", &put);
  if (!s.ok()) {
    std::fprintf(stderr, "rtcstream export: cannot write %s: %s\n", out.c_str(),
                 s.ToString().c_str());
    return 1;
  }
  std::fprintf(stderr, "rtcstream export: %zu rooms written to %s\n", rooms.size(), out.c_str());
  return 0;
}

}  // namespace rtcstream
