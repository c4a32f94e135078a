#include "common/time_util.h"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <limits>

namespace rtcstream {

namespace {

// Days since the epoch for a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

struct CivilTime {
  int64_t year;
  unsigned month, day, hour, minute, second, millis;
};

CivilTime ToCivil(EpochMs t) {
  int64_t days = t / 86400000;
  int64_t rem = t % 86400000;
  if (rem < 0) {
    rem += 86400000;
    days -= 1;
  }
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  CivilTime c;
  c.day = doy - (153 * mp + 2) / 5 + 1;
  c.month = mp < 10 ? mp + 3 : mp - 9;
  c.year = static_cast<int64_t>(yoe) + era * 400 + (c.month <= 2);
  c.hour = static_cast<unsigned>(rem / 3600000);
  c.minute = static_cast<unsigned>(rem / 60000 % 60);
  c.second = static_cast<unsigned>(rem / 1000 % 60);
  c.millis = static_cast<unsigned>(rem % 1000);
  return c;
}

bool ReadDigits(std::string_view s, size_t pos, size_t n, unsigned* out) {
  if (pos + n > s.size()) return false;
  unsigned v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + static_cast<unsigned>(s[i] - '0');
  }
  *out = v;
  return true;
}

}  // namespace

EpochMs NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string FormatIso8601(EpochMs t) {
  const CivilTime c = ToCivil(t);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02u:%02u:%02u.%03uZ",
                static_cast<long long>(c.year), c.month, c.day, c.hour, c.minute, c.second,
                c.millis);
  return buf;
}

std::string FormatCompactUtc(EpochMs t) {
  const CivilTime c = ToCivil(t);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04lld%02u%02uT%02u%02u%02uZ", static_cast<long long>(c.year),
                c.month, c.day, c.hour, c.minute, c.second);
  return buf;
}

Status ParseIso8601(std::string_view s, EpochMs* out) {
  auto bad = [&] {
    return Status::InvalidArgument("not an ISO 8601 time: \"" + std::string(s) +
                                   "\" (expected e.g. 2026-11-23T10:00:00Z)");
  };
  unsigned year, month, day, hour = 0, minute = 0, second = 0, millis = 0;
  if (!ReadDigits(s, 0, 4, &year) || s.size() < 10 || s[4] != '-' || !ReadDigits(s, 5, 2, &month) ||
      s[7] != '-' || !ReadDigits(s, 8, 2, &day)) {
    return bad();
  }
  if (month < 1 || month > 12 || day < 1 || day > 31) return bad();
  size_t pos = 10;
  int64_t offset_minutes = 0;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return bad();
    if (!ReadDigits(s, pos + 1, 2, &hour) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !ReadDigits(s, pos + 4, 2, &minute)) {
      return bad();
    }
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
      if (!ReadDigits(s, pos + 1, 2, &second)) return bad();
      pos += 3;
      if (pos < s.size() && s[pos] == '.') {
        ++pos;
        unsigned scale = 100;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
          millis += static_cast<unsigned>(s[pos] - '0') * scale;
          scale /= 10;
          ++pos;
        }
      }
    }
    if (pos >= s.size()) return bad();  // a time needs a zone: Z or +hh:mm
    if (s[pos] == 'Z' || s[pos] == 'z') {
      ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
      unsigned oh, om;
      if (!ReadDigits(s, pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
          !ReadDigits(s, pos + 4, 2, &om)) {
        return bad();
      }
      offset_minutes = (s[pos] == '+' ? 1 : -1) * static_cast<int64_t>(oh * 60 + om);
      pos += 6;
    } else {
      return bad();
    }
    if (pos != s.size() || hour > 23 || minute > 59 || second > 60) return bad();
  }
  const int64_t days = DaysFromCivil(year, month, day);
  *out = days * 86400000 + hour * 3600000LL + minute * 60000LL + second * 1000LL + millis -
         offset_minutes * 60000;
  return Status::OK();
}

Status ParseDuration(std::string_view s, int64_t* out_ms) {
  size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  int64_t value = 0;
  if (digits == 0 || std::from_chars(s.data(), s.data() + digits, value).ec != std::errc()) {
    return Status::InvalidArgument("not a duration: \"" + std::string(s) +
                                   "\" (expected e.g. 30s, 5m, 2h)");
  }
  const std::string_view unit = s.substr(digits);
  int64_t scale;
  if (unit.empty() || unit == "s") {
    scale = 1000;
  } else if (unit == "ms") {
    scale = 1;
  } else if (unit == "m") {
    scale = 60000;
  } else if (unit == "h") {
    scale = 3600000;
  } else if (unit == "d") {
    scale = 86400000;
  } else {
    return Status::InvalidArgument("unknown unit in duration \"" + std::string(s) +
                                   "\" (use ms, s, m, h or d)");
  }
  if (value > std::numeric_limits<int64_t>::max() / scale) {
    return Status::InvalidArgument("duration \"" + std::string(s) + "\" is too long");
  }
  *out_ms = value * scale;
  return Status::OK();
}

}  // namespace rtcstream
