// Tests for the LZString port against vectors made by the npm lz-string 1.5.0
// (tests/fixtures/lzstring/make-vectors.js writes vectors.json).
#include "wire/lzstring.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace rtcstream {
namespace {

constexpr size_t kNoLimit = size_t{1} << 30;

struct Vector {
  std::string name;
  std::string plain;  // expected UTF-8 output
  std::string compressed;
};

struct Garbage {
  std::string name;
  std::string input;
  bool expect_ok = false;
  std::string plain;  // expected output when expect_ok
};

struct Fixture {
  std::vector<Vector> vectors;
  std::vector<Garbage> garbage;
};

std::string FixturePath() {
  return std::string(RTCSTREAM_SOURCE_DIR) + "/tests/fixtures/lzstring/vectors.json";
}

// Parses vectors.json; see make-vectors.js for the layout.
bool LoadFixture(Fixture* fixture, std::string* error) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto e = parser.load(FixturePath()).get(root); e) {
    *error = std::string("cannot load vectors.json: ") + simdjson::error_message(e);
    return false;
  }
  simdjson::dom::array vectors;
  simdjson::dom::array garbage;
  if (root["vectors"].get(vectors) || root["garbage"].get(garbage)) {
    *error = "vectors.json lacks the vectors or garbage arrays";
    return false;
  }
  for (simdjson::dom::element v : vectors) {
    Vector out;
    std::string_view name, compressed, plain;
    if (v["name"].get(name) || v["compressed"].get(compressed)) {
      *error = "vector without name or compressed";
      return false;
    }
    out.name = name;
    out.compressed = compressed;
    simdjson::dom::object repeat;
    if (!v["plain"].get(plain)) {
      out.plain = plain;
    } else if (!v["plain_repeat"].get(repeat)) {
      std::string_view unit;
      uint64_t count = 0;
      if (repeat["unit"].get(unit) || repeat["count"].get(count)) {
        *error = "bad plain_repeat in " + out.name;
        return false;
      }
      out.plain.reserve(unit.size() * count);
      for (uint64_t i = 0; i < count; ++i) out.plain.append(unit);
    } else {
      *error = "vector without plain text: " + out.name;
      return false;
    }
    fixture->vectors.push_back(std::move(out));
  }
  auto find = [&](std::string_view name) -> const Vector* {
    for (const Vector& v : fixture->vectors) {
      if (v.name == name) return &v;
    }
    return nullptr;
  };
  for (simdjson::dom::element g : garbage) {
    Garbage out;
    std::string_view name, input, from, expect, ch;
    if (g["name"].get(name) || g["expect"].get(expect)) {
      *error = "garbage entry without name or expect";
      return false;
    }
    out.name = name;
    out.expect_ok = expect == "ok";
    uint64_t cut = 0, at = 0;
    if (!g["input"].get(input)) {
      out.input = input;
    } else if (!g["from"].get(from) && find(from) != nullptr) {
      out.input = find(from)->compressed;
      if (!g["cut"].get(cut)) {
        out.input.resize(cut);
      } else if (!g["at"].get(at) && !g["ch"].get(ch) && at < out.input.size()) {
        out.input.replace(at, 1, ch);
      } else {
        *error = "bad derived input in " + out.name;
        return false;
      }
    } else {
      *error = "garbage entry without input: " + out.name;
      return false;
    }
    if (out.expect_ok) {
      std::string_view plain;
      if (g["plain"].get(plain)) {
        *error = "garbage entry expected ok without plain: " + out.name;
        return false;
      }
      out.plain = plain;
    }
    fixture->garbage.push_back(std::move(out));
  }
  return true;
}

class LzStringTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fixture_ = new Fixture;
    std::string error;
    if (!LoadFixture(fixture_, &error)) load_error_ = new std::string(error);
  }
  static void TearDownTestSuite() {
    delete fixture_;
    fixture_ = nullptr;
    delete load_error_;
    load_error_ = nullptr;
  }
  void SetUp() override { ASSERT_EQ(load_error_, nullptr) << *load_error_; }

  static const Vector& Get(std::string_view name) {
    for (const Vector& v : fixture_->vectors) {
      if (v.name == name) return v;
    }
    ADD_FAILURE() << "no vector named " << name;
    static const Vector kMissing;
    return kMissing;
  }

  static Fixture* fixture_;
  static std::string* load_error_;
};

Fixture* LzStringTest::fixture_ = nullptr;
std::string* LzStringTest::load_error_ = nullptr;

TEST_F(LzStringTest, FixtureCoversTheRequiredCases) {
  for (const char* name : {"empty", "ascii_short", "latin1", "cjk", "emoji", "lone_surrogates",
                           "repetitive_100k", "bomb_1m_a", "sdk_getstats_full",
                           "sdk_getstats_batch10", "sdk_single_tuple", "random_unicode"}) {
    EXPECT_FALSE(Get(name).compressed.empty()) << name;
  }
  EXPECT_GE(fixture_->garbage.size(), 100u);
}

TEST_F(LzStringTest, DecodesEveryVector) {
  for (const Vector& v : fixture_->vectors) {
    std::string out = "stale";
    Status s = DecompressFromEncodedURIComponent(v.compressed, kNoLimit, &out);
    ASSERT_TRUE(s.ok()) << v.name << ": " << s.ToString();
    EXPECT_EQ(out.size(), v.plain.size()) << v.name;
    EXPECT_TRUE(out == v.plain) << v.name;
  }
}

TEST_F(LzStringTest, EmptyStringRoundTrips) {
  std::string out = "stale";
  ASSERT_TRUE(DecompressFromEncodedURIComponent(Get("empty").compressed, 0, &out).ok());
  EXPECT_EQ(out, "");
}

TEST_F(LzStringTest, SurrogatePairsBecomeFourByteUtf8) {
  std::string out;
  ASSERT_TRUE(DecompressFromEncodedURIComponent(Get("emoji").compressed, kNoLimit, &out).ok());
  EXPECT_NE(out.find("\xF0\x9F\x98\x80"), std::string::npos);  // U+1F600
}

TEST_F(LzStringTest, LoneSurrogatesBecomeReplacementCharacters) {
  std::string out;
  ASSERT_TRUE(
      DecompressFromEncodedURIComponent(Get("lone_surrogates").compressed, kNoLimit, &out).ok());
  EXPECT_EQ(out,
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD"
            "c\xEF\xBF\xBD\xF0\x9F\x98\x80\xEF\xBF\xBD\xEF\xBF\xBD\xF0\x90\x80\x80\xEF\xBF\xBD"
            " end\xEF\xBF\xBD");
}

TEST_F(LzStringTest, GarbageMatchesTheJavaScript) {
  int errors = 0;
  for (const Garbage& g : fixture_->garbage) {
    std::string out = "stale";
    Status s = DecompressFromEncodedURIComponent(g.input, kNoLimit, &out);
    if (g.expect_ok) {
      ASSERT_TRUE(s.ok()) << g.name << ": " << s.ToString();
      EXPECT_TRUE(out == g.plain) << g.name;
    } else {
      ++errors;
      EXPECT_FALSE(s.ok()) << g.name << " decoded to " << out.size() << " bytes";
      EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << g.name;
      EXPECT_TRUE(out.empty()) << g.name;
    }
  }
  EXPECT_GT(errors, 50);
}

TEST_F(LzStringTest, ReportsWhyAStreamIsBroken) {
  bool saw_truncated = false;
  bool saw_past_dictionary = false;
  bool saw_code3 = false;
  for (const Garbage& g : fixture_->garbage) {
    if (g.expect_ok) continue;
    std::string out;
    const std::string message =
        DecompressFromEncodedURIComponent(g.input, kNoLimit, &out).message();
    saw_truncated |= message.find("no end marker") != std::string::npos;
    saw_past_dictionary |= message.find("refers past the dictionary") != std::string::npos;
    saw_code3 |= message.find("code 3") != std::string::npos;
  }
  EXPECT_TRUE(saw_truncated);
  EXPECT_TRUE(saw_past_dictionary);
  EXPECT_TRUE(saw_code3);
}

TEST_F(LzStringTest, EmptyInputIsRejected) {
  std::string out = "stale";
  Status s = DecompressFromEncodedURIComponent("", kNoLimit, &out);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "empty LZString input");
  EXPECT_TRUE(out.empty());
}

TEST_F(LzStringTest, CharacterOutsideTheAlphabetIsRejectedWithItsOffset) {
  const std::string good = Get("ascii_short").compressed;
  struct Case {
    std::string input;
    std::string offset;
  };
  const std::vector<Case> cases = {
      {"Hello!", "offset 5"},
      {"/" + good, "offset 0"},  // base64's alphabet, not the URI-safe one
      {good + "=", "offset " + std::to_string(good.size())},  // even after the end marker
      {good.substr(0, 3) + std::string(1, '\0') + good.substr(3), "offset 3"},
      {good.substr(0, 4) + "\xC3\xA9" + good.substr(4), "offset 4"},
      {good.substr(0, 2) + "\t" + good.substr(2), "offset 2"},
  };
  for (const Case& c : cases) {
    std::string out = "stale";
    Status s = DecompressFromEncodedURIComponent(c.input, kNoLimit, &out);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << c.offset;
    EXPECT_NE(s.message().find("invalid LZString character"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find(c.offset), std::string::npos) << s.message();
    EXPECT_TRUE(out.empty());
  }
}

TEST_F(LzStringTest, SpaceIsReadAsPlus) {
  int checked = 0;
  for (const Vector& v : fixture_->vectors) {
    if (v.compressed.find('+') == std::string::npos) continue;
    std::string spaced = v.compressed;
    std::replace(spaced.begin(), spaced.end(), '+', ' ');
    std::string out;
    ASSERT_TRUE(DecompressFromEncodedURIComponent(spaced, kNoLimit, &out).ok()) << v.name;
    EXPECT_TRUE(out == v.plain) << v.name;
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

TEST_F(LzStringTest, BitsAfterTheEndMarkerAreIgnored) {
  const Vector& v = Get("ascii_sentence");
  std::string out;
  ASSERT_TRUE(DecompressFromEncodedURIComponent(v.compressed + "AAAAzz$$", kNoLimit, &out).ok());
  EXPECT_EQ(out, v.plain);
}

TEST_F(LzStringTest, BombStopsAtTheLimit) {
  const Vector& bomb = Get("bomb_1m_a");
  ASSERT_EQ(bomb.plain.size(), 1000000u);
  ASSERT_LT(bomb.compressed.size(), 4000u);
  std::string out;
  Status s = DecompressFromEncodedURIComponent(bomb.compressed, 64 << 10, &out);
  EXPECT_EQ(s.code(), Status::Code::kResourceExhausted);
  EXPECT_NE(s.message().find("65536"), std::string::npos) << s.message();
  EXPECT_TRUE(out.empty());
  // A rejected bomb gives its buffer back.
  EXPECT_LT(out.capacity(), size_t{64} << 10);
}

TEST_F(LzStringTest, LimitIsExactInUtf8Bytes) {
  for (const char* name : {"bomb_1m_a", "ascii_sentence", "latin1", "cjk", "emoji",
                           "emoji_repeated", "lone_surrogates", "random_unicode",
                           "random_unicode_lone_surrogates", "sdk_getstats_full"}) {
    const Vector& v = Get(name);
    std::string out;
    EXPECT_TRUE(DecompressFromEncodedURIComponent(v.compressed, v.plain.size(), &out).ok()) << name;
    EXPECT_TRUE(out == v.plain) << name;
    Status s = DecompressFromEncodedURIComponent(v.compressed, v.plain.size() - 1, &out);
    EXPECT_EQ(s.code(), Status::Code::kResourceExhausted) << name;
    EXPECT_TRUE(out.empty()) << name;
  }
}

TEST_F(LzStringTest, ZeroLimitRejectsAnyOutput) {
  std::string out;
  EXPECT_EQ(DecompressFromEncodedURIComponent(Get("single_char").compressed, 0, &out).code(),
            Status::Code::kResourceExhausted);
}

TEST_F(LzStringTest, HugeLimitIsAccepted) {
  std::string out;
  ASSERT_TRUE(
      DecompressFromEncodedURIComponent(Get("ascii_short").compressed, SIZE_MAX, &out).ok());
  EXPECT_EQ(out, "Hello, world!");
}

TEST_F(LzStringTest, ReusesTheOutputString) {
  std::string out(100000, 'x');
  ASSERT_TRUE(
      DecompressFromEncodedURIComponent(Get("ascii_short").compressed, kNoLimit, &out).ok());
  EXPECT_EQ(out, "Hello, world!");
  ASSERT_TRUE(
      DecompressFromEncodedURIComponent(Get("sdk_getstats_batch10").compressed, kNoLimit, &out)
          .ok());
  EXPECT_TRUE(out == Get("sdk_getstats_batch10").plain);
}

TEST_F(LzStringTest, EveryPrefixFailsCleanlyOrDecodes) {
  // Under the sanitizers this shows that no truncation reads or writes out of
  // bounds; a prefix may decode when its padding happens to spell the end.
  for (const char* name : {"emoji", "lone_surrogates", "json_tuple", "sdk_getstats_delta"}) {
    const std::string& c = Get(name).compressed;
    for (size_t n = 1; n < c.size(); ++n) {
      std::string out;
      Status s =
          DecompressFromEncodedURIComponent(std::string_view(c).substr(0, n), kNoLimit, &out);
      if (!s.ok()) {
        EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << name << " " << n;
        EXPECT_TRUE(out.empty());
      }
    }
  }
}

TEST_F(LzStringTest, RandomInputNeverMisbehaves) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-$";
  std::mt19937 rng(20240601);
  std::string out;
  for (int i = 0; i < 20000; ++i) {
    std::string input(1 + rng() % 64, '\0');
    const bool any_byte = i % 10 == 0;
    for (char& ch : input) ch = any_byte ? static_cast<char>(rng()) : kAlphabet[rng() % 64];
    Status s = DecompressFromEncodedURIComponent(input, 4096, &out);
    if (!s.ok()) {
      EXPECT_TRUE(out.empty());
    }
    EXPECT_LE(out.size(), 4096u);
  }
}

}  // namespace
}  // namespace rtcstream
