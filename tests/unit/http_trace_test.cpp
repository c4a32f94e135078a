#include "wire/http_trace.h"

#include <gtest/gtest.h>

namespace rtcstream {
namespace {

HttpTraceBody Parse(const std::string& data) {
  HttpTraceBody body;
  const std::string json = R"({"sessionId":"s1","projectId":"p","rtcRoomId":"r","rtcPeerId":"a",)"
                           R"("data":)" +
                           data + "}";
  Status s = ParseHttpTraceBody(json, &body);
  EXPECT_TRUE(s.ok()) << s.ToString() << " for " << data;
  return body;
}

TEST(HttpTraceTest, ATraceCarriesOneCompleteTuple) {
  HttpTraceBody body = Parse(R"(["userRating",null,{"rating":4},1700000000000])");
  EXPECT_EQ(body.session_id, "s1");
  EXPECT_EQ(body.project_id, "p");
  EXPECT_EQ(body.room_id, "r");
  EXPECT_EQ(body.peer_id, "a");
  ASSERT_EQ(body.tuples.size(), 1u);
  EXPECT_EQ(body.tuples[0], R"(["userRating",null,{"rating":4},1700000000000])");
}

TEST(HttpTraceTest, AnErrorTupleGetsTheBodysTimestamp) {
  // As the SDK's POST /error sends a getUserMedia failure.
  HttpTraceBody body =
      Parse(R"([["navigator.mediaDevices.getUserMediaOnFailure",null,"OverconstrainedError"],5])");
  ASSERT_EQ(body.tuples.size(), 1u);
  EXPECT_EQ(body.tuples[0],
            R"(["navigator.mediaDevices.getUserMediaOnFailure",null,"OverconstrainedError",5])");
}

TEST(HttpTraceTest, AnErrorWithTheUnsentBufferKeepsEachTuplesOwnTimestamp) {
  HttpTraceBody body = Parse(R"([[["keys",null,{"a":["b"]},3],["log",null,"x"]],9])");
  ASSERT_EQ(body.tuples.size(), 2u);
  EXPECT_EQ(body.tuples[0], R"(["keys",null,{"a":["b"]},3])");
  EXPECT_EQ(body.tuples[1], R"(["log",null,"x",9])");
  EXPECT_TRUE(Parse("[[],9]").tuples.empty());  // nothing buffered
}

TEST(HttpTraceTest, MalformedBodiesSayWhy) {
  HttpTraceBody body;
  for (const char* bad : {
           R"(not json)",
           R"({"data":["a",null,{},1]})",                            // no sessionId
           R"({"sessionId":"s","data":{}})",                         // data not an array
           R"({"sessionId":"s","data":[]})",                         // empty data
           R"({"sessionId":"s","data":[["a",null,{}],1,2]})",        // extra element
           R"({"sessionId":"s","data":[["a",null],1]})",             // short error tuple
           R"({"sessionId":"s","data":[[["a",null,{},1],"x"],1]})",  // not a tuple in the buffer
       }) {
    Status s = ParseHttpTraceBody(bad, &body);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << bad;
    EXPECT_FALSE(s.message().empty()) << bad;
  }
}

}  // namespace
}  // namespace rtcstream
