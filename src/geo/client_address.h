// The address of the client behind a connection: the socket's peer address,
// or, when that peer is a trusted reverse proxy, the client address the proxy
// recorded in X-Forwarded-For or Forwarded (RFC 7239).
//
// Only trusted proxies are believed: anyone can send these headers, so a
// header from an untrusted peer is ignored. Behind a chain of proxies the
// list is walked from the right (the hop nearest to us) and the first
// untrusted address is the client; entries further left were written by the
// client or by proxies we know nothing about.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "geo/ip_address.h"
#include "geo/ip_network.h"

namespace rtcstream {

// The forwarding headers of a request, each the comma-joined values of all
// its fields in order; empty when absent.
struct ForwardingHeaders {
  std::string_view x_forwarded_for;
  std::string_view forwarded;
};

// One hop of a forwarding header: its address, or nullopt when the proxy
// wrote "unknown" or an obfuscated identifier ("_hidden").
using ForwardedHop = std::optional<IpAddress>;

// Parses an X-Forwarded-For value ("203.0.113.7, 10.0.0.2") into hops, left
// to right. Entries may carry a port ("192.0.2.1:4711", "[2001:db8::1]:4711").
// Returns false when an entry is not an address.
bool ParseXForwardedFor(std::string_view value, std::vector<ForwardedHop>* hops);

// Parses the for= parameters of a Forwarded value (RFC 7239), left to right:
// `for=192.0.2.60;proto=http, for="[2001:db8::1]:4711"`. An element without
// for= is an unknown hop. Returns false on a syntax error.
bool ParseForwarded(std::string_view value, std::vector<ForwardedHop>* hops);

// The client's address as text. `socket_address` is the connection's peer;
// headers are read only when it is inside one of `trusted_proxies`.
// X-Forwarded-For is read when present, Forwarded otherwise. A malformed
// header, or a hop that cannot be identified, leaves the socket address.
std::string ClientAddress(std::string_view socket_address, const ForwardingHeaders& headers,
                          const std::vector<IpNetwork>& trusted_proxies);

}  // namespace rtcstream
