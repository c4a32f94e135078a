#include "sinks/file_sink.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sinks/object_name.h"
#include "temp_dir.h"

namespace rtcstream {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Every regular file under `dir`, relative to it, sorted.
std::vector<std::string> FilesUnder(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (entry.is_regular_file()) {
      files.push_back(std::filesystem::relative(entry.path(), dir).string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Put with the content type the collector uses; copies the location on success.
Status PutAt(FileSink* sink, std::string_view name, std::string_view body, std::string* location) {
  PutResult result;
  Status s = sink->Put(name, body, "application/json", &result);
  if (s.ok()) *location = result.location;
  return s;
}

class FileSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    root_ = dir_.path() + "/data/streams";
    Status s = FileSink::Create(root_ + "/", &sink_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  TempDir dir_;
  std::string root_;
  std::unique_ptr<FileSink> sink_;
};

TEST_F(FileSinkTest, CreatesRootAndNormalisesIt) {
  EXPECT_EQ(sink_->root(), root_);
  EXPECT_TRUE(std::filesystem::is_directory(root_));
}

TEST_F(FileSinkTest, WritesUnderSubdirectories) {
  const std::string name = "acme/20261123T100000Z_20261123T110000Z.json";
  std::string location;
  Status s = PutAt(sink_.get(), name, "[]\n", &location);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(location, root_ + "/" + name);
  EXPECT_EQ(ReadFile(location), "[]\n");
  s = PutAt(sink_.get(), "a/b/c/deep.json", "x", &location);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(ReadFile(root_ + "/a/b/c/deep.json"), "x");
}

TEST_F(FileSinkTest, ReplacesAtomicallyAndLeavesNoTemporaryFiles) {
  std::string location;
  ASSERT_TRUE(PutAt(sink_.get(), "acme/w.json", std::string(100000, 'a'), &location).ok());
  struct stat before;
  ASSERT_EQ(stat(location.c_str(), &before), 0);
  ASSERT_TRUE(PutAt(sink_.get(), "acme/w.json", "short", &location).ok());
  EXPECT_EQ(ReadFile(location), "short");
  // A rename replaces the directory entry with a new file; writing in place would keep the inode.
  struct stat after;
  ASSERT_EQ(stat(location.c_str(), &after), 0);
  EXPECT_NE(before.st_ino, after.st_ino);
  ASSERT_TRUE(PutAt(sink_.get(), "acme/empty.json", "", &location).ok());
  EXPECT_EQ(ReadFile(location), "");
  EXPECT_EQ(FilesUnder(root_), (std::vector<std::string>{"acme/empty.json", "acme/w.json"}));
}

TEST_F(FileSinkTest, BinaryBodyIsWrittenExactly) {
  std::string body;
  for (int i = 0; i < 70000; ++i) body.push_back(static_cast<char>(i % 256));
  std::string location;
  ASSERT_TRUE(PutAt(sink_.get(), "bin.json", body, &location).ok());
  EXPECT_EQ(ReadFile(location), body);
}

TEST_F(FileSinkTest, ConcurrentPutsOfOneNameLeaveOneWholeFile) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < 20; ++i) {
        std::string location;
        EXPECT_TRUE(
            PutAt(sink_.get(), "acme/same.json", std::string(5000, 'a' + t), &location).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  const std::string body = ReadFile(root_ + "/acme/same.json");
  ASSERT_EQ(body.size(), 5000u);
  EXPECT_EQ(body, std::string(5000, body[0]));
  EXPECT_EQ(FilesUnder(root_), (std::vector<std::string>{"acme/same.json"}));
}

TEST_F(FileSinkTest, RejectsUnsafeNames) {
  for (const std::string& name :
       {std::string(), std::string("/etc/passwd"), std::string("../escape.json"),
        std::string("acme/../../escape.json"), std::string("acme/.."), std::string("a//b.json"),
        std::string("acme/"), std::string("./a.json"), std::string("a\\b.json"),
        std::string("a\0b.json", 8)}) {
    std::string location = "unchanged";
    Status s = PutAt(sink_.get(), name, "x", &location);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << "name: " << name;
    EXPECT_EQ(location, "unchanged");
  }
  EXPECT_TRUE(FilesUnder(dir_.path()).empty());
}

TEST_F(FileSinkTest, FileInTheWayOfADirectoryIsAnIOError) {
  std::string location;
  ASSERT_TRUE(PutAt(sink_.get(), "acme", "a file, not a folder", &location).ok());
  Status s = PutAt(sink_.get(), "acme/w.json", "x", &location);
  EXPECT_EQ(s.code(), Status::Code::kIOError) << s.ToString();
  EXPECT_NE(s.message().find("acme"), std::string::npos) << s.message();
}

TEST_F(FileSinkTest, ResultHasThePathAndNoEtag) {
  PutResult result;
  result.etag = "stale";
  ASSERT_TRUE(sink_->Put("acme/w.json.gz", "gz", "application/gzip", &result).ok());
  EXPECT_EQ(result.location, root_ + "/acme/w.json.gz");
  EXPECT_EQ(result.etag, "");
}

TEST_F(FileSinkTest, ProbeWritesAndRemovesAProbeFile) {
  std::string report;
  Status s = sink_->Probe("", &report);
  ASSERT_TRUE(s.ok()) << s.ToString() << "\n" << report;
  EXPECT_NE(report.find("1. write " + root_ + "/.rtcstream-probe-"), std::string::npos) << report;
  EXPECT_NE(report.find("2. remove"), std::string::npos) << report;
  EXPECT_NE(report.find("Probe passed"), std::string::npos) << report;
  EXPECT_TRUE(FilesUnder(root_).empty());
}

TEST_F(FileSinkTest, ProbeOfAnUnwritableRootSaysWhichStepFailed) {
  // A file where the root directory was: fails for root too, unlike permissions.
  std::filesystem::remove_all(root_);
  std::ofstream(root_) << "x";
  std::string report;
  Status s = sink_->Probe("", &report);
  EXPECT_EQ(s.code(), Status::Code::kIOError) << s.ToString();
  EXPECT_NE(report.find("Probe failed at step 1 of 2 (write)"), std::string::npos) << report;
}

TEST(ObjectNameTest, AcceptsOrdinaryNames) {
  EXPECT_TRUE(ValidateObjectName("acme/20261123T100000Z_20261123T110000Z.json").ok());
  EXPECT_TRUE(ValidateObjectName("x").ok());
  EXPECT_TRUE(ValidateObjectName("a..b/c...json").ok());  // dots inside a name are fine
  EXPECT_TRUE(ValidateObjectName(".hidden").ok());
}

TEST(FileSinkCreateTest, UncreatableRootIsAnIOError) {
  TempDir dir;
  const std::string blocker = dir.path() + "/file";
  std::ofstream(blocker) << "x";
  std::unique_ptr<FileSink> sink;
  Status s = FileSink::Create(blocker + "/streams", &sink);
  EXPECT_EQ(s.code(), Status::Code::kIOError) << s.ToString();
  EXPECT_EQ(sink, nullptr);
  EXPECT_EQ(FileSink::Create("", &sink).code(), Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace rtcstream
