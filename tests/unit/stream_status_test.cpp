#include "service/stream_status.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rtcstream {
namespace {

ProjectConfig S3Project() {
  ProjectConfig p;
  p.id = "acme";
  p.stream.sink = "s3";
  p.stream.bucket = "acme-streams";
  p.stream.access_key_id = "AKIAEXAMPLEKEYID1234";
  p.stream.secret_access_key = {"inline", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY"};
  p.stream.session_token = {"env:ACME_SESSION", "FwoGZXIvYXdzSESSIONTOKEN"};
  p.stream.prefix = "watchrtc/";
  p.stream.interval_ms = 300000;
  return p;
}

TEST(StreamStatusTest, SecretsAreDescribedNeverShown) {
  const std::string json = StreamStatusJson(S3Project(), {}, {});
  EXPECT_EQ(json.find("wJalrXUtnFEMI"), std::string::npos) << json;
  EXPECT_EQ(json.find("FwoGZXIvYXdz"), std::string::npos) << json;
  EXPECT_EQ(json.find("AKIAEXAMPLEKEYID1234"), std::string::npos) << json;
  EXPECT_NE(json.find("\"access_key_id\":\"AKIA****\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"secret_access_key\":\"set (inline)\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"session_token\":\"set (env:ACME_SESSION)\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"interval\":\"5m\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"pending\":[]"), std::string::npos) << json;
}

TEST(StreamStatusTest, WindowsCarryTheirState) {
  StreamWindow pending;
  pending.project = "acme";
  pending.window_start = 1764064800000;
  pending.window_end = 1764065100000;
  pending.attempts = 3;
  pending.last_error = "S3 PUT: <Code>SlowDown</Code>";
  StreamWindow done = pending;
  done.delivered = true;
  done.attempts = 0;
  done.last_error.clear();
  done.delivered_ms = 1764065160000;
  done.location = "s3://acme-streams/watchrtc/x.json";
  done.room_count = 7;
  done.size_bytes = 4096;
  done.sha256_hex = "ab";
  const std::string json = StreamStatusJson(S3Project(), {pending}, {done, pending});
  EXPECT_NE(json.find("\"pending\":[{\"window_start\":\"2025-11-25T10:00:00.000Z\""),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"attempts\":3"), std::string::npos) << json;
  // Error text is escaped like any other untrusted text.
  EXPECT_NE(json.find("\\u003cCode\\u003eSlowDown"), std::string::npos) << json;
  EXPECT_NE(json.find("\"state\":\"delivered\",\"attempts\":0,\"last_error\":null,"
                      "\"delivered_at\":\"2025-11-25T10:06:00.000Z\""),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"rooms\":7,\"bytes\":4096"), std::string::npos) << json;
}

TEST(StreamStatusTest, DurationsAndMasks) {
  EXPECT_EQ(FormatDurationSetting(3600000), "1h");
  EXPECT_EQ(FormatDurationSetting(90000), "90s");
  EXPECT_EQ(FormatDurationSetting(250), "250ms");
  EXPECT_EQ(MaskAccessKeyId(""), "(none)");
  EXPECT_EQ(MaskAccessKeyId("AB"), "AB****");
  EXPECT_EQ(DescribeSecret({"file:/run/secret", ""}), "(none)");
}

}  // namespace
}  // namespace rtcstream
