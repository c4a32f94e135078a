#include "geo/ip_address.h"

#include <arpa/inet.h>

#include <cstring>

namespace rtcstream {

namespace {

// ::ffff:0:0/96, the IPv4-mapped IPv6 prefix.
constexpr uint8_t kV4MappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

}  // namespace

std::optional<IpAddress> ParseIpAddress(std::string_view text) {
  // inet_pton needs a terminated string; no address is longer than this.
  char buf[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof(buf)) return std::nullopt;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  IpAddress address;
  if (inet_pton(AF_INET, buf, address.bytes.data()) == 1) {
    address.is_v4 = true;
    return address;
  }
  if (inet_pton(AF_INET6, buf, address.bytes.data()) != 1) return std::nullopt;
  if (std::memcmp(address.bytes.data(), kV4MappedPrefix, sizeof(kV4MappedPrefix)) == 0) {
    std::memmove(address.bytes.data(), address.bytes.data() + 12, 4);
    std::memset(address.bytes.data() + 4, 0, 12);
    address.is_v4 = true;
  }
  return address;
}

std::string IpAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN];
  if (inet_ntop(is_v4 ? AF_INET : AF_INET6, bytes.data(), buf, sizeof(buf)) == nullptr) return {};
  return buf;
}

std::string MaskedAddress(const IpAddress& address) {
  IpAddress masked = address;
  const int keep_bytes = address.is_v4 ? 3 : 6;
  std::memset(masked.bytes.data() + keep_bytes, 0, masked.bytes.size() - keep_bytes);
  return masked.ToString() + (address.is_v4 ? "/24" : "/48");
}

std::string MaskedAddressText(std::string_view text) {
  const std::optional<IpAddress> address = ParseIpAddress(text);
  return address ? MaskedAddress(*address) : std::string(text);
}

}  // namespace rtcstream
