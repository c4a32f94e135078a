#include "service/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "service/sink_factory.h"
#include "temp_dir.h"

namespace rtcstream {
namespace {

std::string WriteTemp(const std::string& text) {
  char path[] = "/tmp/rtcstream-config-XXXXXX";
  const int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << text;
  return path;
}

TEST(ConfigTest, ReadsTheDocumentedFile) {
  const std::string path = WriteTemp(R"(
listen = "0.0.0.0:9000"
data_dir = "/var/lib/rtcstream"
public_url = "https://rtc.example.com/"
room_close_grace = "90s"

[[project]]
id = "acme"
api_keys = ["acme-live-key", "production:acme-2"]
collection_interval = "8s"
[project.stream]
sink = "file"
interval = 60
prefix = "watchrtc/"

[[project]]
id = "globex"
api_keys = ["globex-key"]
[project.stream]
interval = "30s"

[limits]
max_frame_bytes = 2048
)");
  ServiceConfig config;
  Status s = LoadConfigFile(path, &config);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(config.listen_host, "0.0.0.0");
  EXPECT_EQ(config.listen_port, 9000);
  EXPECT_EQ(config.data_dir, "/var/lib/rtcstream");
  EXPECT_EQ(EffectivePublicUrl(config), "https://rtc.example.com");
  EXPECT_EQ(config.room_close_grace_ms, 90000);
  EXPECT_EQ(config.limits.max_frame_bytes, 2048u);
  ASSERT_EQ(config.projects.size(), 2u);
  EXPECT_EQ(config.projects[0].id, "acme");
  EXPECT_EQ(config.projects[0].api_keys.size(), 2u);
  EXPECT_EQ(config.projects[0].collection_interval_ms, 8000);
  EXPECT_EQ(config.projects[0].stream.interval_ms, 3600000);  // minutes, as customers give it
  EXPECT_EQ(config.projects[0].stream.prefix, "watchrtc/");
  EXPECT_EQ(config.projects[1].stream.interval_ms, 30000);
  EXPECT_EQ(config.projects[1].collection_interval_ms, 8000);  // default
  EXPECT_TRUE(ValidateConfig(config).ok());
  unlink(path.c_str());
}

// Loads `text` as a config file; *path (when given) is the file it was in.
Status LoadText(const std::string& text, ServiceConfig* config, std::string* path = nullptr) {
  const std::string file = WriteTemp(text);
  Status s = LoadConfigFile(file, config);
  unlink(file.c_str());
  if (path != nullptr) *path = file;
  return s;
}

TEST(ConfigTest, ReadsS3Streams) {
  TempDir dir;
  const std::string token_file = dir.path() + "/session-token";
  std::ofstream(token_file) << "token-from-a-file\n";
  setenv("RTCSTREAM_TEST_S3_SECRET", "secret-from-the-environment", 1);
  ServiceConfig config;
  Status s = LoadText(R"(
[[project]]
id = "acme"
api_keys = ["acme-key"]
[project.stream]
sink = "s3"
bucket = "watchrtc-data-streams"
prefix = "watchrtc/"
interval = 15
endpoint = "https://minio.internal:9000"
access_key_id = "AKIAEXAMPLE"
secret_access_key = "env:RTCSTREAM_TEST_S3_SECRET"
session_token = "file:)" + token_file +
                          R"("
format = "ndjson"
compression = "gzip"
key_template = "{prefix}dt={yyyy}-{mm}-{dd}/{window_start}{ext}"

[[project]]
id = "globex"
api_keys = ["globex-key"]
[project.stream]
sink = "s3"
bucket = "globex-watchrtc"
interval = "30s"
region = "eu-central-1"
access_key_id = "AKIAGLOBEX"
secret_access_key = "inline-secret"
session_token = "inline-token"
)",
                      &config);
  unsetenv("RTCSTREAM_TEST_S3_SECRET");
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_TRUE(ValidateConfig(config).ok()) << ValidateConfig(config).ToString();
  ASSERT_EQ(config.projects.size(), 2u);

  const StreamConfig& acme = config.projects[0].stream;
  EXPECT_EQ(acme.sink, "s3");
  EXPECT_EQ(acme.bucket, "watchrtc-data-streams");
  EXPECT_EQ(acme.prefix, "watchrtc/");
  EXPECT_EQ(acme.interval_ms, 15 * 60000);  // minutes, as customers give it
  EXPECT_EQ(acme.region, "us-east-1");      // the default
  EXPECT_EQ(acme.endpoint, "https://minio.internal:9000");
  EXPECT_EQ(acme.access_key_id, "AKIAEXAMPLE");
  EXPECT_EQ(acme.secret_access_key.source, "env:RTCSTREAM_TEST_S3_SECRET");
  EXPECT_EQ(acme.secret_access_key.value, "secret-from-the-environment");
  EXPECT_EQ(acme.session_token.source, "file:" + token_file);
  EXPECT_EQ(acme.session_token.value, "token-from-a-file");  // without the newline
  EXPECT_EQ(acme.encoding.format, StreamFormat::kNdjson);
  EXPECT_EQ(acme.encoding.compression, StreamCompression::kGzip);
  EXPECT_EQ(acme.key_template, "{prefix}dt={yyyy}-{mm}-{dd}/{window_start}{ext}");

  const StreamConfig& globex = config.projects[1].stream;
  EXPECT_EQ(globex.interval_ms, 30000);
  EXPECT_EQ(globex.region, "eu-central-1");
  EXPECT_EQ(globex.endpoint, "");  // AWS
  EXPECT_EQ(globex.prefix, "");
  EXPECT_EQ(globex.secret_access_key.source, "inline");
  EXPECT_EQ(globex.secret_access_key.value, "inline-secret");
  EXPECT_EQ(globex.encoding.format, StreamFormat::kJson);
  EXPECT_EQ(globex.encoding.compression, StreamCompression::kNone);
  EXPECT_EQ(globex.key_template, kDefaultKeyTemplate);

  // What the S3 sink is given, the session token included.
  const S3Settings settings = S3SettingsFor(acme);
  EXPECT_EQ(settings.bucket, "watchrtc-data-streams");
  EXPECT_EQ(settings.region, "us-east-1");
  EXPECT_EQ(settings.endpoint, "https://minio.internal:9000");
  EXPECT_EQ(settings.access_key_id, "AKIAEXAMPLE");
  EXPECT_EQ(settings.secret_access_key, "secret-from-the-environment");
  EXPECT_EQ(settings.session_token, "token-from-a-file");
  EXPECT_EQ(S3SettingsFor(globex).session_token, "inline-token");
  std::unique_ptr<Sink> sink;
  s = MakeSink(config, config.projects[0], &sink);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST(ConfigTest, SecretErrorsNameTheSourceButNoSecret) {
  TempDir dir;
  const std::string empty_file = dir.path() + "/empty";
  std::ofstream(empty_file) << "\n";
  unsetenv("RTCSTREAM_TEST_UNSET");
  const std::string stream =
      "[[project]]\nid = \"acme\"\napi_keys = [\"acme-key\"]\n[project.stream]\nsink = \"s3\"\n"
      "bucket = \"b\"\naccess_key_id = \"AKIAEXAMPLE\"\n";
  for (const auto& [text, expected] : std::vector<std::pair<std::string, std::string>>{
           {stream + "secret_access_key = \"env:RTCSTREAM_TEST_UNSET\"\n"
                     "session_token = \"inline-token-value\"\n",
            "project \"acme\": stream.secret_access_key: environment variable "
            "RTCSTREAM_TEST_UNSET is not set"},
           {stream + "secret_access_key = \"inline-secret-value\"\n"
                     "session_token = \"file:/nonexistent/rtcstream/token\"\n",
            "project \"acme\": stream.session_token: cannot read /nonexistent/rtcstream/token (No "
            "such file or directory)"},
           {stream +
                "secret_access_key = \"inline-secret-value\"\n"
                "session_token = \"file:" +
                empty_file + "\"\n",
            "project \"acme\": stream.session_token: " + empty_file + " is empty"},
           {stream +
                "session_token = \"inline-token-value\"\n"
                "secret_access_key = \"file:" +
                dir.path() + "\"\n",
            "project \"acme\": stream.secret_access_key: cannot read " + dir.path() +
                " (Is a directory)"},
           {stream + "session_token = \"inline-token-value\"\n"
                     "secret_access_key = \"file:/dev/zero\"\n",
            "project \"acme\": stream.secret_access_key: cannot read /dev/zero (larger than 64 "
            "KiB)"},
           {"[[project]]\nid = \"acme\"\napi_keys = [\"acme-key\"]\n"
            "access_tokens = [\"inline-token-value\", \"env:RTCSTREAM_TEST_UNSET\"]\n",
            "project \"acme\": access_tokens: environment variable RTCSTREAM_TEST_UNSET is not "
            "set"}}) {
    ServiceConfig config;
    Status s = LoadText(text, &config);
    EXPECT_FALSE(s.ok()) << text;
    EXPECT_NE(s.message().find(expected), std::string::npos) << s.ToString();
    EXPECT_EQ(s.message().find("inline-secret-value"), std::string::npos) << s.ToString();
    EXPECT_EQ(s.message().find("inline-token-value"), std::string::npos) << s.ToString();
  }
}

TEST(ConfigTest, RejectsUnknownKeysNamingTheKeyAndItsTable) {
  const std::string project = "[[project]]\nid = \"acme\"\napi_keys = [\"k\"]\n";
  for (const auto& [text, expected] : std::vector<std::pair<std::string, std::string>>{
           {"listen = \"127.0.0.1:80\"\napi_key = \"x\"\n",
            ":2:1: unknown key \"api_key\" at the top level"},
           {"[[project]]\nid = \"acme\"\napi_key = \"x\"\n",
            ":3:1: unknown key \"api_key\" in [[project]] \"acme\"; did you mean \"api_keys\"?"},
           {"[[project]]\napi_keys = [\"k\"]\ncolection_interval = \"8s\"\n",
            ":3:1: unknown key \"colection_interval\" in [[project]] number 1; did you mean "
            "\"collection_interval\"?"},
           {project + "[project.stream]\nsink = \"s3\"\nsession_tokn = \"env:T\"\n",
            ":6:1: unknown key \"session_tokn\" in [project.stream] of project \"acme\"; did you "
            "mean \"session_token\"?"},
           {project + "[project.streams]\nsink = \"file\"\n",
            "unknown key \"streams\" in [[project]] \"acme\"; did you mean \"stream\"?"},
           {project + "[project.stream.s3]\nbucket = \"b\"\n",
            "unknown key \"s3\" in [project.stream] of project \"acme\""},
           {"[limits]\nmax_keys = 8\nmax_frame_byte = 4096\n",
            ":3:1: unknown key \"max_frame_byte\" in [limits]; did you mean \"max_frame_bytes\"?"},
           {"[limit]\nmax_keys = 8\n",
            "unknown key \"limit\" at the top level; did you mean \"limits\"?"},
           {"[tls]\ncert = \"/etc/rtcstream/fullchain.pem\"\n",
            ":2:1: unknown key \"cert\" in [tls]"},
           {"[geoip]\ncity_db = \"a.mmdb\"\ncity = \"b.mmdb\"\n",
            ":3:1: unknown key \"city\" in [geoip]"},
           // The first in the file's order, whatever the alphabet says.
           {"zzz = 1\naaa = 2\n", ":1:1: unknown key \"zzz\" at the top level"}}) {
    ServiceConfig config;
    std::string path;
    Status s = LoadText(text, &config, &path);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << text;
    EXPECT_EQ(s.message().rfind("config " + path + ":", 0), 0u) << s.ToString();
    EXPECT_NE(s.message().find(expected), std::string::npos) << s.ToString();
  }
  // Known keys in the wrong shape are named too.
  ServiceConfig config;
  Status s = LoadText("[[project]]\nid = \"acme\"\nstream = \"s3\"\n", &config);
  EXPECT_NE(s.message().find("stream must be a table ([project.stream])"), std::string::npos)
      << s.ToString();
  s = LoadText("limits = 5\n", &config);
  EXPECT_NE(s.message().find("limits must be a table ([limits])"), std::string::npos)
      << s.ToString();
}

// The ```toml blocks of README.md and docs/*.md: {"file:line", text}.
std::vector<std::pair<std::string, std::string>> DocumentedConfigs() {
  std::vector<std::string> files = {std::string(RTCSTREAM_SOURCE_DIR) + "/README.md"};
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(RTCSTREAM_SOURCE_DIR) + "/docs")) {
    if (entry.path().extension() == ".md") files.push_back(entry.path().string());
  }
  std::vector<std::pair<std::string, std::string>> blocks;
  for (const std::string& file : files) {
    std::ifstream in(file);
    std::string line, text, where;
    bool inside = false;
    for (int number = 1; std::getline(in, line); ++number) {
      if (!inside && line == "```toml") {
        inside = true;
        text.clear();
        where = file + ":" + std::to_string(number);
      } else if (inside && line == "```") {
        inside = false;
        blocks.emplace_back(where, text);
      } else if (inside) {
        text += line + "\n";
      }
    }
  }
  return blocks;
}

TEST(ConfigTest, EveryDocumentedConfigLoads) {
  // The secrets the examples take from the environment.
  setenv("ACME_API_TOKEN", "acme-api-token-0123456789", 1);
  setenv("ACME_S3_SECRET", "acme-s3-secret", 1);
  setenv("GLOBEX_S3_SECRET", "globex-s3-secret", 1);
  const auto blocks = DocumentedConfigs();
  EXPECT_GE(blocks.size(), 5u);
  for (const auto& [where, block] : blocks) {
    // A block that starts with [project.stream] shows the stream table of a project.
    std::string text = block;
    if (text.rfind("[project.stream]", 0) == 0) {
      text = "[[project]]\nid = \"docs\"\napi_keys = [\"docs-key\"]\n" + text;
    }
    ServiceConfig config;
    Status s = LoadText(text, &config);
    EXPECT_TRUE(s.ok()) << where << ": " << s.ToString() << "\n" << block;
    if (s.ok() && !config.projects.empty()) {
      s = ValidateConfig(config);
      EXPECT_TRUE(s.ok()) << where << ": " << s.ToString() << "\n" << block;
    }
  }
  for (const char* name : {"ACME_API_TOKEN", "ACME_S3_SECRET", "GLOBEX_S3_SECRET"}) unsetenv(name);
}

TEST(ConfigTest, SyntaxErrorsNameTheLine) {
  const std::string path = WriteTemp("listen = \"127.0.0.1:80\"\n[[project]\n");
  ServiceConfig config;
  Status s = LoadConfigFile(path, &config);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(path + ":2:"), std::string::npos) << s.ToString();
  unlink(path.c_str());
}

TEST(ConfigTest, ReadsTheGeoIpTable) {
  const std::string path = WriteTemp(R"(
[geoip]
city_db = "/var/lib/GeoIP/GeoLite2-City.mmdb"
asn_db = ["/var/lib/GeoIP/GeoLite2-ASN.mmdb"]
trusted_proxies = ["10.0.0.0/8", "::1/128", "192.0.2.7"]
)");
  ServiceConfig config;
  Status s = LoadConfigFile(path, &config);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(config.geoip.city_db, std::vector<std::string>{"/var/lib/GeoIP/GeoLite2-City.mmdb"});
  EXPECT_EQ(config.geoip.asn_db, std::vector<std::string>{"/var/lib/GeoIP/GeoLite2-ASN.mmdb"});
  ASSERT_EQ(config.geoip.trusted_proxies.size(), 3u);
  EXPECT_EQ(config.geoip.trusted_proxies[0].ToString(), "10.0.0.0/8");
  EXPECT_EQ(config.geoip.trusted_proxies[1].ToString(), "::1/128");
  EXPECT_EQ(config.geoip.trusted_proxies[2].ToString(), "192.0.2.7/32");
  unlink(path.c_str());

  // Without the table: no databases and no trusted proxies.
  ServiceConfig defaults;
  EXPECT_TRUE(defaults.geoip.city_db.empty());
  EXPECT_TRUE(defaults.geoip.asn_db.empty());
  EXPECT_TRUE(defaults.geoip.trusted_proxies.empty());
}

TEST(ConfigTest, RejectsBadGeoIpSettings) {
  for (const auto& [text, expected] : std::vector<std::pair<std::string, std::string>>{
           {"[geoip]\ntrusted_proxies = [\"10.0.0.0/33\"]\n", "10.0.0.0/33"},
           {"[geoip]\ntrusted_proxies = [\"proxy.internal\"]\n", "proxy.internal"},
           {"[geoip]\ntrusted_proxies = [\"10.0.0.1/8\"]\n", "host bits"},
           {"[geoip]\ntrusted_proxies = \"10.0.0.0/8\"\n", "list"},
           {"[geoip]\ntrusted_proxies = [8]\n", "strings"},
           {"[geoip]\ncity_db = 5\n", "geoip.city_db"},
           {"[geoip]\nasn_db = [\"\"]\n", "geoip.asn_db"},
           {"geoip = \"on\"\n", "[geoip]"}}) {
    const std::string path = WriteTemp(text);
    ServiceConfig config;
    Status s = LoadConfigFile(path, &config);
    EXPECT_FALSE(s.ok()) << text;
    EXPECT_NE(s.message().find(expected), std::string::npos) << s.ToString();
    unlink(path.c_str());
  }
}

ProjectConfig Project(std::string id, std::vector<std::string> keys, int64_t interval_ms) {
  ProjectConfig p;
  p.id = std::move(id);
  p.api_keys = std::move(keys);
  p.collection_interval_ms = interval_ms;
  return p;
}

TEST(ConfigTest, RejectsBadValuesWithoutEchoingKeys) {
  ServiceConfig config;
  config.projects.push_back(Project("a", {"same-secret"}, 8000));
  config.projects.push_back(Project("b", {"same-secret"}, 8000));
  Status s = ValidateConfig(config);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message().find("same-secret"), std::string::npos) << s.ToString();

  config.projects = {Project("bad id!", {"k"}, 8000)};
  EXPECT_FALSE(ValidateConfig(config).ok());
  config.projects = {Project("ok", {}, 8000)};
  EXPECT_FALSE(ValidateConfig(config).ok());  // no keys
  config.projects = {Project("ok", {"k"}, 10)};
  EXPECT_FALSE(ValidateConfig(config).ok());  // interval too short
  config.projects = {Project("ok", {"k"}, 8000)};
  config.projects[0].stream.sink = "ftp";
  EXPECT_FALSE(ValidateConfig(config).ok());
  config.projects[0].stream.sink = "file";
  EXPECT_TRUE(ValidateConfig(config).ok());

  // Access tokens: long enough, never an API key (those are public), never shared.
  config.projects[0].access_tokens = {{"inline", "short"}};
  EXPECT_FALSE(ValidateConfig(config).ok());
  config.projects[0].api_keys = {"key-that-is-long-enough"};
  config.projects[0].access_tokens = {{"inline", "key-that-is-long-enough"}};
  s = ValidateConfig(config);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message().find("key-that-is-long-enough"), std::string::npos);
  config.projects[0].access_tokens = {{"inline", "a-proper-secret-token-123"}};
  EXPECT_TRUE(ValidateConfig(config).ok());
}

TEST(ConfigTest, ReadsTheTlsTable) {
  const std::string path = WriteTemp(R"(
listen = "0.0.0.0:443"
[[project]]
id = "acme"
api_keys = ["acme-key"]
[tls]
cert_file = "/etc/rtcstream/fullchain.pem"
key_file = "/etc/rtcstream/privkey.pem"
min_version = "1.3"
)");
  ServiceConfig config;
  Status s = LoadConfigFile(path, &config);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(config.tls.enabled());
  EXPECT_EQ(config.tls.cert_file, "/etc/rtcstream/fullchain.pem");
  EXPECT_EQ(config.tls.key_file, "/etc/rtcstream/privkey.pem");
  EXPECT_EQ(config.tls.min_version, "1.3");
  EXPECT_TRUE(ValidateConfig(config).ok());
  // Rooms are linked over https when the port speaks TLS.
  EXPECT_EQ(EffectivePublicUrl(config), "https://0.0.0.0:443");
  unlink(path.c_str());
}

TEST(ConfigTest, RejectsIncompleteTlsSettings) {
  ServiceConfig config;
  config.projects.push_back(Project("ok", {"k"}, 8000));
  EXPECT_FALSE(config.tls.enabled());
  EXPECT_EQ(EffectivePublicUrl(config), "http://127.0.0.1:8080");
  config.tls.cert_file = "cert.pem";
  Status s = ValidateConfig(config);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("--tls-key"), std::string::npos) << s.ToString();
  config.tls = {"", "key.pem", "1.2"};
  EXPECT_FALSE(ValidateConfig(config).ok());
  config.tls = {"cert.pem", "key.pem", "1.1"};
  EXPECT_FALSE(ValidateConfig(config).ok());
  config.tls = {"cert.pem", "key.pem", "1.2"};
  EXPECT_TRUE(ValidateConfig(config).ok());

  const std::string path = WriteTemp("tls = \"on\"\n");
  EXPECT_FALSE(LoadConfigFile(path, &config).ok());
  unlink(path.c_str());
}

TEST(ConfigTest, ParsesListenAddresses) {
  std::string host;
  uint16_t port = 0;
  ASSERT_TRUE(ParseListenAddress("127.0.0.1:8080", &host, &port).ok());
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 8080);
  ASSERT_TRUE(ParseListenAddress("[::1]:0", &host, &port).ok());
  EXPECT_EQ(host, "::1");
  EXPECT_FALSE(ParseListenAddress("localhost", &host, &port).ok());
  EXPECT_FALSE(ParseListenAddress("h:99999", &host, &port).ok());
  EXPECT_FALSE(ParseListenAddress("h:8o", &host, &port).ok());
}

}  // namespace
}  // namespace rtcstream
