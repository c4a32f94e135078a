#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/service_flags.h"
#include "service/config.h"
#include "service/sink_factory.h"
#include "service/stream_status.h"
#include "store/history_store.h"

namespace rtcstream {

namespace {

void PrintProject(const ProjectConfig& p, HistoryStore* store) {
  const StreamConfig& st = p.stream;
  std::printf("project %s\n", p.id.c_str());
  std::printf("  sink:         %s\n", st.sink.c_str());
  if (st.sink == "s3") {
    std::printf("  bucket:       %s\n", st.bucket.c_str());
    std::printf("  region:       %s\n", st.region.c_str());
    std::printf("  endpoint:     %s\n", st.endpoint.empty() ? "(AWS)" : st.endpoint.c_str());
    std::printf("  access key:   %s\n", MaskAccessKeyId(st.access_key_id).c_str());
    std::printf("  secret key:   %s\n", DescribeSecret(st.secret_access_key).c_str());
    std::printf("  session token: %s\n", DescribeSecret(st.session_token).c_str());
  }
  std::printf("  prefix:       %s\n", st.prefix.empty() ? "(none)" : st.prefix.c_str());
  std::printf("  interval:     %s\n", FormatDurationSetting(st.interval_ms).c_str());
  std::printf("  format:       %s, %s\n",
              st.encoding.format == StreamFormat::kJson ? "json" : "ndjson",
              st.encoding.compression == StreamCompression::kGzip ? "gzip" : "uncompressed");
  std::printf("  key template: %s\n", st.key_template.c_str());
  if (store == nullptr) {
    std::printf("  windows:      (no history yet)\n");
    return;
  }
  std::vector<StreamWindow> pending, recent;
  Status s = store->PendingWindows(p.id, &pending);
  if (s.ok()) s = store->RecentWindows(p.id, 50, &recent);
  if (!s.ok()) {
    std::printf("  windows:      cannot read: %s\n", s.ToString().c_str());
    return;
  }
  std::printf("  pending:      %zu window(s)\n", pending.size());
  for (const StreamWindow& w : pending) {
    std::printf("    %s .. %s  attempts %lld%s%s\n", FormatIso8601(w.window_start).c_str(),
                FormatIso8601(w.window_end).c_str(), static_cast<long long>(w.attempts),
                w.last_error.empty() ? "" : "  last error: ", w.last_error.c_str());
  }
  for (const StreamWindow& w : recent) {
    if (!w.delivered) continue;
    std::printf("  last delivered: %s .. %s  %lld room(s), %lld bytes\n    %s%s%s\n",
                FormatIso8601(w.window_start).c_str(), FormatIso8601(w.window_end).c_str(),
                static_cast<long long>(w.room_count), static_cast<long long>(w.size_bytes),
                w.location.c_str(), w.etag.empty() ? "" : "  etag ", w.etag.c_str());
    break;
  }
}

}  // namespace

int RunStreams(const std::vector<std::string>& args) {
  if (args.empty() || (args[0] != "list" && args[0] != "test")) {
    std::fprintf(stderr,
                 "usage: rtcstream streams list [--config FILE] [--data-dir DIR]\n"
                 "       rtcstream streams test --project ID [--config FILE] [--data-dir DIR]\n");
    return 2;
  }
  const std::string verb = args[0];
  std::map<std::string, std::string> flags;
  Status s = ParseFlags(std::vector<std::string>(args.begin() + 1, args.end()),
                        {"config", "data-dir", "project"}, &flags);
  std::string project_id = flags.count("project") ? flags["project"] : "";
  flags.erase("project");
  ServiceConfig config;
  bool generated_key = false;
  if (s.ok()) s = BuildServiceConfig(flags, &config, &generated_key);
  if (s.ok() && verb == "test" && project_id.empty()) {
    s = Status::InvalidArgument("streams test needs --project ID");
  }
  if (!s.ok()) {
    std::fprintf(stderr, "rtcstream streams %s: %s\n", verb.c_str(), s.ToString().c_str());
    return 2;
  }

  if (verb == "list") {
    // Without a history yet, the settings are listed with no windows.
    std::unique_ptr<HistoryStore> store;
    s = OpenHistory(config.data_dir, HistoryOpenMode::kExisting, &store);
    if (!s.ok() && s.code() != Status::Code::kNotFound) {
      std::fprintf(stderr, "rtcstream streams list: %s\n", s.ToString().c_str());
      return 1;
    }
    for (const ProjectConfig& p : config.projects) PrintProject(p, store.get());
    return 0;
  }

  ProjectConfig* project = FindProject(&config, project_id);
  if (project == nullptr) {
    std::fprintf(stderr, "rtcstream streams test: no project \"%s\" in the configuration\n",
                 project_id.c_str());
    return 2;
  }
  std::unique_ptr<Sink> sink;
  s = MakeSink(config, *project, &sink, SinkUse::kCheck);
  std::string report;
  if (s.ok()) s = sink->Probe(project->stream.prefix, &report);
  std::printf("%s", report.c_str());
  if (!s.ok()) {
    std::printf("FAILED: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("OK: project \"%s\" can write its data stream\n", project->id.c_str());
  return 0;
}

}  // namespace rtcstream
