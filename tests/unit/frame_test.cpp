// Tests for DecodeFrame: telling signalling frames from compressed ones and
// enforcing the frame limits.
#include "wire/frame.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <string>

namespace rtcstream {
namespace {

struct Sample {
  std::string plain;
  std::string compressed;
};

// Loads one vector with literal plain text from the LZString fixture.
Sample LoadSample(std::string_view name) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::array vectors;
  const std::string path =
      std::string(RTCSTREAM_SOURCE_DIR) + "/tests/fixtures/lzstring/vectors.json";
  if (parser.load(path).get(root) || root["vectors"].get(vectors)) {
    ADD_FAILURE() << "cannot load " << path;
    return {};
  }
  for (simdjson::dom::element v : vectors) {
    std::string_view n, plain, compressed;
    if (v["name"].get(n) || n != name) continue;
    if (v["plain"].get(plain) || v["compressed"].get(compressed)) break;
    return Sample{std::string(plain), std::string(compressed)};
  }
  ADD_FAILURE() << "no vector with plain text named " << name;
  return {};
}

TEST(FrameTest, SignallingFrameIsPassedThrough) {
  const std::string text =
      R"(["watchrtc",null,{"rtcRoomId":"room","rtcPeerId":"peer"},1732540000000])";
  DecodedFrame frame;
  ASSERT_TRUE(DecodeFrame(text, FrameLimits(), &frame).ok());
  EXPECT_EQ(frame.kind, FrameKind::kSignalling);
  EXPECT_EQ(frame.json, text);
}

TEST(FrameTest, SignallingFrameMayStartWithWhitespace) {
  const std::string text = " \t\r\n[\"timeChange\",null,{},1]";
  DecodedFrame frame;
  ASSERT_TRUE(DecodeFrame(text, FrameLimits(), &frame).ok());
  EXPECT_EQ(frame.kind, FrameKind::kSignalling);
  EXPECT_EQ(frame.json, text);
}

TEST(FrameTest, CompressedBatchIsDecompressed) {
  const Sample batch = LoadSample("sdk_getstats_batch10");
  DecodedFrame frame;
  ASSERT_TRUE(DecodeFrame(batch.compressed, FrameLimits(), &frame).ok());
  EXPECT_EQ(frame.kind, FrameKind::kCompressed);
  EXPECT_TRUE(frame.json == batch.plain);
  EXPECT_EQ(frame.json.substr(0, 13), "[[\"getstats\",");
}

TEST(FrameTest, CompressedSingleTupleIsDecompressed) {
  const Sample tuple = LoadSample("sdk_single_tuple");
  DecodedFrame frame;
  ASSERT_TRUE(DecodeFrame(tuple.compressed, FrameLimits(), &frame).ok());
  EXPECT_EQ(frame.kind, FrameKind::kCompressed);
  EXPECT_EQ(frame.json, tuple.plain);
  EXPECT_EQ(frame.json.substr(0, 17), "[\"nailUpCallEnd\",");
}

TEST(FrameTest, SpacesInACompressedFrameAreReadAsPlus) {
  const Sample batch = LoadSample("sdk_getstats_delta");
  std::string spaced = batch.compressed;
  ASSERT_NE(spaced.find('+'), std::string::npos);
  std::replace(spaced.begin(), spaced.end(), '+', ' ');
  DecodedFrame frame;
  ASSERT_TRUE(DecodeFrame(spaced, FrameLimits(), &frame).ok());
  EXPECT_EQ(frame.kind, FrameKind::kCompressed);
  EXPECT_TRUE(frame.json == batch.plain);
}

TEST(FrameTest, OversizedFrameIsRejectedWithSizeAndLimit) {
  FrameLimits limits;
  limits.max_frame_bytes = 40;
  const std::string text = R"(["timeChange",null,{"delta":123456},1732540000000])";
  DecodedFrame frame;
  Status s = DecodeFrame(text, limits, &frame);
  EXPECT_EQ(s.code(), Status::Code::kResourceExhausted);
  EXPECT_NE(s.message().find(std::to_string(text.size())), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("40"), std::string::npos) << s.message();
  EXPECT_TRUE(frame.json.empty());

  limits.max_frame_bytes = text.size();
  EXPECT_TRUE(DecodeFrame(text, limits, &frame).ok());
}

TEST(FrameTest, OversizedCompressedFrameIsRejectedBeforeDecoding) {
  const Sample batch = LoadSample("sdk_getstats_full");
  FrameLimits limits;
  limits.max_frame_bytes = batch.compressed.size() - 1;
  DecodedFrame frame;
  EXPECT_EQ(DecodeFrame(batch.compressed, limits, &frame).code(), Status::Code::kResourceExhausted);
}

TEST(FrameTest, DecompressionBombIsRejected) {
  // bomb_1m_a: a million 'a's in about 2 KB. Its plain text is stored as a
  // repeat, so LoadSample cannot fetch it.
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::array vectors;
  ASSERT_FALSE(
      parser.load(std::string(RTCSTREAM_SOURCE_DIR) + "/tests/fixtures/lzstring/vectors.json")
          .get(root));
  ASSERT_FALSE(root["vectors"].get(vectors));
  std::string bomb;
  for (simdjson::dom::element v : vectors) {
    std::string_view name, compressed;
    if (!v["name"].get(name) && name == "bomb_1m_a" && !v["compressed"].get(compressed)) {
      bomb = compressed;
    }
  }
  ASSERT_FALSE(bomb.empty());

  FrameLimits limits;
  limits.max_decompressed_bytes = 100000;
  DecodedFrame frame;
  Status s = DecodeFrame(bomb, limits, &frame);
  EXPECT_EQ(s.code(), Status::Code::kResourceExhausted);
  EXPECT_NE(s.message().find("100000"), std::string::npos) << s.message();
  EXPECT_TRUE(frame.json.empty());

  limits.max_decompressed_bytes = 1000000;
  ASSERT_TRUE(DecodeFrame(bomb, limits, &frame).ok());
  EXPECT_EQ(frame.json, std::string(1000000, 'a'));
}

TEST(FrameTest, EmptyFrameIsRejected) {
  DecodedFrame frame;
  EXPECT_EQ(DecodeFrame("", FrameLimits(), &frame).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(DecodeFrame(" \r\n\t", FrameLimits(), &frame).code(), Status::Code::kInvalidArgument);
}

TEST(FrameTest, TextThatIsNeitherKindIsRejected) {
  DecodedFrame frame;
  frame.json = "stale";
  Status s = DecodeFrame(R"({"error":"not a tuple"})", FrameLimits(), &frame);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("offset 0"), std::string::npos) << s.message();
  EXPECT_TRUE(frame.json.empty());
}

TEST(FrameTest, TruncatedCompressedFrameIsRejected) {
  const Sample batch = LoadSample("sdk_getstats_delta");
  DecodedFrame frame;
  Status s =
      DecodeFrame(batch.compressed.substr(0, batch.compressed.size() / 2), FrameLimits(), &frame);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(frame.json.empty());
}

}  // namespace
}  // namespace rtcstream
