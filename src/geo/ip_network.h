// IpNetwork: a CIDR block ("10.0.0.0/8", "2001:db8::/32") and whether an
// address lies inside it. Used for the trusted proxies of the GeoIP lookup.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "geo/ip_address.h"

namespace rtcstream {

struct IpNetwork {
  IpAddress base;  // host bits cleared
  int prefix_length = 0;

  // True when `address` is of the same family and its first prefix_length bits
  // equal the base's.
  bool Contains(const IpAddress& address) const;

  // The network in CIDR notation.
  std::string ToString() const;
};

// Parses "ADDRESS/PREFIX" or a bare address (a single host: /32 or /128).
// Rejects a prefix longer than the address and host bits that are set
// ("10.0.0.1/8"), which usually means a typo.
Status ParseIpNetwork(std::string_view text, IpNetwork* network);

}  // namespace rtcstream
