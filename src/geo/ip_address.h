// IpAddress: an IPv4 or IPv6 address as 16 bytes, parsed from and printed as
// text. IPv4-mapped IPv6 addresses (::ffff:192.0.2.1, what a dual-stack socket
// reports for an IPv4 client) are stored as the IPv4 address they map, so that
// they match IPv4 networks and GeoIP records.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rtcstream {

struct IpAddress {
  bool is_v4 = false;
  // IPv4 addresses use the first 4 bytes; the rest are zero.
  std::array<uint8_t, 16> bytes{};

  // Number of address bits: 32 or 128.
  int bit_length() const { return is_v4 ? 32 : 128; }

  // The address in its usual text form ("192.0.2.1", "2001:db8::1").
  std::string ToString() const;

  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

// Parses a bare IPv4 or IPv6 address (no brackets, port or zone); nullopt when
// `text` is anything else.
std::optional<IpAddress> ParseIpAddress(std::string_view text);

// The address with its host part cleared, for logs that should not identify
// a client: "192.0.2.0/24" for IPv4, "2001:db8:1::/48" for IPv6.
std::string MaskedAddress(const IpAddress& address);

// MaskedAddress of an address given as text; text that is not an address
// ("unknown") is returned as it is.
std::string MaskedAddressText(std::string_view text);

}  // namespace rtcstream
