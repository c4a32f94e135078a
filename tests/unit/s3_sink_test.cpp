// S3Sink against a real S3 API: tests/s3/server.js runs s3rver behind a proxy
// that verifies every SigV4 signature with AWS's own signer and injects faults.
// Objects are read back with the AWS CLI. Without node, the test server's npm
// packages or the AWS CLI these tests skip, except under CI (CI set), where
// they fail: scripts/install-deps.sh --with-browser installs all three.
#include "sinks/s3_sink.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <poll.h>
#include <signal.h>
#include <simdjson.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sinks/s3_backoff.h"
#include "sinks/s3_http.h"
#include "sinks/s3_status.h"
#include "sinks/s3_url.h"
#include "sinks/s3_xml.h"

extern char** environ;

namespace rtcstream {
namespace {

const std::string kSourceDir = RTCSTREAM_SOURCE_DIR;
const std::string kBucket = "rtcstream-test";

bool InCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && ci[0] != '\0' && std::strcmp(ci, "false") != 0;
}

// True when `name` is an executable on PATH.
bool OnPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (!dir.empty() && access((dir + "/" + name).c_str(), X_OK) == 0) return true;
  }
  return false;
}

std::string RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng() & 0xFF);
  return out;
}

std::string Md5Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_md5(), nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xF]);
  }
  return hex;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A temporary file path, removed at the end of the scope.
class TempPath {
 public:
  TempPath() {
    char pattern[] = "/tmp/rtcstream_s3_test.XXXXXX";
    const int fd = mkstemp(pattern);
    if (fd >= 0) close(fd);
    path_ = pattern;
  }
  ~TempPath() { unlink(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Runs argv[0] (from PATH) with the environment plus `env` ("NAME=value", which
// replace variables of the same name); stdout and stderr go to *output.
// Returns the exit code, or -1 when it could not run.
int RunProgram(const std::vector<std::string>& argv, const std::vector<std::string>& env,
               std::string* output) {
  TempPath out;
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string var = *e;
    const std::string name = var.substr(0, var.find('='));
    bool replaced = name.rfind("AWS_", 0) == 0;  // no stray profile, token or region
    for (const std::string& mine : env) replaced |= mine.substr(0, mine.find('=')) == name;
    if (!replaced) env_strings.push_back(var);
  }
  env_strings.insert(env_strings.end(), env.begin(), env.end());
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> argp;
  for (std::string& s : args) argp.push_back(s.data());
  argp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.path().c_str(), O_WRONLY | O_TRUNC, 0);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  const int err = posix_spawnp(&pid, argp[0], &actions, nullptr, argp.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (err != 0) return -1;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  *output = ReadFile(out.path());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// One HTTP request to the test server's control API, with libcurl.
long HttpCall(const std::string& method, const std::string& url, const std::string& body,
              std::string* response) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return 0;
  response->clear();
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  if (method == "POST") curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION, +[](char* data, size_t size, size_t n, void* user) {
        static_cast<std::string*>(user)->append(data, size * n);
        return size * n;
      });
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, response);
  long status = 0;
  if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return status;
}

std::string JsonString(simdjson::dom::element doc, const char* path) {
  std::string_view value;
  if (doc.at_pointer(path).get(value) != simdjson::SUCCESS) return "";
  return std::string(value);
}

// One request as the proxy logged it.
struct LoggedRequest {
  std::string method;
  std::string operation;  // e.g. "PutObject", "UploadPart"
  std::string fault;      // "" or the injected fault
  std::string payload;    // "sha256" for a signed body hash
  int64_t status = 0;     // 0: no answer (connection closed)
  int64_t bytes = 0;      // the body's size
};

// Access keys the test server accepts.
struct S3Key {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
};

// A running `node tests/s3/server.js`.
class S3TestServer {
 public:
  // Starts the server and waits for its ready line; "" or what went wrong.
  std::string Start() {
    secret_ = "s3cr3t:with/colon+" + RandomHex(12);
    int in[2];
    int out[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) return "pipe failed";
    std::vector<std::string> args = {"node",
                                     kSourceDir + "/tests/s3/server.js",
                                     "--bucket",
                                     kBucket,
                                     "--secret-access-key",
                                     secret_,
                                     "--exit-with-stdin"};
    std::vector<char*> argp;
    for (std::string& s : args) argp.push_back(s.data());
    argp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    const int err = posix_spawnp(&pid_, "node", &actions, nullptr, argp.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(in[0]);
    close(out[1]);
    stdin_ = in[1];
    stdout_ = out[0];
    if (err != 0) {
      pid_ = 0;
      return std::string("cannot start node: ") + std::strerror(err);
    }
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (line.empty() || line.back() != '\n') {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                            deadline - std::chrono::steady_clock::now())
                            .count();
      pollfd p{stdout_, POLLIN, 0};
      if (left <= 0 || poll(&p, 1, static_cast<int>(left)) <= 0) {
        return "no ready line from the S3 test server within 30 s";
      }
      char c;
      if (read(stdout_, &c, 1) != 1) return "the S3 test server exited before it was ready";
      line.push_back(c);
    }
    simdjson::dom::element doc;
    if (parser_.parse(line).get(doc) != simdjson::SUCCESS) return "bad ready line: " + line;
    endpoint_ = JsonString(doc, "/endpoint");
    control_ = JsonString(doc, "/control");
    region_ = JsonString(doc, "/region");
    main_ = {JsonString(doc, "/accessKeyId"), JsonString(doc, "/secretAccessKey"), ""};
    temporary_ = {JsonString(doc, "/temporary/accessKeyId"),
                  JsonString(doc, "/temporary/secretAccessKey"),
                  JsonString(doc, "/temporary/sessionToken")};
    if (endpoint_.empty() || main_.secret_access_key != secret_) return "bad ready line: " + line;
    return "";
  }

  ~S3TestServer() {
    if (stdin_ >= 0) close(stdin_);  // --exit-with-stdin: the server stops
    if (pid_ > 0) {
      int status = 0;
      for (int i = 0; i < 100 && waitpid(pid_, &status, WNOHANG) == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      if (waitpid(pid_, &status, WNOHANG) == 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
      }
    }
    if (stdout_ >= 0) close(stdout_);
  }

  // POSTs a fault setting, e.g. {"mode":"slowdown","count":2}.
  void Control(const std::string& json) {
    std::string response;
    ASSERT_EQ(HttpCall("POST", control_, json, &response), 200) << response;
  }

  void ClearLog() {
    std::string response;
    ASSERT_EQ(HttpCall("DELETE", control_ + "/log", "", &response), 204) << response;
  }

  std::vector<LoggedRequest> Log() {
    std::vector<LoggedRequest> log;
    std::string response;
    if (HttpCall("GET", control_ + "/log", "", &response) != 200) return log;
    simdjson::dom::array entries;
    if (parser_.parse(response).get(entries) != simdjson::SUCCESS) return log;
    for (simdjson::dom::element e : entries) {
      LoggedRequest r;
      r.method = JsonString(e, "/method");
      r.operation = JsonString(e, "/operation");
      r.fault = JsonString(e, "/fault");
      r.payload = JsonString(e, "/payload");
      int64_t status = 0;
      if (e.at_pointer("/status").get(status) == simdjson::SUCCESS) r.status = status;
      int64_t bytes = 0;
      if (e.at_pointer("/bytes").get(bytes) == simdjson::SUCCESS) r.bytes = bytes;
      log.push_back(r);
    }
    return log;
  }

  // Settings for the test bucket with short backoffs, so retries take milliseconds.
  S3Settings Settings() const {
    S3Settings s;
    s.bucket = kBucket;
    s.region = region_;
    s.endpoint = endpoint_;
    s.access_key_id = main_.access_key_id;
    s.secret_access_key = main_.secret_access_key;
    s.base_backoff_ms = 5;
    s.max_backoff_ms = 50;
    s.timeout_ms = 20000;
    return s;
  }

  // Reads `key` back with the AWS CLI: the exit code, its JSON or error text.
  int AwsGetObject(const std::string& key, std::string* body, std::string* output) {
    TempPath file;
    const int rc = RunProgram({"aws", "--endpoint-url", endpoint_, "s3api", "get-object",
                               "--bucket", kBucket, "--key", key, file.path()},
                              AwsEnv(), output);
    *body = ReadFile(file.path());
    return rc;
  }

  std::vector<std::string> AwsEnv() const {
    return {"AWS_ACCESS_KEY_ID=" + main_.access_key_id,
            "AWS_SECRET_ACCESS_KEY=" + main_.secret_access_key,
            "AWS_DEFAULT_REGION=" + region_,
            "AWS_EC2_METADATA_DISABLED=true",
            "AWS_CONFIG_FILE=/nonexistent",
            "AWS_SHARED_CREDENTIALS_FILE=/nonexistent",
            "AWS_PAGER="};
  }

  const std::string& endpoint() const { return endpoint_; }
  const S3Key& main_key() const { return main_; }
  const S3Key& temporary_key() const { return temporary_; }

 private:
  static std::string RandomHex(int n) {
    std::random_device rd;
    std::string out;
    for (int i = 0; i < n; ++i) out.push_back("0123456789abcdef"[rd() & 0xF]);
    return out;
  }

  pid_t pid_ = 0;
  int stdin_ = -1;
  int stdout_ = -1;
  simdjson::dom::parser parser_;
  std::string secret_;
  std::string endpoint_;
  std::string control_;
  std::string region_;
  S3Key main_;
  S3Key temporary_;
};

class S3SinkTest : public ::testing::Test {
 protected:
  static void TearDownTestSuite() { server_.reset(); }

  void SetUp() override {
    std::string missing;
    if (!OnPath("node")) {
      missing = "node";
    } else if (!std::filesystem::exists(kSourceDir + "/tests/s3/node_modules/s3rver")) {
      missing = "tests/s3/node_modules (npm ci in tests/s3)";
    } else if (!OnPath("aws")) {
      missing = "the AWS CLI (apt-get install awscli)";
    }
    if (!missing.empty()) {
      if (InCi()) FAIL() << "missing " << missing << "; run scripts/install-deps.sh --with-browser";
      GTEST_SKIP() << "missing " << missing << "; run scripts/install-deps.sh --with-browser";
    }
    if (server_ == nullptr) {
      auto server = std::make_unique<S3TestServer>();
      const std::string error = server->Start();
      ASSERT_EQ(error, "");
      server_ = std::move(server);
    }
    server_->Control(R"({"mode":"ok","clockSkewMs":0,"clearLog":true})");
  }

  std::unique_ptr<S3Sink> MakeSink(const S3Settings& settings) {
    std::unique_ptr<S3Sink> sink;
    Status s = S3Sink::Create(settings, &sink);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return sink;
  }

  // Puts `body` and checks that the AWS CLI reads back the same bytes.
  void PutAndReadBack(const std::string& key, const std::string& body, PutResult* result) {
    std::unique_ptr<S3Sink> sink = MakeSink(server_->Settings());
    ASSERT_NE(sink, nullptr);
    Status s = sink->Put(key, body, "application/json", result);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(result->location, "s3://" + kBucket + "/" + key);
    std::string back;
    std::string output;
    ASSERT_EQ(server_->AwsGetObject(key, &back, &output), 0) << output;
    EXPECT_EQ(back.size(), body.size());
    EXPECT_TRUE(back == body) << "the object read back differs";
    EXPECT_EQ(HexSha256(back), HexSha256(body));
  }

  // The operations of the logged requests, e.g. {"PutObject:503", "PutObject:200"}.
  std::vector<std::string> LoggedOperations() {
    std::vector<std::string> ops;
    for (const LoggedRequest& r : server_->Log()) {
      ops.push_back(r.operation + ":" + std::to_string(r.status));
    }
    return ops;
  }

  static std::unique_ptr<S3TestServer> server_;
};

std::unique_ptr<S3TestServer> S3SinkTest::server_;

using Ops = std::vector<std::string>;

TEST_F(S3SinkTest, PutsAnEmptyObject) {
  PutResult result;
  PutAndReadBack("acme/empty.json", "", &result);
  EXPECT_EQ(result.etag, "\"" + Md5Hex("") + "\"");
  EXPECT_EQ(LoggedOperations(), (Ops{"PutObject:200", "GetObject:200"}));
}

TEST_F(S3SinkTest, PutsFiveMegabytesInOneRequest) {
  const std::string body = RandomBytes(5000000, 1);
  PutResult result;
  PutAndReadBack("acme/5mb.json", body, &result);
  EXPECT_EQ(result.etag, "\"" + Md5Hex(body) + "\"");
  const std::vector<LoggedRequest> log = server_->Log();
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log[0].operation, "PutObject");
  EXPECT_EQ(log[0].payload, "sha256");  // a signed payload hash, never UNSIGNED-PAYLOAD
}

TEST_F(S3SinkTest, PutsSeventeenMebibytesAsMultipartUpload) {
  const std::string body = RandomBytes(17 << 20, 2);
  PutResult result;
  PutAndReadBack("acme/17mib.json", body, &result);
  EXPECT_FALSE(result.etag.empty());
  const std::vector<LoggedRequest> log = server_->Log();
  std::vector<std::string> ops;
  std::vector<int64_t> part_sizes;
  for (const LoggedRequest& r : log) {
    ops.push_back(r.operation + ":" + std::to_string(r.status));
    if (r.method == "PUT" || r.method == "POST") {
      EXPECT_EQ(r.payload, "sha256") << r.operation;
    }
    if (r.operation == "UploadPart") part_sizes.push_back(r.bytes);
  }
  EXPECT_EQ(ops, (Ops{"CreateMultipartUpload:200", "UploadPart:200", "UploadPart:200",
                      "UploadPart:200", "CompleteMultipartUpload:200", "GetObject:200"}));
  EXPECT_EQ(part_sizes, (std::vector<int64_t>{8 << 20, 8 << 20, 1 << 20}));
}

TEST_F(S3SinkTest, EncodesKeysAsS3Signs) {
  for (const std::string key : {"dt=2026-11-23/hour=10/a b:é.json",
                                "x/plus+bang!quote'paren()star*amp&dollar$at@comma,semi;tilde~"
                                "percent%hash#question?brackets[]=.json"}) {
    SCOPED_TRACE(key);
    PutResult result;
    PutAndReadBack(key, "{\"key\":1}\n", &result);
  }
}

TEST_F(S3SinkTest, StoresTheContentType) {
  std::unique_ptr<S3Sink> sink = MakeSink(server_->Settings());
  PutResult result;
  ASSERT_TRUE(sink->Put("acme/w.json.gz", "\x1f\x8b", "application/gzip", &result).ok());
  std::string body;
  std::string output;
  ASSERT_EQ(server_->AwsGetObject("acme/w.json.gz", &body, &output), 0) << output;
  EXPECT_NE(output.find("\"ContentType\": \"application/gzip\""), std::string::npos) << output;
}

TEST_F(S3SinkTest, WrongSecretIsPermissionDeniedWithoutTheSecret) {
  S3Settings settings = server_->Settings();
  settings.secret_access_key = "wrong/secret+" + settings.secret_access_key.substr(0, 10);
  std::unique_ptr<S3Sink> sink = MakeSink(settings);
  PutResult result;
  Status s = sink->Put("acme/w.json", "[]", "application/json", &result);
  EXPECT_EQ(s.code(), Status::Code::kPermissionDenied) << s.ToString();
  EXPECT_NE(s.message().find("S3 PUT s3://" + kBucket +
                             "/acme/w.json: 403 SignatureDoesNotMatch: "
                             "The request signature we calculated does not match"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(s.message().find(settings.secret_access_key), std::string::npos);
  EXPECT_EQ(s.message().find(server_->main_key().secret_access_key), std::string::npos);
  EXPECT_EQ(LoggedOperations(), (Ops{"PutObject:403"}));  // not retried
}

TEST_F(S3SinkTest, UnknownAccessKeyIsPermissionDenied) {
  S3Settings settings = server_->Settings();
  settings.access_key_id = "AKIANOSUCHKEY0000000";
  std::unique_ptr<S3Sink> sink = MakeSink(settings);
  PutResult result;
  Status s = sink->Put("acme/w.json", "[]", "application/json", &result);
  EXPECT_EQ(s.code(), Status::Code::kPermissionDenied) << s.ToString();
  EXPECT_NE(s.message().find("403 InvalidAccessKeyId"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("AKIANOSUCHKEY0000000"), std::string::npos) << s.message();
}

TEST_F(S3SinkTest, SendsTheSessionTokenOfTemporaryCredentials) {
  S3Settings settings = server_->Settings();
  settings.access_key_id = server_->temporary_key().access_key_id;
  settings.secret_access_key = server_->temporary_key().secret_access_key;
  settings.session_token = server_->temporary_key().session_token;
  PutResult result;
  Status s = MakeSink(settings)->Put("acme/t.json", "[]", "application/json", &result);
  EXPECT_TRUE(s.ok()) << s.ToString();

  settings.session_token.clear();
  s = MakeSink(settings)->Put("acme/t.json", "[]", "application/json", &result);
  EXPECT_EQ(s.code(), Status::Code::kPermissionDenied) << s.ToString();
  EXPECT_NE(s.message().find("session token rejected: 400 InvalidToken"), std::string::npos)
      << s.message();

  settings.session_token = "wrong-token-" + server_->temporary_key().session_token.substr(0, 8);
  s = MakeSink(settings)->Put("acme/t.json", "[]", "application/json", &result);
  EXPECT_EQ(s.code(), Status::Code::kPermissionDenied) << s.ToString();
  EXPECT_EQ(s.message().find(settings.session_token), std::string::npos) << s.message();
}

TEST_F(S3SinkTest, RetriesSlowDownThenSucceeds) {
  server_->Control(R"({"mode":"slowdown","count":2})");
  std::unique_ptr<S3Sink> sink = MakeSink(server_->Settings());
  PutResult result;
  Status s = sink->Put("acme/w.json", "[1]", "application/json", &result);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(LoggedOperations(), (Ops{"PutObject:503", "PutObject:503", "PutObject:200"}));
}

TEST_F(S3SinkTest, RetriesInternalErrors) {
  server_->Control(R"({"mode":"error500","count":1})");
  PutResult result;
  Status s = MakeSink(server_->Settings())->Put("acme/w.json", "[1]", "application/json", &result);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(LoggedOperations(), (Ops{"PutObject:500", "PutObject:200"}));
}

TEST_F(S3SinkTest, RetriesATimedOutRequest) {
  server_->Control(R"({"mode":"hang","count":1})");
  S3Settings settings = server_->Settings();
  settings.timeout_ms = 500;
  PutResult result;
  Status s = MakeSink(settings)->Put("acme/w.json", "[1]", "application/json", &result);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(LoggedOperations(), (Ops{"PutObject:0", "PutObject:200"}));
}

TEST_F(S3SinkTest, TimeoutIsUnavailable) {
  server_->Control(R"({"mode":"hang"})");
  S3Settings settings = server_->Settings();
  settings.timeout_ms = 300;
  settings.max_attempts = 2;
  PutResult result;
  Status s = MakeSink(settings)->Put("acme/w.json", "[1]", "application/json", &result);
  EXPECT_EQ(s.code(), Status::Code::kUnavailable) << s.ToString();
  EXPECT_NE(s.message().find("timeout after"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("(gave up after 2 attempts)"), std::string::npos) << s.message();
}

TEST_F(S3SinkTest, UnreachableEndpointIsUnavailableAfterMaxAttempts) {
  server_->Control(R"({"mode":"down"})");
  S3Settings settings = server_->Settings();
  settings.max_attempts = 4;
  std::unique_ptr<S3Sink> sink = MakeSink(settings);
  PutResult result;
  const auto start = std::chrono::steady_clock::now();
  Status s = sink->Put("acme/w.json", "[1]", "application/json", &result);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(s.code(), Status::Code::kUnavailable) << s.ToString();
  EXPECT_NE(s.message().find(server_->endpoint()), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("(gave up after 4 attempts)"), std::string::npos) << s.message();
  EXPECT_LT(elapsed, std::chrono::seconds(5));
  EXPECT_EQ(LoggedOperations(), (Ops{"PutObject:0", "PutObject:0", "PutObject:0", "PutObject:0"}));
}

TEST_F(S3SinkTest, DnsAndTlsFailuresAreRetriedUnlessAPersonWaits) {
  for (const std::string& endpoint :
       {std::string("http://s3.rtcstream-test.invalid:9000"),
        "https://" + server_->endpoint().substr(std::string("http://").size())}) {
    S3Settings settings = server_->Settings();
    settings.endpoint = endpoint;
    settings.max_attempts = 3;
    PutResult result;
    Status s = MakeSink(settings)->Put("acme/w.json", "[1]", "application/json", &result);
    EXPECT_EQ(s.code(), Status::Code::kUnavailable) << s.ToString();
    EXPECT_NE(s.message().find("(gave up after 3 attempts)"), std::string::npos) << s.message();

    // `streams test`: the first failure is the answer.
    settings.retry_dns_and_tls_failures = false;
    s = MakeSink(settings)->Put("acme/w.json", "[1]", "application/json", &result);
    EXPECT_EQ(s.code(), Status::Code::kUnavailable) << s.ToString();
    EXPECT_TRUE(s.message().find("cannot resolve host s3.rtcstream-test.invalid") !=
                    std::string::npos ||
                s.message().find("TLS failure with " + endpoint) != std::string::npos)
        << s.message();
    EXPECT_EQ(s.message().find("gave up"), std::string::npos) << s.message();
  }
  // Other failures are still retried.
  server_->Control(R"({"mode":"slowdown","count":1})");
  S3Settings settings = server_->Settings();
  settings.retry_dns_and_tls_failures = false;
  PutResult result;
  Status s = MakeSink(settings)->Put("acme/w.json", "[1]", "application/json", &result);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(LoggedOperations(), (Ops{"PutObject:503", "PutObject:200"}));
}

TEST_F(S3SinkTest, ConnectionRefusedIsUnavailable) {
  // A port that was free a moment ago: nothing listens there.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  close(fd);
  S3Settings settings = server_->Settings();
  settings.endpoint = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  settings.max_attempts = 2;
  PutResult result;
  Status s = MakeSink(settings)->Put("acme/w.json", "[1]", "application/json", &result);
  EXPECT_EQ(s.code(), Status::Code::kUnavailable) << s.ToString();
  EXPECT_NE(s.message().find("cannot connect to " + settings.endpoint), std::string::npos)
      << s.message();
}

TEST_F(S3SinkTest, ForbiddenIsPermissionDeniedAndNotRetried) {
  server_->Control(R"({"mode":"forbidden"})");
  PutResult result;
  Status s = MakeSink(server_->Settings())->Put("acme/w.json", "[1]", "application/json", &result);
  EXPECT_EQ(s.code(), Status::Code::kPermissionDenied) << s.ToString();
  EXPECT_NE(s.message().find("403 AccessDenied: Access Denied"), std::string::npos) << s.message();
  EXPECT_EQ(LoggedOperations(), (Ops{"PutObject:403"}));
}

TEST_F(S3SinkTest, ClockSkewIsNamed) {
  server_->Control(R"({"clockSkewMs":3600000})");
  PutResult result;
  Status s = MakeSink(server_->Settings())->Put("acme/w.json", "[1]", "application/json", &result);
  EXPECT_EQ(s.code(), Status::Code::kPermissionDenied) << s.ToString();
  EXPECT_NE(s.message().find("clock skew: "), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("403 RequestTimeTooSkewed"), std::string::npos) << s.message();
  EXPECT_EQ(LoggedOperations(), (Ops{"PutObject:403"}));
}

TEST_F(S3SinkTest, FailedMultipartUploadIsAborted) {
  // CreateMultipartUpload passes, the first UploadPart is refused.
  server_->Control(R"({"mode":"forbidden","count":1,"after":1})");
  S3Settings settings = server_->Settings();
  settings.multipart_threshold = 1 << 20;
  settings.part_size = 5 << 20;
  PutResult result;
  Status s = MakeSink(settings)->Put("acme/big.json", RandomBytes(6 << 20, 3), "application/json",
                                     &result);
  EXPECT_EQ(s.code(), Status::Code::kPermissionDenied) << s.ToString();
  EXPECT_NE(s.message().find("(UploadPart 1 of 2): 403 AccessDenied"), std::string::npos)
      << s.message();
  EXPECT_EQ(LoggedOperations(),
            (Ops{"CreateMultipartUpload:200", "UploadPart:403", "AbortMultipartUpload:204"}));
  std::string body;
  std::string output;
  EXPECT_NE(server_->AwsGetObject("acme/big.json", &body, &output), 0);
  EXPECT_NE(output.find("NoSuchKey"), std::string::npos) << output;
}

TEST_F(S3SinkTest, RetriesOnePartOfAMultipartUpload) {
  // The second UploadPart meets a SlowDown and is sent again.
  server_->Control(R"({"mode":"slowdown","count":1,"after":2})");
  S3Settings settings = server_->Settings();
  settings.multipart_threshold = 1 << 20;
  settings.part_size = 5 << 20;
  const std::string body = RandomBytes(11 << 20, 4);
  PutResult result;
  Status s = MakeSink(settings)->Put("acme/parts.json", body, "application/json", &result);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(LoggedOperations(),
            (Ops{"CreateMultipartUpload:200", "UploadPart:200", "UploadPart:503", "UploadPart:200",
                 "UploadPart:200", "CompleteMultipartUpload:200"}));
  std::string back;
  std::string output;
  ASSERT_EQ(server_->AwsGetObject("acme/parts.json", &back, &output), 0) << output;
  EXPECT_EQ(HexSha256(back), HexSha256(body));
}

TEST_F(S3SinkTest, DeleteRemovesTheObject) {
  std::unique_ptr<S3Sink> sink = MakeSink(server_->Settings());
  PutResult result;
  ASSERT_TRUE(sink->Put("acme/gone.json", "[]", "application/json", &result).ok());
  Status s = sink->Delete("acme/gone.json");
  EXPECT_TRUE(s.ok()) << s.ToString();
  std::string body;
  std::string output;
  EXPECT_NE(server_->AwsGetObject("acme/gone.json", &body, &output), 0);
  EXPECT_NE(output.find("NoSuchKey"), std::string::npos) << output;
}

TEST_F(S3SinkTest, ProbeWritesAndDeletesAProbeObject) {
  std::unique_ptr<S3Sink> sink = MakeSink(server_->Settings());
  std::string report;
  Status s = sink->Probe("watchrtc/", &report);
  ASSERT_TRUE(s.ok()) << s.ToString() << "\n" << report;
  EXPECT_NE(report.find("1. PUT s3://" + kBucket + "/watchrtc/.rtcstream-probe-"),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("2. DELETE s3://" + kBucket + "/watchrtc/.rtcstream-probe-"),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("Probe passed"), std::string::npos) << report;
  EXPECT_EQ(report.find(server_->main_key().secret_access_key), std::string::npos);
  EXPECT_EQ(LoggedOperations(), (Ops{"PutObject:200", "DeleteObject:204"}));
}

TEST_F(S3SinkTest, ProbeOfAMissingBucketIsNotFound) {
  S3Settings settings = server_->Settings();
  settings.bucket = "no-such-bucket";
  std::unique_ptr<S3Sink> sink = MakeSink(settings);
  std::string report;
  Status s = sink->Probe("watchrtc/", &report);
  EXPECT_EQ(s.code(), Status::Code::kNotFound) << s.ToString();
  EXPECT_NE(s.message().find("bucket no-such-bucket does not exist"), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("404 NoSuchBucket"), std::string::npos) << s.message();
  EXPECT_NE(report.find("1. PUT s3://no-such-bucket/watchrtc/.rtcstream-probe-"), std::string::npos)
      << report;
  EXPECT_NE(report.find("Probe failed at step 1 of 2 (PUT)"), std::string::npos) << report;
}

TEST(S3SinkCreateTest, RejectsBadSettings) {
  S3Settings good;
  good.bucket = "b";
  good.access_key_id = "AKIA";
  good.secret_access_key = "secret";
  std::unique_ptr<S3Sink> sink;
  ASSERT_TRUE(S3Sink::Create(good, &sink).ok());

  auto rejects = [&](void (*change)(S3Settings*), const char* field) {
    S3Settings s = good;
    change(&s);
    std::unique_ptr<S3Sink> bad;
    const Status st = S3Sink::Create(s, &bad);
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << field;
    EXPECT_NE(st.message().find(field), std::string::npos) << st.message();
    EXPECT_EQ(bad, nullptr);
  };
  rejects([](S3Settings* s) { s->bucket = ""; }, "bucket");
  rejects([](S3Settings* s) { s->bucket = "a/b"; }, "bucket");
  rejects([](S3Settings* s) { s->region = ""; }, "region");
  rejects([](S3Settings* s) { s->endpoint = "ftp://x"; }, "endpoint");
  rejects([](S3Settings* s) { s->endpoint = "http://host/path"; }, "endpoint");
  rejects([](S3Settings* s) { s->access_key_id = ""; }, "access_key_id");
  rejects([](S3Settings* s) { s->secret_access_key = ""; }, "secret_access_key");
  rejects([](S3Settings* s) { s->part_size = 1 << 20; }, "part_size");
  rejects([](S3Settings* s) { s->max_attempts = 0; }, "max_attempts");
  rejects([](S3Settings* s) { s->max_backoff_ms = -1; }, "backoff");
  rejects([](S3Settings* s) { s->timeout_ms = 0; }, "timeout_ms");
}

TEST(S3SinkCreateTest, RejectsUnsafeKeysWithoutSending) {
  S3Settings settings;
  settings.bucket = "b";
  settings.endpoint = "http://127.0.0.1:9";  // never contacted
  settings.access_key_id = "AKIA";
  settings.secret_access_key = "secret";
  std::unique_ptr<S3Sink> sink;
  ASSERT_TRUE(S3Sink::Create(settings, &sink).ok());
  PutResult result;
  for (const std::string& key :
       std::vector<std::string>{"", "/abs", "a/../b", "a//b", std::string(1025, 'k')}) {
    EXPECT_EQ(sink->Put(key, "x", "application/json", &result).code(),
              Status::Code::kInvalidArgument)
        << key;
  }
}

TEST(S3UrlTest, EncodesKeysAndQueries) {
  EXPECT_EQ(S3UriEncode("dt=2026-11-23/hour=10/a b:é.json", true),
            "dt%3D2026-11-23/hour%3D10/a%20b%3A%C3%A9.json");
  EXPECT_EQ(S3UriEncode("a/b~_-.+*", false), "a%2Fb~_-.%2B%2A");
  EXPECT_EQ(S3CanonicalQuery({{"uploads", ""}}), "uploads=");
  EXPECT_EQ(S3CanonicalQuery({{"uploadId", "x/y="}, {"partNumber", "2"}}),
            "partNumber=2&uploadId=x%2Fy%3D");
}

TEST(S3UrlTest, AwsIsVirtualHostedAndEndpointsArePathStyle) {
  EXPECT_EQ(S3ObjectUrl({"", "eu-west-1", "acme"}, "a b.json", ""),
            "https://acme.s3.eu-west-1.amazonaws.com/a%20b.json");
  EXPECT_EQ(S3ObjectUrl({"", "eu-west-1", "acme.data"}, "k", "uploads="),
            "https://s3.eu-west-1.amazonaws.com/acme.data/k?uploads=");
  EXPECT_EQ(S3ObjectUrl({"http://127.0.0.1:9000", "us-east-1", "acme"}, "p/k", ""),
            "http://127.0.0.1:9000/acme/p/k");
}

TEST(S3XmlTest, ReadsErrorsAndResults) {
  S3ErrorXml e;
  ASSERT_TRUE(ParseS3ErrorXml(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchBucket</Code>"
      "<Message>The specified bucket does not exist</Message><BucketName>b</BucketName>"
      "<RequestId>R1</RequestId></Error>",
      &e));
  EXPECT_EQ(e.code, "NoSuchBucket");
  EXPECT_EQ(e.message, "The specified bucket does not exist");
  EXPECT_EQ(e.request_id, "R1");
  EXPECT_FALSE(ParseS3ErrorXml("<html><body>Bad Gateway</body></html>", &e));
  EXPECT_FALSE(ParseS3ErrorXml("", &e));
  std::string id;
  ASSERT_TRUE(S3XmlField(
      "<InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Bucket>b</Bucket><Key>k</Key><UploadId>u&amp;1</UploadId></InitiateMultipartUploadResult>",
      "InitiateMultipartUploadResult", "UploadId", &id));
  EXPECT_EQ(id, "u&1");
  EXPECT_EQ(CompleteMultipartUploadXml({{1, "\"e1\""}, {2, "\"e2\""}}),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CompleteMultipartUpload "
            "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Part><PartNumber>1</PartNumber>"
            "<ETag>\"e1\"</ETag></Part><Part><PartNumber>2</PartNumber><ETag>\"e2\"</ETag></Part>"
            "</CompleteMultipartUpload>");
}

S3RequestLabel Label() {
  S3RequestLabel label;
  label.operation = "S3 PUT s3://b/k";
  label.endpoint = "https://b.s3.eu-west-1.amazonaws.com";
  label.bucket = "b";
  label.region = "eu-west-1";
  label.access_key_id = "AKIA1";
  label.timeout_ms = 1000;
  return label;
}

S3HttpResponse Answer(long status, std::string body) {
  S3HttpResponse r;
  r.http_status = status;
  r.body = std::move(body);
  return r;
}

TEST(S3StatusTest, NamesTransportFailures) {
  S3HttpResponse r;
  r.curl_code = CURLE_COULDNT_RESOLVE_HOST;
  r.curl_error = "Could not resolve host: b.s3.eu-west-1.amazonaws.com";
  Status s = S3ResponseStatus(Label(), r);
  EXPECT_EQ(s.code(), Status::Code::kUnavailable);
  EXPECT_NE(s.message().find("S3 PUT s3://b/k: cannot resolve host b.s3.eu-west-1.amazonaws.com"),
            std::string::npos)
      << s.message();
  EXPECT_TRUE(S3ShouldRetry(r));

  r.curl_code = CURLE_PEER_FAILED_VERIFICATION;
  r.curl_error = "SSL certificate problem: self-signed certificate";
  s = S3ResponseStatus(Label(), r);
  EXPECT_EQ(s.code(), Status::Code::kUnavailable);
  EXPECT_NE(s.message().find("TLS failure with https://b.s3.eu-west-1.amazonaws.com"),
            std::string::npos)
      << s.message();
  EXPECT_FALSE(S3ShouldRetry(r));  // a certificate does not fix itself
}

TEST(S3StatusTest, TellsDnsAndTlsFailures) {
  S3HttpResponse r;
  for (int code :
       {CURLE_COULDNT_RESOLVE_HOST, CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION}) {
    r.curl_code = code;
    EXPECT_TRUE(S3IsDnsOrTlsFailure(r)) << code;
  }
  for (int code : {CURLE_COULDNT_CONNECT, CURLE_OPERATION_TIMEDOUT, CURLE_GOT_NOTHING}) {
    r.curl_code = code;
    EXPECT_FALSE(S3IsDnsOrTlsFailure(r)) << code;
  }
  EXPECT_FALSE(S3IsDnsOrTlsFailure(Answer(503, "<Error><Code>SlowDown</Code></Error>")));
}

TEST(S3StatusTest, MapsS3ErrorsToCodes) {
  auto error = [](long status, const std::string& code, const std::string& extra = "") {
    return Answer(status, "<Error><Code>" + code + "</Code><Message>m</Message>" + extra +
                              "<RequestId>R</RequestId></Error>");
  };
  Status s = S3ResponseStatus(Label(), error(404, "NoSuchBucket"));
  EXPECT_EQ(s.code(), Status::Code::kNotFound);
  EXPECT_NE(s.message().find("bucket b does not exist"), std::string::npos) << s.message();

  s = S3ResponseStatus(Label(), error(403, "RequestTimeTooSkewed",
                                      "<RequestTime>20261123T100000Z</RequestTime>"
                                      "<ServerTime>2026-11-23T11:00:00Z</ServerTime>"));
  EXPECT_EQ(s.code(), Status::Code::kPermissionDenied);
  EXPECT_NE(s.message().find("clock skew: "), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("2026-11-23T11:00:00Z"), std::string::npos) << s.message();

  s = S3ResponseStatus(Label(), error(400, "ExpiredToken"));
  EXPECT_EQ(s.code(), Status::Code::kPermissionDenied);

  s = S3ResponseStatus(Label(),
                       error(400, "AuthorizationHeaderMalformed", "<Region>us-west-2</Region>"));
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("wrong region: bucket b is in us-west-2, not eu-west-1"),
            std::string::npos)
      << s.message();

  s = S3ResponseStatus(Label(), error(400, "InvalidArgument"));
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "S3 PUT s3://b/k: 400 InvalidArgument: m (request id R)");

  EXPECT_TRUE(S3ShouldRetry(error(400, "RequestTimeout")));
  EXPECT_TRUE(S3ShouldRetry(error(503, "SlowDown")));
  EXPECT_TRUE(S3ShouldRetry(Answer(429, "")));
  EXPECT_TRUE(S3ShouldRetry(Answer(408, "")));
  EXPECT_FALSE(S3ShouldRetry(error(403, "AccessDenied")));
  EXPECT_FALSE(S3ShouldRetry(error(404, "NoSuchBucket")));

  s = S3ResponseStatus(Label(), Answer(502, "<html>Bad Gateway</html>"));
  EXPECT_EQ(s.code(), Status::Code::kUnavailable);
  EXPECT_NE(s.message().find("HTTP 502"), std::string::npos) << s.message();
}

TEST(S3BackoffTest, FullJitterStaysUnderTheDoublingCap) {
  std::mt19937_64 rng(7);
  for (int attempt = 1; attempt <= 12; ++attempt) {
    const int64_t cap = std::min<int64_t>(20000, int64_t{200} << (attempt - 1));
    int64_t largest = 0;
    for (int i = 0; i < 200; ++i) {
      const int64_t d = FullJitterBackoffMs(attempt, 200, 20000, &rng);
      EXPECT_GE(d, 0);
      EXPECT_LE(d, cap);
      largest = std::max(largest, d);
    }
    EXPECT_GT(largest, cap / 2);  // the whole range is used
  }
  EXPECT_EQ(FullJitterBackoffMs(3, 0, 0, &rng), 0);
}

}  // namespace
}  // namespace rtcstream
