#include <gtest/gtest.h>

#include "streams/object_key.h"
#include "streams/stream_encoding.h"

namespace rtcstream {
namespace {

const std::vector<std::string> kRooms = {R"({"room_id":"a"})", R"({"room_id":"b"})"};

TEST(StreamEncodingTest, JsonArrayAndNdjson) {
  std::string body;
  ASSERT_TRUE(EncodeStream(kRooms, {StreamFormat::kJson, StreamCompression::kNone}, &body).ok());
  EXPECT_EQ(body, "[{\"room_id\":\"a\"},{\"room_id\":\"b\"}]\n");
  ASSERT_TRUE(EncodeStream(kRooms, {StreamFormat::kNdjson, StreamCompression::kNone}, &body).ok());
  EXPECT_EQ(body, "{\"room_id\":\"a\"}\n{\"room_id\":\"b\"}\n");
  ASSERT_TRUE(EncodeStream({}, {StreamFormat::kJson, StreamCompression::kNone}, &body).ok());
  EXPECT_EQ(body, "[]\n");
  ASSERT_TRUE(EncodeStream({}, {StreamFormat::kNdjson, StreamCompression::kNone}, &body).ok());
  EXPECT_EQ(body, "");
}

TEST(StreamEncodingTest, GzipIsDeterministicAndRoundTrips) {
  std::string a, b, plain;
  const StreamEncoding enc{StreamFormat::kNdjson, StreamCompression::kGzip};
  ASSERT_TRUE(EncodeStream(kRooms, enc, &a).ok());
  ASSERT_TRUE(EncodeStream(kRooms, enc, &b).ok());
  EXPECT_EQ(a, b);  // a retried upload sends the same bytes
  ASSERT_GE(a.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(a[0]), 0x1f);  // gzip magic
  EXPECT_EQ(static_cast<unsigned char>(a[1]), 0x8b);
  ASSERT_TRUE(GunzipStream(a, &plain).ok());
  EXPECT_EQ(plain, "{\"room_id\":\"a\"}\n{\"room_id\":\"b\"}\n");
  EXPECT_FALSE(GunzipStream("not gzip", &plain).ok());
  EXPECT_EQ(StreamExtension(enc), ".ndjson.gz");
  EXPECT_EQ(StreamContentType(enc), "application/gzip");
  EXPECT_EQ(StreamExtension({}), ".json");
}

TEST(StreamEncodingTest, ParsesNames) {
  StreamFormat f;
  StreamCompression c;
  EXPECT_TRUE(ParseStreamFormat("ndjson", &f).ok());
  EXPECT_EQ(f, StreamFormat::kNdjson);
  EXPECT_FALSE(ParseStreamFormat("csv", &f).ok());
  EXPECT_TRUE(ParseStreamCompression("gzip", &c).ok());
  EXPECT_FALSE(ParseStreamCompression("zstd", &c).ok());
}

TEST(ObjectKeyTest, DefaultTemplateStartsWithThePrefix) {
  ObjectKeyVars vars;
  vars.prefix = "watchrtc/";
  vars.project = "acme";
  vars.window_start = 1795428000000;  // 2026-11-23T10:00:00Z
  vars.window_end = 1795431600000;
  vars.ext = ".json";
  EXPECT_EQ(RenderObjectKey(kDefaultKeyTemplate, vars),
            "watchrtc/20261123T100000Z_20261123T110000Z.json");
}

TEST(ObjectKeyTest, HiveStylePartitions) {
  ObjectKeyVars vars;
  vars.prefix = "rtc/";
  vars.project = "acme";
  vars.window_start = 1795428000000;
  vars.window_end = 1795431600000;
  vars.ext = ".ndjson.gz";
  const std::string tmpl = "{prefix}{project}/dt={yyyy}-{mm}-{dd}/hour={hh}/{window_start}{ext}";
  ASSERT_TRUE(ValidateKeyTemplate(tmpl).ok());
  EXPECT_EQ(RenderObjectKey(tmpl, vars),
            "rtc/acme/dt=2026-11-23/hour=10/20261123T100000Z.ndjson.gz");
}

TEST(ObjectKeyTest, RejectsTemplatesThatCouldCollide) {
  EXPECT_FALSE(ValidateKeyTemplate("{prefix}dt={yyyy}-{mm}-{dd}.json").ok());
  EXPECT_FALSE(ValidateKeyTemplate("{prefix}{window_start").ok());
  Status s = ValidateKeyTemplate("{prefix}{month}/{window_start}.json");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("{month}"), std::string::npos);
}

TEST(ObjectKeyTest, KeysStartWithThePrefix) {
  // A bucket policy grants writes under the prefix: a key outside it would be refused.
  for (const char* tmpl : {"{project}/{window_start}{ext}", "data/{prefix}{window_start}{ext}",
                           "{window_start}{prefix}{ext}"}) {
    Status s = ValidateKeyTemplate(tmpl);
    EXPECT_FALSE(s.ok()) << tmpl;
    EXPECT_NE(s.message().find("must start with {prefix}"), std::string::npos) << s.ToString();
  }
  EXPECT_TRUE(ValidateKeyTemplate("{prefix}{project}/{window_start}{ext}").ok());
}

}  // namespace
}  // namespace rtcstream

namespace rtcstream {
namespace {

TEST(StreamEncoderTest, IncrementalOutputEqualsTheOneShotEncoding) {
  std::vector<std::string> rooms;
  for (int i = 0; i < 3000; ++i) {
    rooms.push_back("{\"room_id\":\"room-" + std::to_string(i) +
                    "\",\"users\":" + std::to_string(i % 7) + "}");
  }
  for (StreamFormat format : {StreamFormat::kJson, StreamFormat::kNdjson}) {
    std::string expected_text;
    if (format == StreamFormat::kJson) {
      expected_text = "[";
      for (size_t i = 0; i < rooms.size(); ++i) expected_text += (i ? "," : "") + rooms[i];
      expected_text += "]\n";
    } else {
      for (const std::string& r : rooms) expected_text += r + "\n";
    }
    std::string plain;
    ASSERT_TRUE(EncodeStream(rooms, {format, StreamCompression::kNone}, &plain).ok());
    EXPECT_EQ(plain, expected_text);
    std::string gz, again, unzipped;
    ASSERT_TRUE(EncodeStream(rooms, {format, StreamCompression::kGzip}, &gz).ok());
    ASSERT_TRUE(EncodeStream(rooms, {format, StreamCompression::kGzip}, &again).ok());
    EXPECT_EQ(gz, again);
    EXPECT_LT(gz.size(), plain.size() / 3);
    ASSERT_TRUE(GunzipStream(gz, &unzipped).ok());
    EXPECT_EQ(unzipped, expected_text);
  }
}

}  // namespace
}  // namespace rtcstream
