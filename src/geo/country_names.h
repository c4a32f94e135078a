// English country names by ISO 3166-1 alpha-2 code, spelled as MaxMind's
// GeoIP2/GeoLite2 databases spell them ("DE" -> "Germany", "KR" -> "South
// Korea"), so that a country reads the same whichever database schema it came
// from.
#pragma once

#include <optional>
#include <string_view>

namespace rtcstream {

// The English name of the country with this code (case-sensitive, upper
// case), or nullopt for a code the table does not know.
std::optional<std::string_view> CountryName(std::string_view alpha2);

}  // namespace rtcstream
