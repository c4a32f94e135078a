// SIGKILL in the middle of writing data out: `rtcstream export` and the delivery
// of a data stream window to the file sink. A child process does the work and
// is killed at moments spread over its run; afterwards no reader may see a
// partial file, and a delivery resumed by a new process must produce every room
// exactly once.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "common/time_util.h"
#include "service/collector.h"
#include "service/config.h"
#include "store/history_store.h"

namespace rtcstream {
namespace {

constexpr EpochMs kWindowStart = 1764064800000;  // 2025-11-25T10:00:00Z
constexpr EpochMs kHour = 3600000;
constexpr int kRooms = 4000;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Visible (not hidden) regular files under `dir`, recursively.
std::vector<std::string> VisibleFiles(const std::string& dir) {
  std::vector<std::string> files;
  if (!std::filesystem::exists(dir)) return files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().filename().string()[0] != '.') {
      files.push_back(entry.path().string());
    }
  }
  return files;
}

// Runs `work` in a child process and SIGKILLs it after `delay_us` (or lets it
// finish first). Returns true when the kill interrupted it.
template <typename Work>
bool RunAndKill(Work work, int64_t delay_us) {
  const pid_t child = fork();
  if (child == 0) {
    // Keep the child's own log lines out of the test output.
    if (std::freopen("/dev/null", "w", stderr) == nullptr) _exit(5);
    _exit(work());
  }
  usleep(static_cast<useconds_t>(delay_us));
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  if (WIFEXITED(status)) {
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  return WIFSIGNALED(status);
}

class KillDuringExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rtcstream-kill-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::unique_ptr<HistoryStore> store;
    ASSERT_TRUE(OpenSqliteStore(dir_ + "/history.sqlite", &store).ok());
    // Rooms big enough that writing them out takes a while.
    const std::string padding(1500, 'x');
    for (int i = 0; i < kRooms; ++i) {
      int64_t room = 0;
      const std::string id = "room-" + std::to_string(i);
      ASSERT_TRUE(store->CreateRoom("default", id, kWindowStart + i, &room).ok());
      const std::string json = "{\"room_id\":\"" + id + "\",\"padding\":\"" + padding + "\"}";
      ASSERT_TRUE(store->CloseRoom(room, kWindowStart + 1000 + i, json, kWindowStart).ok());
    }
    ASSERT_TRUE(store->SealWindow("default", kWindowStart, kWindowStart + kHour).ok());
  }

  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::vector<std::string> ExportArgs(const std::string& out) const {
    return {"--data-dir", dir_,
            "--from",     FormatIso8601(kWindowStart),
            "--to",       FormatIso8601(kWindowStart + kHour),
            "--out",      out};
  }

  ServiceConfig Config() const {
    ServiceConfig config;
    config.data_dir = dir_;
    ProjectConfig project;
    project.id = "default";
    project.api_keys = {"kill-test-key"};
    project.stream.interval_ms = kHour;
    config.projects.push_back(project);
    return config;
  }

  // Delivers every pending window once, in this process or a child.
  int Deliver() const {
    std::unique_ptr<Collector> collector;
    if (!Collector::Open(Config(), &collector).ok()) return 3;
    collector->Deliver(kWindowStart + 2 * kHour);
    return 0;
  }

  std::string dir_;
};

// Counts `"room_id":"room-<i>"` occurrences for every i; all must be 1.
void ExpectEveryRoomOnce(const std::string& body) {
  std::vector<int> seen(kRooms, 0);
  size_t pos = 0;
  const std::string marker = "\"room_id\":\"room-";
  while ((pos = body.find(marker, pos)) != std::string::npos) {
    pos += marker.size();
    const int i = std::atoi(body.c_str() + pos);
    ASSERT_GE(i, 0);
    ASSERT_LT(i, kRooms);
    ++seen[static_cast<size_t>(i)];
  }
  for (int i = 0; i < kRooms; ++i) ASSERT_EQ(seen[static_cast<size_t>(i)], 1) << "room " << i;
}

TEST_F(KillDuringExportTest, ExportKilledAtAnyMomentLeavesNoPartialFile) {
  const std::string out = dir_ + "/out/window.json";
  // The fastest of a few uninterrupted exports, to spread the kills over.
  int64_t run_us = INT64_MAX;
  for (int i = 0; i < 3; ++i) {
    const auto start = std::chrono::steady_clock::now();
    ASSERT_EQ(RunExport(ExportArgs(out)), 0);
    run_us = std::min<int64_t>(run_us, std::chrono::duration_cast<std::chrono::microseconds>(
                                           std::chrono::steady_clock::now() - start)
                                           .count());
  }
  const std::string expected = ReadFile(out);
  ExpectEveryRoomOnce(expected);

  int interrupted = 0;
  for (int round = 0; round < 10; ++round) {
    std::filesystem::remove(out);
    if (RunAndKill([&] { return RunExport(ExportArgs(out)); }, run_us * (round + 1) / 12)) {
      ++interrupted;
    }
    // Either no file at all or the whole, identical file: never a prefix.
    if (std::filesystem::exists(out)) {
      EXPECT_EQ(ReadFile(out), expected) << "round " << round;
    }
    EXPECT_EQ(VisibleFiles(dir_ + "/out").size(), std::filesystem::exists(out) ? 1u : 0u);
  }
  EXPECT_GE(interrupted, 5) << "most kills must land while the export runs";
}

TEST_F(KillDuringExportTest, DeliveryKilledAtAnyMomentIsCompletedOnceByTheNextProcess) {
  const std::string streams = dir_ + "/streams";
  const std::string db = dir_ + "/history.sqlite";
  std::filesystem::copy_file(db, db + ".pristine");
  // Back to one pending, undelivered window.
  const auto reset = [&] {
    std::filesystem::remove_all(streams);
    for (const char* suffix : {"-wal", "-shm"}) std::filesystem::remove(db + suffix);
    std::filesystem::copy_file(db + ".pristine", db,
                               std::filesystem::copy_options::overwrite_existing);
  };
  // The fastest of a few uninterrupted deliveries, to spread the kills over.
  int64_t run_us = INT64_MAX;
  for (int i = 0; i < 3; ++i) {
    reset();
    const auto start = std::chrono::steady_clock::now();
    ASSERT_EQ(Deliver(), 0);
    run_us = std::min<int64_t>(run_us, std::chrono::duration_cast<std::chrono::microseconds>(
                                           std::chrono::steady_clock::now() - start)
                                           .count());
  }
  const std::vector<std::string> first = VisibleFiles(streams);
  ASSERT_EQ(first.size(), 1u);
  const std::string expected = ReadFile(first[0]);
  ExpectEveryRoomOnce(expected);

  int interrupted = 0;
  for (int round = 0; round < 8; ++round) {
    reset();
    if (RunAndKill([&] { return Deliver(); }, run_us * (round + 1) / 10)) ++interrupted;
    for (const std::string& file : VisibleFiles(streams)) {
      EXPECT_EQ(ReadFile(file), expected) << "a visible file is always complete";
    }
    // The next process delivers whatever is still pending: one file, every room once,
    // the same bytes as an uninterrupted delivery.
    ASSERT_EQ(Deliver(), 0);
    const std::vector<std::string> files = VisibleFiles(streams);
    ASSERT_EQ(files.size(), 1u) << "round " << round;
    EXPECT_EQ(files[0], first[0]);
    EXPECT_EQ(ReadFile(files[0]), expected);
    std::unique_ptr<HistoryStore> store;
    ASSERT_TRUE(OpenSqliteStore(db, &store).ok());
    std::vector<StreamWindow> pending;
    ASSERT_TRUE(store->PendingWindows("default", &pending).ok());
    EXPECT_TRUE(pending.empty()) << "round " << round;
  }
  EXPECT_GE(interrupted, 4) << "most kills must land while the delivery runs";
}

}  // namespace
}  // namespace rtcstream
