#include "server/connection_limiter.h"

#include <gtest/gtest.h>

namespace rtcstream {
namespace {

TEST(ConnectionLimiterTest, CapsPerAddressAndOverall) {
  auto limiter = std::make_shared<ConnectionLimiter>(3, 2);
  ConnectionLimiter::Refusal why;
  auto a1 = limiter->Acquire("10.0.0.1", &why);
  auto a2 = limiter->Acquire("10.0.0.1", &why);
  ASSERT_NE(a1, nullptr);
  ASSERT_NE(a2, nullptr);
  EXPECT_EQ(limiter->Acquire("10.0.0.1", &why), nullptr);
  EXPECT_EQ(why, ConnectionLimiter::Refusal::kPerAddress);
  auto b1 = limiter->Acquire("10.0.0.2", &why);
  ASSERT_NE(b1, nullptr);
  EXPECT_EQ(limiter->Acquire("10.0.0.3", &why), nullptr);
  EXPECT_EQ(why, ConnectionLimiter::Refusal::kTotal);
  a1.reset();  // a closed connection frees its slot
  EXPECT_NE(limiter->Acquire("10.0.0.1", &why), nullptr);
  EXPECT_EQ(limiter->open(), 2u);  // the slot just taken was released at once
}

TEST(TokenBucketTest, AllowsBurstThenRate) {
  TokenBucket bucket(/*rate=*/10, /*burst=*/5);
  int taken = 0;
  for (int i = 0; i < 20; ++i) taken += bucket.Take(0.0);
  EXPECT_EQ(taken, 5);              // the burst
  EXPECT_FALSE(bucket.Take(0.05));  // half a token
  EXPECT_TRUE(bucket.Take(0.1));    // one token after 100 ms
  taken = 0;
  for (int i = 0; i < 100; ++i) taken += bucket.Take(10.0);  // long pause: refilled to burst
  EXPECT_EQ(taken, 5);
}

}  // namespace
}  // namespace rtcstream
