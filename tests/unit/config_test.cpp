#include "service/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

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
