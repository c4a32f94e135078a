// Fuzzes what a client can put in front of the GeoIP lookup: the input as an
// X-Forwarded-For value and as a Forwarded value behind a trusted proxy, and
// as an address and a CIDR (config's trusted_proxies).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "geo/client_address.h"
#include "geo/ip_address.h"
#include "geo/ip_network.h"

namespace {

const std::vector<rtcstream::IpNetwork>& TrustedProxies() {
  static const std::vector<rtcstream::IpNetwork> networks = [] {
    std::vector<rtcstream::IpNetwork> out;
    for (const char* cidr : {"10.0.0.0/8", "::1/128", "2001:db8::/32", "192.0.2.0/24"}) {
      rtcstream::IpNetwork n;
      if (!rtcstream::ParseIpNetwork(cidr, &n).ok()) __builtin_trap();
      out.push_back(n);
    }
    return out;
  }();
  return networks;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rtcstream;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  // Behind a trusted proxy the result is the proxy or an address, never garbage.
  for (const ForwardingHeaders& headers :
       {ForwardingHeaders{input, {}}, ForwardingHeaders{{}, input}}) {
    const std::string client = ClientAddress("10.0.0.1", headers, TrustedProxies());
    if (client != "10.0.0.1" && !ParseIpAddress(client)) __builtin_trap();
  }
  std::vector<ForwardedHop> hops;
  ParseXForwardedFor(input, &hops);
  ParseForwarded(input, &hops);

  // An address prints as text that parses back to itself.
  if (const std::optional<IpAddress> address = ParseIpAddress(input)) {
    const std::optional<IpAddress> again = ParseIpAddress(address->ToString());
    if (!again || !(*again == *address)) __builtin_trap();
    // What the logs show instead of the address is a network that holds it.
    IpNetwork masked;
    if (!ParseIpNetwork(MaskedAddress(*address), &masked).ok() || !masked.Contains(*address)) {
      __builtin_trap();
    }
  }
  // A network contains its base and prints as text that parses back to itself.
  IpNetwork network;
  if (ParseIpNetwork(input, &network).ok()) {
    if (!network.Contains(network.base)) __builtin_trap();
    IpNetwork again;
    if (!ParseIpNetwork(network.ToString(), &again).ok() || !(again.base == network.base) ||
        again.prefix_length != network.prefix_length) {
      __builtin_trap();
    }
  }
  return 0;
}
